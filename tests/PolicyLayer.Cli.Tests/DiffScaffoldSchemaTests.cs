using System.Reflection;
using System.Text.Json;

namespace PolicyLayer.Cli.Tests;

public class DiffScaffoldSchemaTests
{
    [Fact]
    public void Diff_ReportsChangedCallsGroupedByRule()
    {
        var result = CliRunner.Run("diff", "diff/old.json", "diff/new.json", "diff/calls.jsonl");

        Assert.Equal(1, result.ExitCode);
        Assert.Equal(
            [
                "allow by /tools/create_refund -> deny by /tools/create_refund/deny_if/0: 2 call(s)",
                "  line 2: create_refund: Refused by policy: args.amount gt 50.",
                "  line 3: create_refund: Refused by policy: args.amount gt 50.",
                "allow by /tools/close_session -> deny by /tools/close_session/limits/0: 1 call(s)",
                "  line 6: close_session: Rate limit 'close_rate' reached (2 per minute per grant). Retry after 66 s.",
                "deny by (default deny) -> allow by /tools/list_sessions: 1 call(s)",
                "  line 7: list_sessions: Allowed.",
                "4 of 7 call(s) decided differently",
            ],
            result.Lines);
    }

    [Fact]
    public void Diff_Json_GroupsChangesByRuleWithTheirLines()
    {
        var result = CliRunner.Run("diff", "diff/old.json", "diff/new.json", "diff/calls.jsonl", "--json");

        Assert.Equal(1, result.ExitCode);
        using var report = JsonDocument.Parse(result.Out);
        var root = report.RootElement;
        Assert.Equal((7, 4), (root.GetProperty("calls").GetInt32(), root.GetProperty("changed").GetInt32()));
        Assert.Equal(
            [
                "allow /tools/create_refund -> deny /tools/create_refund/deny_if/0: 2,3",
                "allow /tools/close_session -> deny /tools/close_session/limits/0: 6",
                "deny (default deny) -> allow /tools/list_sessions: 7",
            ],
            root.GetProperty("groups").EnumerateArray().Select(g =>
                $"{g.GetProperty("from_decision")} {g.GetProperty("from_rule")} -> {g.GetProperty("to_decision")} {g.GetProperty("to_rule")}: "
                + string.Join(",", g.GetProperty("lines").EnumerateArray().Select(l => l.GetInt32()))));
        Assert.Equal(0, root.GetProperty("errors").GetArrayLength());
    }

    [Fact]
    public void Diff_MalformedLineQuotingControlCharacters_ShowsThemEscaped()
    {
        var calls = Path.Combine(Path.GetTempPath(), $"diff-{Guid.NewGuid():N}.jsonl");
        File.WriteAllText(calls, "{\"tool\": \"list_sessions\", \"x\\u001b[2J\\n\": 1}\n");
        try
        {
            var result = CliRunner.Run("diff", "diff/old.json", "diff/new.json", calls);

            Assert.Equal(1, result.ExitCode);
            Assert.DoesNotContain('\u001b', result.Out);
            Assert.Equal(2, result.Lines.Length);
            Assert.StartsWith("error: line 1: ", result.Lines[0], StringComparison.Ordinal);
            Assert.Contains("x\\u001b[2J\\n", result.Lines[0], StringComparison.Ordinal);
        }
        finally
        {
            File.Delete(calls);
        }
    }

    [Fact]
    public void Diff_SamePolicy_ExitsZero()
    {
        var result = CliRunner.Run("diff", "diff/old.json", "diff/old.json", "diff/calls.jsonl");

        Assert.Equal(0, result.ExitCode);
        Assert.Equal(["0 of 7 call(s) decided differently"], result.Lines);
    }

