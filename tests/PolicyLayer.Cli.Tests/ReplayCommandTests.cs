using System.Text.Json;

namespace PolicyLayer.Cli.Tests;

public class ReplayCommandTests
{
    private static string Decision(JsonElement line) => line.GetProperty("decision").GetString()!;

    private static string Rule(JsonElement line) => line.GetProperty("rule").GetString()!;

    [Fact]
    public void Replay_SlidingWindow_FollowsTheCallsTimes()
    {
        var result = CliRunner.Run("replay", "replay/policy.json", "replay/window.jsonl");

        Assert.True(result.ExitCode == 0, result.ToString());
        var lines = result.JsonLines;
        Assert.Equal(["allow", "allow", "deny", "allow", "allow"], lines.Select(Decision));
        Assert.Equal("/tools/close_session/limits/0", Rule(lines[2]));

        // Refused 20 s after the first call in a one-minute window: a retry can succeed no sooner than 40 s later.
        var retry = lines[2].GetProperty("retry_after").GetInt64();
        Assert.InRange(retry, 40, 46);
        Assert.Equal(JsonValueKind.Null, lines[0].GetProperty("retry_after").ValueKind);
    }

    [Fact]
    public void Replay_EveryLine_HasExactlyTheFourFields()
    {
        var result = CliRunner.Run("replay", "replay/policy.json", "replay/window.jsonl");

        Assert.Equal(
            "{\"decision\":\"deny\",\"rule\":\"/tools/close_session/limits/0\",\"message\":\"Rate limit 'close_session_rate' reached (2 per minute per grant). Retry after " +
            result.JsonLines[2].GetProperty("retry_after").GetInt64() + " s.\",\"retry_after\":" + result.JsonLines[2].GetProperty("retry_after").GetInt64() + "}",
            result.Lines[2]);
        Assert.Equal("{\"decision\":\"allow\",\"rule\":\"/tools/close_session\",\"message\":\"Allowed.\",\"retry_after\":null}", result.Lines[0]);
    }

    [Fact]
    public void Replay_FailedToolCall_RefundsItsReservation()
    {
        var result = CliRunner.Run("replay", "replay/policy.json", "replay/refund.jsonl");

        Assert.True(result.ExitCode == 0, result.ToString());

        // The second call failed and gave its budget back, so the third fits; the fourth is the third admitted.
        Assert.Equal(["allow", "allow", "allow", "deny"], result.JsonLines.Select(Decision));
    }

    [Fact]
    public void Replay_MalformedLines_PrintErrorsInPlaceAndExitOne()
    {
        var result = CliRunner.Run("replay", "replay/policy.json", "replay/mixed.jsonl");

        Assert.Equal(1, result.ExitCode);
        Assert.Equal(
            [
                "{\"decision\":\"deny\",\"rule\":\"/tools/create_refund/deny_if/0\",\"message\":\"Refund exceeds the policy limit.\",\"retry_after\":null}",
                "{\"decision\":\"allow\",\"rule\":\"/tools/create_refund\",\"message\":\"Allowed.\",\"retry_after\":null}",
                "{\"decision\":\"deny\",\"rule\":\"/tools/drop_database\",\"message\":\"Never from an agent.\",\"retry_after\":null}",
                "{\"error\":\"line 5: not valid JSON at column 2: 'this is not json' is an invalid JSON literal. Expected the literal 'true'\"}",
                "{\"decision\":\"require_approval\",\"rule\":\"/tools/send_email\",\"message\":\"A person approves outgoing mail.\",\"retry_after\":null}",
                "{\"error\":\"line 7: the call has no 'tool'; add \\\"tool\\\": \\\"<name>\\\"\"}",
                "{\"decision\":\"allow\",\"rule\":\"/tools/admin_report\",\"message\":\"Allowed.\",\"retry_after\":null}",
                "{\"decision\":\"deny\",\"rule\":\"/tools/admin_report/require/0\",\"message\":\"Admins only.\",\"retry_after\":null}",
                "{\"decision\":\"deny\",\"rule\":\"(hidden)\",\"message\":\"The tool 'delete_account' is not allowed by the policy.\",\"retry_after\":null}",
                "{\"error\":\"line 11: unknown field 'argz'; a call has tool, args, grant, session, caller, at and result (prefix notes with 'x-')\"}",
                "{\"error\":\"line 12: 'args' must be an object, not an array\"}",
                "{\"error\":\"line 13: 'at' 2025-03-01T09:00:00Z is earlier than the previous call's time 2025-03-01T10:00:00Z; calls must be in time order\"}",
                "{\"error\":\"line 14: 'at' must be an RFC 3339 time such as \\\"2025-01-31T09:30:00Z\\\", not \\\"yesterday\\\"\"}",
                "{\"decision\":\"deny\",\"rule\":\"(default deny)\",\"message\":\"The tool 'unknown_tool' is not allowed by the policy.\",\"retry_after\":null}",
            ],
            result.Lines);
    }

    [Fact]
    public void Replay_InvalidPolicy_ExitsTwoWithCheckErrors()
    {
        var result = CliRunner.Run("replay", "check/invalid.json", "replay/window.jsonl");

        Assert.Equal(2, result.ExitCode);
        Assert.Empty(result.Out);
        Assert.Equal(4, result.ErrorLines.Length);
        Assert.StartsWith("check/invalid.json:3:14: error PL007: ", result.ErrorLines[0], StringComparison.Ordinal);
    }

