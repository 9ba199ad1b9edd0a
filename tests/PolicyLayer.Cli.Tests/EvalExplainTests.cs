using System.Text.Json;

namespace PolicyLayer.Cli.Tests;

public sealed class EvalExplainTests : IDisposable
{
    private const string Policy = "explain/policy.json";

    // For the tests that bring a policy of their own.
    private readonly string _folder = Directory.CreateTempSubdirectory("policylayer-explain-").FullName;

    public void Dispose() => Directory.Delete(_folder, recursive: true);

    [Fact]
    public void Eval_Json_PrintsTheDecision()
    {
        var result = CliRunner.Run("eval", Policy, "--tool", "create_refund", "--args", "{\"amount\": 150}", "--caller", "{\"role\": \"support\"}", "--json");

        Assert.True(result.ExitCode == 0, result.ToString());
        Assert.Equal(["{\"decision\":\"deny\",\"rule\":\"/tools/create_refund/deny_if/0\",\"message\":\"Refund exceeds the policy limit.\",\"retry_after\":null}"], result.Lines);
    }

    [Fact]
    public void Eval_Text_NamesOutcomeRuleAndMessage()
    {
        var result = CliRunner.Run("eval", Policy, "--tool", "unknown");

        Assert.Equal(["deny by (default deny): The tool 'unknown' is not allowed by the policy."], result.Lines);
    }

    [Theory]
    [InlineData("[1]", "--args:1:1: error CLI003: --args must be a JSON object such as '{\"amount\": 5}'")]
    [InlineData("{", "--args:1:2: error CLI003: --args is not valid JSON:")]
    public void Eval_BadArguments_ExitsTwo(string args, string expected)
    {
        var result = CliRunner.Run("eval", Policy, "--tool", "create_refund", "--args", args);

        Assert.Equal(2, result.ExitCode);
        Assert.StartsWith(expected, result.Error, StringComparison.Ordinal);
    }

    [Fact]
    public void Eval_MissingTool_ExitsTwo()
    {
        Assert.Equal(2, CliRunner.Run("eval", Policy).ExitCode);
    }

    [Fact]
    public void Explain_AllowedCall_ShowsConditionsValuesAndBudgets()
    {
        var result = CliRunner.Run("explain", Policy, "--tool", "create_refund", "--args", "{\"amount\": 40, \"customer\": \"c1\"}", "--caller", "{\"role\": \"support\"}");

        Assert.True(result.ExitCode == 0, result.ToString());
        Assert.Contains("    caller.role in [\"support\", \"admin\"]: saw \"support\": holds", result.Lines);
        Assert.Contains("    args.amount gt 100: saw 40: does not hold", result.Lines);
        Assert.Contains("  /tools/create_refund/limits/0 'refund_spend' (500 per day, scope global) for everyone: costs 40, leaves 460", result.Lines);
        Assert.Contains("  /all_tools/limits/0 'all_calls' (100 per hour, scope grant) for grant anonymous: costs 1, leaves 99", result.Lines);
        Assert.Equal("decision: allow by /tools/create_refund: Allowed.", result.Lines[^1]);
    }

    [Fact]
    public void Explain_NumericString_ShowsTypeMismatchCountsAsMatching()
    {
        var result = CliRunner.Run("explain", Policy, "--tool", "create_refund", "--args", "{\"amount\": \"150\"}", "--caller", "{\"role\": \"admin\"}");

        Assert.Contains("    args.amount gt 100: saw \"150\": wrong type for the operator: counts as matching (fails closed)", result.Lines);
        Assert.Equal("decision: deny by /tools/create_refund/deny_if/0: Refund exceeds the policy limit.", result.Lines[^1]);
    }

