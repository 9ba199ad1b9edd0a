namespace PolicyLayer.Cli.Tests;

public class LintTests
{
    [Fact]
    public void Check_WithTools_PrintsEveryWarningInFileOrder()
    {
        var result = CliRunner.Run("check", "lint/policy.json", "--tools", "lint/tools.json");

        Assert.True(result.ExitCode == 0, result.ToString());
        Assert.Equal(
            [
                "lint/policy.json:7:86: warning PLW005: no valid call can satisfy args.currency eq \"gbp\": the schema's enum is [\"usd\", \"eur\"], so this require refuses every call (at /tools/create_refund/require/0/conditions/0/value)",
                "lint/policy.json:10:37: warning PLW002: the tool's schema does not require args.note, and a missing value never matches deny_if, so a call without it is not refused (fail open); require it in the schema or add a require group (at /tools/create_refund/deny_if/1/conditions/0/path)",
                "lint/policy.json:11:37: warning PLW003: the tool's schema does not declare args.ammount; check the name (a condition on an argument that is never sent never matches) (at /tools/create_refund/deny_if/2/conditions/0/path)",
                "lint/policy.json:14:33: warning PLW004: this deny_if group has no conditions, so it denies every call and the rules after it are never reached; use action deny if that is meant (at /tools/read_file/deny_if/0)",
                "lint/policy.json:15:5: warning PLW004: 'delete_file' is hidden, so it is always denied and these rules are never reached; remove them or unhide the tool (at /tools/delete_file)",
                "lint/policy.json:16:21: warning PLW004: 'write_file' has action deny, so its schema, require, deny_if and limits are never evaluated (at /tools/write_file/action)",
                "lint/policy.json:17:5: warning PLW001: the server has no tool 'renamed_tool', so this rule never applies; check the name against tools/list (at /tools/renamed_tool)",
            ],
            result.Lines[..^1]);
        Assert.EndsWith("7 warning(s))", result.Lines[^1], StringComparison.Ordinal);
    }

    [Fact]
    public void Check_Strict_FailsOnWarnings()
    {
        Assert.Equal(1, CliRunner.Run("check", "lint/policy.json", "--tools", "lint/tools.json", "--strict").ExitCode);
    }

    [Fact]
    public void Check_StrictWithoutWarnings_Passes()
    {
        Assert.Equal(0, CliRunner.Run("check", "check/valid.json", "--strict").ExitCode);
    }

    [Fact]
    public void Check_RequiredDenyIfPath_IsNotAWarning()
    {
        var result = CliRunner.Run("check", "lint/policy.json", "--tools", "lint/tools.json", "--json");

        using var document = System.Text.Json.JsonDocument.Parse(result.Out);
        var pointers = document.RootElement.GetProperty("warnings").EnumerateArray().Select(w => w.GetProperty("pointer").GetString()).ToArray();
        Assert.DoesNotContain("/tools/create_refund/deny_if/0/conditions/0/path", pointers);
        Assert.Equal(7, pointers.Length);
    }

    [Fact]
    public void Check_CounterInToolAndAllToolsLimits_WarnsThatEachListingCharges()
    {
        var result = CliRunner.Run("check", "lint/repeated-counter.json");

        Assert.True(result.ExitCode == 0, result.ToString());
        Assert.Equal(
            "lint/repeated-counter.json:6:33: warning PLW006: counter 'writes' is listed 2 times for 'write_file' (/tools/write_file/limits/0, /all_tools/limits/0), and each listing charges the call; at 2 a call, more than its max 1, 'write_file' can never succeed; list it once, or use different counters (at /tools/write_file/limits/0)",
            Assert.Single(result.Lines, l => l.Contains("PLW006", StringComparison.Ordinal)));
    }

    [Fact]
    public void Check_BadToolsFile_ExitsTwo()
    {
        var result = CliRunner.Run("check", "check/valid.json", "--tools", "check/valid.json");

        Assert.Equal(2, result.ExitCode);
        Assert.StartsWith("check/valid.json:1:1: error CLI002: expected a tools/list result", result.Error, StringComparison.Ordinal);
    }

    [Fact]
    public void Scaffold_ToolsFileNamingAToolTwice_ExitsTwo()
    {
        var result = CliRunner.Run("scaffold", "--tools", "lint/tools-repeated.json");

        Assert.Equal(2, result.ExitCode);
        Assert.Equal("", result.Out);
        Assert.Equal(
            "lint/tools-repeated.json:1:1: error CLI002: the tool 'a' is listed twice (/tools/0 and /tools/2); a server's tools have distinct names (at /tools/2/name)",
            Assert.Single(result.ErrorLines));
    }

    [Fact]
    public void Check_ToolsFileWithLoneSurrogate_ReportsWhereAndExitsTwo()
    {
        var result = CliRunner.Run("check", "check/valid.json", "--tools", "lint/tools-lone-surrogate.json");

        Assert.Equal(2, result.ExitCode);
        var error = Assert.Single(result.ErrorLines);
        Assert.StartsWith("lint/tools-lone-surrogate.json:3:15: error CLI002: this string contains an escaped lone surrogate", error, StringComparison.Ordinal);
        Assert.EndsWith("(at /tools/0/name)", error, StringComparison.Ordinal);
    }
}

public class LintOwnSchemaTests
{
    [Fact]
    public void Check_DenyIfWithoutSchema_WarnsUnlessARuleHandlesTheMissingValue()
    {
        var result = CliRunner.Run("check", "lint/no-schema.json");

        // open_pr: nothing makes args.base present, so a call without it is not refused. push (a require) and merge (a
        // not_exists group) handle the missing value; all_tools conditions address arguments only some tools have.
        Assert.True(result.ExitCode == 0, result.ToString());
        Assert.Equal(
            "lint/no-schema.json:7:48: warning PLW002: no schema requires args.base, and a missing value never matches deny_if, so a call without it is not refused (fail open); add a schema that requires it or a require group (at /tools/open_pr/deny_if/0/conditions/0/path)",
            Assert.Single(result.Lines[..^1]));
    }

    [Fact]
    public void Check_PolicySchema_WarnsOnlyForTheOptionalDenyIfPath()
    {
        var result = CliRunner.Run("check", "lint/own-schema.json");

        Assert.True(result.ExitCode == 0, result.ToString());
        Assert.Equal(
            "lint/own-schema.json:9:37: warning PLW002: the tool's schema does not require args.cc, and a missing value never matches deny_if, so a call without it is not refused (fail open); require it in the schema or add a require group (at /tools/send/deny_if/1/conditions/0/path)",
            Assert.Single(result.Lines[..^1]));
    }
}