    [Fact]
    public void Replay_MissingCallsFile_ExitsTwo()
    {
        var result = CliRunner.Run("replay", "replay/policy.json", "replay/none.jsonl");

        Assert.Equal(2, result.ExitCode);
        Assert.StartsWith("replay/none.jsonl:0:0: error CLI001:", result.Error, StringComparison.Ordinal);
    }

    [Fact]
    public void Replay_StandardInput_IsReadWithDash()
    {
        var result = CliRunner.RunIn(CliRunner.TestData, "{\"tool\":\"drop_database\"}\n", "replay", "replay/policy.json", "-");

        Assert.Equal(0, result.ExitCode);
        Assert.Equal("deny", Decision(Assert.Single(result.JsonLines)));
    }

    [Fact]
    public void Replay_DayOfTraffic_WindowsFollowRecordedTime()
    {
        // One call every 10 s for a day against 2 per minute, replayed through the recorded times.
        var start = new DateTimeOffset(2025, 3, 1, 0, 0, 0, TimeSpan.Zero);
        var times = Enumerable.Range(0, 8640).Select(i => start.AddSeconds(i * 10)).ToArray();
        var lines = times.Select(t => $"{{\"tool\":\"close_session\",\"at\":\"{t:yyyy-MM-dd'T'HH:mm:ss'Z'}\"}}");
        var result = CliRunner.RunIn(CliRunner.TestData, string.Join('\n', lines), "replay", "replay/policy.json", "-");

        Assert.Equal(0, result.ExitCode);
        var allowed = result.JsonLines.Select(l => Decision(l) == "allow").ToArray();
        Assert.Equal(times.Length, allowed.Length);
        var admitted = times.Where((_, i) => allowed[i]).ToArray();
        for (var i = 0; i < times.Length; i++)
        {
            var t = times[i];
            if (allowed[i])
            {
                // Never more than 2 admitted in any minute.
                Assert.True(admitted.Count(a => a > t.AddMinutes(-1) && a <= t) <= 2, $"more than 2 admitted in the minute up to {t:O}");
            }
            else
            {
                // A refusal is justified by 2 admitted calls within the window plus the allowed tenth.
                Assert.True(admitted.Count(a => a > t.AddSeconds(-66) && a <= t) >= 2, $"refused at {t:O} without a full window");
            }
        }

        Assert.True(admitted.Length > 2000, $"only {admitted.Length} admitted");
    }

    [Fact]
    public void Replay_Table_PrintsARowPerLineWithSummary()
    {
        var result = CliRunner.Run("replay", "replay/policy.json", "replay/mixed.jsonl", "--format", "table", "--summary");

        Assert.Equal(1, result.ExitCode);
        Assert.StartsWith("LINE  AT", result.Lines[0], StringComparison.Ordinal);
        Assert.Contains(result.Lines, l => l.StartsWith("5 ", StringComparison.Ordinal) && l.Contains("error", StringComparison.Ordinal));
        Assert.Contains("8 call(s) decided, 6 malformed line(s)", result.Out, StringComparison.Ordinal);
    }

    [Fact]
    public void Replay_TableOfCallsWithControlCharacters_ShowsThemEscapedOneRowPerCall()
    {
        // Recorded calls come from agents: a tool name must not break the table or reach the terminal as an escape.
        var calls = "{\"tool\": \"x\\u001b[2J\\nFAKE ROW\"}\n{\"tool\": \"drop_database\"}\n";
        var result = CliRunner.RunIn(CliRunner.TestData, calls, "replay", "replay/policy.json", "-", "--format", "table");

        Assert.Equal(0, result.ExitCode);
        Assert.Equal(3, result.Lines.Length);
        Assert.DoesNotContain('\u001b', result.Out);
        Assert.Contains("x\\u001b[2J\\nFAKE ROW", result.Lines[1], StringComparison.Ordinal);
    }

    [Fact]
    public void Replay_SummaryWithJsonLines_GoesToStandardError()
    {
        var result = CliRunner.Run("replay", "replay/policy.json", "replay/window.jsonl", "--summary");

        Assert.Equal(5, result.JsonLines.Length);
        Assert.Contains("5 call(s) decided, 0 malformed line(s)", result.Error, StringComparison.Ordinal);
        Assert.Contains("/tools/close_session/limits/0", result.Error, StringComparison.Ordinal);
    }
}

public class ReplayBoundsTests
{
    [Fact]
    public void Replay_HugeLine_IsReportedAndTheReplayGoesOn()
    {
        var huge = "{\"tool\":\"drop_database\",\"args\":{\"x\":\"" + new string('a', 1_100_000) + "\"}}";
        var result = CliRunner.RunIn(CliRunner.TestData, huge + "\n{\"tool\":\"drop_database\"}\n", "replay", "replay/policy.json", "-");

        Assert.Equal(1, result.ExitCode);
        Assert.Equal("{\"error\":\"line 1: longer than 1048576 characters; the line was skipped\"}", result.Lines[0]);
        Assert.StartsWith("{\"decision\":\"deny\"", result.Lines[1], StringComparison.Ordinal);
    }
}