    [Fact]
    public void Explain_MissingCaller_RequireFailsClosed()
    {
        var result = CliRunner.Run("explain", Policy, "--tool", "create_refund", "--args", "{\"amount\": 1}");

        Assert.Contains("    caller.role in [\"support\", \"admin\"]: saw (missing): missing: does not hold (fails closed)", result.Lines);
        Assert.StartsWith("decision: deny by /tools/create_refund/require/0", result.Lines[^1], StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("drop_table", "{}", "1. hidden: 'drop_table' is in 'hide' -> deny (hidden)", "decision: deny by (hidden)")]
    [InlineData("shutdown", "{}", "  -> deny: action is deny (\"Not from an agent.\")", "decision: deny by /tools/shutdown: Not from an agent.")]
    [InlineData("wire_money", "{\"amount\": 5}", "5. approval: action is require_approval -> require_approval (\"A person signs off transfers.\")", "decision: require_approval by /tools/wire_money: A person signs off transfers.")]
    [InlineData("rename", "{\"name\": 7}", "3. schema: the arguments are validated against /tools/rename/schema", "decision: deny by /tools/rename/schema")]
    [InlineData("rename", "{\"name\": \"a\"}", "6. limits: none", "decision: allow by /tools/rename: Allowed.")]
    [InlineData("spend", "{}", "    args.memo regex \"drop\": saw (missing): missing: does not match", "decision: deny by /tools/spend/limits/0: The limit 'spend' takes the call's cost from args.amount, which is missing")]
    [InlineData("spend", "{\"amount\": 50}", "  /tools/spend/limits/0 'spend' (10 per day, scope grant) for grant anonymous: costs 50, more than the 10 left: refused", "decision: deny by /tools/spend/limits/0: This call's cost (args.amount) is more than")]
    [InlineData("spend", "{\"amount\": 4}", "  /tools/spend/limits/0 'spend' (10 per day, scope grant) for grant anonymous: costs 4, leaves 6", "decision: allow by /tools/spend: Allowed.")]
    public void Explain_EachStepThatDecides_SaysWhyAndEndsWithEvalsDecision(string tool, string args, string step, string decision)
    {
        var policy = WritePolicy("""
            { "version": "1", "default": "deny", "hide": ["drop_table"],
              "tools": {
                "shutdown": { "action": "deny", "reason": "Not from an agent." },
                "wire_money": { "action": "require_approval", "reason": "A person signs off transfers." },
                "rename": { "schema": { "type": "object", "properties": { "name": { "type": "string" } } } },
                "spend": { "deny_if": [ { "conditions": [ { "path": "args.memo", "op": "regex", "value": "drop" } ] } ],
                           "limits": [ { "counter": "spend", "window": "day", "max": 10, "cost": "args.amount" } ] } } }
            """);

        var result = CliRunner.Run("explain", policy, "--tool", tool, "--args", args);
        var eval = CliRunner.Run("eval", policy, "--tool", tool, "--args", args);

        Assert.True(result.ExitCode == 0, result.ToString());
        Assert.Contains(step, result.Lines);
        Assert.StartsWith(decision, result.Lines[^1], StringComparison.Ordinal);
        Assert.Equal("decision: " + eval.Lines[0], result.Lines[^1]);
    }

    [Fact]
    public void Explain_TwoLimitsOnOneBudget_EachLineLeavesWhatTheOtherDidNot()
    {
        var policy = WritePolicy("""
            { "version": "1", "default": "deny",
              "all_tools": { "limits": [ { "counter": "calls", "window": "hour", "max": 3, "cost": 2 } ] },
              "tools": { "t": { "limits": [ { "counter": "calls", "window": "hour", "max": 3 } ] } } }
            """);

        var result = CliRunner.Run("explain", policy, "--tool", "t");

        Assert.Contains("  /tools/t/limits/0 'calls' (3 per hour, scope grant) for grant anonymous: costs 1, leaves 2", result.Lines);
        Assert.Contains("  /all_tools/limits/0 'calls' (3 per hour, scope grant) for grant anonymous: costs 2, leaves 0", result.Lines);
        Assert.Equal("decision: allow by /tools/t: Allowed.", result.Lines[^1]);
    }

    [Theory]
    [InlineData("create_refund", "{\"amount\": 40}", "{\"role\": \"support\"}")]
    [InlineData("create_refund", "{\"amount\": 400}", "{\"role\": \"support\"}")]
    [InlineData("create_refund", "{\"amount\": 40}", "{}")]
    [InlineData("other", "{}", "{}")]
    public void Explain_Decision_IsTheSameAsEval(string tool, string args, string caller)
    {
        var eval = CliRunner.Run("eval", Policy, "--tool", tool, "--args", args, "--caller", caller, "--json");
        var explain = CliRunner.Run("explain", Policy, "--tool", tool, "--args", args, "--caller", caller, "--json");

        using var document = JsonDocument.Parse(explain.Out);
        using var evaluated = JsonDocument.Parse(eval.Lines[0]);
        Assert.True(JsonElement.DeepEquals(evaluated.RootElement, document.RootElement.GetProperty("decision")), explain.Out);
        Assert.NotEmpty(document.RootElement.GetProperty("steps").EnumerateArray());
    }

    private string WritePolicy(string json)
    {
        var path = Path.Combine(_folder, "policy.json");
        File.WriteAllText(path, json);
        return path;
    }
}