    [Fact]
    public void Scaffold_FollowsAnnotationsAndLoads()
    {
        var result = CliRunner.Run("scaffold", "--tools", "lint/tools.json");

        Assert.Equal(0, result.ExitCode);
        using var document = JsonDocument.Parse(result.Out);
        var tools = document.RootElement.GetProperty("tools");
        Assert.False(tools.GetProperty("read_file").TryGetProperty("action", out _));
        Assert.Equal("require_approval", tools.GetProperty("delete_file").GetProperty("action").GetString());
        Assert.Equal("require_approval", tools.GetProperty("mystery").GetProperty("action").GetString());
        Assert.Equal(30, tools.GetProperty("write_file").GetProperty("limits")[0].GetProperty("max").GetInt32());
        Assert.All(tools.EnumerateObject(), t => Assert.True(t.Value.TryGetProperty("x-note", out _)));

        var file = Path.Combine(Path.GetTempPath(), $"scaffold-{Guid.NewGuid():N}.json");
        File.WriteAllText(file, result.Out);
        try
        {
            Assert.Equal(0, CliRunner.Run("check", file).ExitCode);
        }
        finally
        {
            File.Delete(file);
        }
    }

    [Fact]
    public void Scaffold_DenyDestructive_DeniesThem()
    {
        var result = CliRunner.Run("scaffold", "--tools", "lint/tools.json", "--deny-destructive");

        using var document = JsonDocument.Parse(result.Out);
        Assert.Equal("deny", document.RootElement.GetProperty("tools").GetProperty("delete_file").GetProperty("action").GetString());
    }

    [Fact]
    public void Schema_PrintsTheShippedFile()
    {
        var result = CliRunner.Run("schema");

        Assert.Equal(0, result.ExitCode);
        Assert.Equal(File.ReadAllText(Path.Combine(CliRunner.RepoRoot, "schema", "policy.schema.json")), result.Out);
    }

    [Theory]
    [InlineData("", "DocumentFields")]
    [InlineData("/$defs/toolRules", "ToolFields")]
    [InlineData("/$defs/sharedRules", "AllToolsFields")]
    [InlineData("/$defs/conditionGroup", "GroupFields")]
    [InlineData("/$defs/condition", "ConditionFields")]
    [InlineData("/$defs/limit", "LimitFields")]
    public void Schema_FieldsAreTheLoadersFields(string pointer, string loaderField)
    {
        // Both refuse unknown fields: the schema must list exactly what the loader accepts.
        using var schema = JsonDocument.Parse(File.ReadAllText(Path.Combine(CliRunner.RepoRoot, "schema", "policy.schema.json")));
        var node = schema.RootElement;
        foreach (var segment in pointer.Split('/', StringSplitOptions.RemoveEmptyEntries))
        {
            node = node.GetProperty(segment);
        }

        Assert.False(node.GetProperty("additionalProperties").GetBoolean());
        var loader = typeof(PolicyLayer.Policies.Policy).Assembly.GetType("PolicyLayer.Policies.PolicyLoader")!;
        var fields = (string[])loader.GetField(loaderField, BindingFlags.NonPublic | BindingFlags.Static)!.GetValue(null)!;
        Assert.Equal(fields.Order(StringComparer.Ordinal), node.GetProperty("properties").EnumerateObject().Select(p => p.Name).Order(StringComparer.Ordinal));
    }

    [Fact]
    public void Schema_OperatorsAreTheLoadersOperators()
    {
        using var schema = JsonDocument.Parse(File.ReadAllText(Path.Combine(CliRunner.RepoRoot, "schema", "policy.schema.json")));
        var ops = schema.RootElement.GetProperty("$defs").GetProperty("condition").GetProperty("properties").GetProperty("op").GetProperty("enum")
            .EnumerateArray().Select(o => o.GetString()).ToArray();
        var loader = typeof(PolicyLayer.Policies.Policy).Assembly.GetType("PolicyLayer.Policies.PolicyLoader")!;
        var operators = (System.Collections.IDictionary)loader.GetField("Operators", BindingFlags.NonPublic | BindingFlags.Static)!.GetValue(null)!;
        Assert.Equal(operators.Keys.Cast<string>().Order(StringComparer.Ordinal), ops.Order(StringComparer.Ordinal));
    }
}

public class PolicySchemaValidationTests
{
    private static PolicyLayer.Schema.JsonSchema Compile()
    {
        using var document = JsonDocument.Parse(File.ReadAllText(Path.Combine(CliRunner.RepoRoot, "schema", "policy.schema.json")));
        Assert.True(PolicyLayer.Schema.JsonSchema.TryCompile(document.RootElement.Clone(), null, out var schema, out var errors), string.Join("; ", errors));
        return schema!;
    }

    private static JsonElement Parse(string json) =>
        JsonDocument.Parse(json, new JsonDocumentOptions { CommentHandling = JsonCommentHandling.Skip, AllowTrailingCommas = true }).RootElement.Clone();

    public static TheoryData<string> Policies()
    {
        var files = Directory.GetFiles(Path.Combine(CliRunner.RepoRoot, "samples", "policies"), "policy.json", SearchOption.AllDirectories)
            .Concat([Path.Combine(CliRunner.TestData, "replay", "policy.json"), Path.Combine(CliRunner.TestData, "explain", "policy.json"), Path.Combine(CliRunner.TestData, "lint", "policy.json")])
            .Select(f => Path.GetRelativePath(CliRunner.RepoRoot, f))
            .Order(StringComparer.Ordinal);
        return new TheoryData<string>(files);
    }

    [Theory]
    [MemberData(nameof(Policies))]
    public void Schema_AcceptsEveryPolicyTheLoaderAccepts(string file)
    {
        var text = File.ReadAllText(Path.Combine(CliRunner.RepoRoot, file));
        Assert.True(PolicyLayer.Policies.Policy.Load(text).Succeeded);

        var errors = Compile().Validate(Parse(text));

        Assert.True(errors.Count == 0, string.Join("; ", errors.Select(e => e.Message)));
    }

    [Theory]
    [InlineData("""{ "version": "1", "default": "deny", "tool": {} }""")]
    [InlineData("""{ "version": "1", "default": "deny", "tools": { "a": { "limitz": [] } } }""")]
    [InlineData("""{ "version": "1", "default": "deny", "tools": { "a": { "deny_if": [ { "conditions": [ { "path": "args.a", "op": "eq", "value": 1, "note": "" } ] } ] } } }""")]
    [InlineData("""{ "version": "1", "default": "deny", "all_tools": { "action": "deny" } }""")]
    [InlineData("""{ "version": "1", "default": "deny", "tools": { "a": { "limits": [ { "counter": "c", "window": "minute", "max": 1, "per": "grant" } ] } } }""")]
    [InlineData("""{ "version": "2", "default": "deny" }""")]
    [InlineData("""{ "version": "1", "default": "deny", "tools": { "a": { "require": [ { "conditions": [ { "path": "args.a", "op": "exists", "value": 1 } ] } ] } } }""")]
    [InlineData("""{ "version": "1", "default": "deny", "tools": { "a": { "require": [ { "conditions": [ { "path": "amount", "op": "eq", "value": 1 } ] } ] } } }""")]
    public void Schema_RejectsWhatTheLoaderRejects(string json)
    {
        Assert.False(PolicyLayer.Policies.Policy.Load(json).Succeeded);

        Assert.False(Compile().IsValid(Parse(json)));
    }

    [Fact]
    public void Schema_AcceptsExtensionFields()
    {
        const string json = """{ "version": "1", "default": "deny", "x-owner": "team", "tools": { "a": { "x-note": "n", "limits": [ { "counter": "c", "window": 30, "max": 1, "x-why": "" } ] } } }""";
        Assert.True(PolicyLayer.Policies.Policy.Load(json).Succeeded);

        Assert.True(Compile().IsValid(Parse(json)));
    }
}
