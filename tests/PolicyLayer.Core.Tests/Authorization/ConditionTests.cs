using System.Text.Json;
using PolicyLayer.Authorization;

namespace PolicyLayer.Tests.Authorization;

/// <summary>
/// Every operator under both rule kinds. A require group refuses unless the condition holds; a deny_if group
/// refuses when it holds or the value has the wrong type, but not when the value is missing.
/// </summary>
public class ConditionTests
{
    private static AuthorizerFixture For(string kind, string path, string op, string? value)
    {
        var valuePart = value is null ? string.Empty : $", \"value\": {value}";
        return new AuthorizerFixture($$"""
            { "version": "1", "default": "allow", "tools": { "t": {
                "{{kind}}": [ { "conditions": [ { "path": "{{path}}", "op": "{{op}}"{{valuePart}} } ] } ] } } }
            """);
    }

    // (op, value, args, holds?) — null holds means the value is missing; "mismatch" means a wrong type.
    public static TheoryData<string, string?, string, string> Cases => new()
    {
        { "eq", "1", """{"a": 1.0}""", "holds" },
        { "eq", "1", """{"a": 1e0}""", "holds" },
        { "eq", "\"x\"", """{"a": "x"}""", "holds" },
        { "eq", "\"1\"", """{"a": 1}""", "no" },
        { "eq", "[1, {\"b\": 2}]", """{"a": [1.0, {"b": 2}]}""", "holds" },
        { "eq", "{\"b\": 1, \"c\": 2}", """{"a": {"c": 2, "b": 1}}""", "holds" },
        { "eq", "123456789012345678901234567890", """{"a": 123456789012345678901234567891}""", "no" },
        { "eq", "null", """{"a": null}""", "holds" },
        { "eq", "1", """{}""", "missing" },
        { "neq", "1", """{"a": 2}""", "holds" },
        { "neq", "1", """{"a": 1}""", "no" },
        { "neq", "1", """{}""", "missing" },
        { "in", "[\"a\", \"b\"]", """{"a": "b"}""", "holds" },
        { "in", "[1, 2]", """{"a": 2.0}""", "holds" },
        { "in", "[\"a\", \"b\"]", """{"a": "c"}""", "no" },
        { "in", "[\"a\"]", """{}""", "missing" },
        { "not_in", "[\"a\", \"b\"]", """{"a": "c"}""", "holds" },
        { "not_in", "[\"a\", \"b\"]", """{"a": "a"}""", "no" },
        { "not_in", "[\"a\"]", """{}""", "missing" },
        { "lt", "100", """{"a": 99.999}""", "holds" },
        { "lt", "100", """{"a": 100}""", "no" },
        { "lte", "100", """{"a": 100.0}""", "holds" },
        { "lte", "100", """{"a": 100.0000000000000000000001}""", "no" },
        { "gt", "100", """{"a": 100.0000000000000000000001}""", "holds" },
        { "gt", "9007199254740992", """{"a": 9007199254740993}""", "holds" },
        { "gt", "100", """{"a": 100}""", "no" },
        { "gt", "100", """{"a": "150"}""", "mismatch" },
        { "gt", "100", """{"a": null}""", "mismatch" },
        { "gt", "100", """{}""", "missing" },
        { "gte", "-5", """{"a": -5}""", "holds" },
        { "gte", "-5", """{"a": -6}""", "no" },
        { "regex", "\"^prod-\"", """{"a": "prod-db"}""", "holds" },
        { "regex", "\"db\"", """{"a": "the-db-1"}""", "holds" },
        { "regex", "\"^prod-\"", """{"a": "dev-db"}""", "no" },
        { "regex", "\"\\\\d+\"", """{"a": "caf\u00e9 42"}""", "holds" },
        { "regex", "\"^x\"", """{"a": 5}""", "mismatch" },
        { "regex", "\"^x\"", """{}""", "missing" },
        // ECMA-262, as schema patterns: $ only at the very end, \d and \w ASCII, . stops at line terminators.
        { "regex", "\"^feature/[a-z0-9-]+$\"", """{"a": "feature/x\n"}""", "no" },
        { "regex", "\"^feature/[a-z0-9-]+$\"", """{"a": "feature/x"}""", "holds" },
        { "regex", "\"^\\\\d+$\"", """{"a": "\u0661\u0662\u0663"}""", "no" },
        { "regex", "\"^[^\\\\W_]+$\"", """{"a": "\u00e9"}""", "no" },
        { "regex", "\"^a.b$\"", """{"a": "a\nb"}""", "no" },
        { "regex", "\"(?i)^drop table\"", """{"a": "DROP TABLE users"}""", "holds" },
        { "regex", "\"\\\\bdrop\\\\b\"", """{"a": "please drop it"}""", "holds" },
        { "regex", "\"\\\\bdrop\\\\b\"", """{"a": "dropped"}""", "no" },
        { "contains", "\"DROP\"", """{"a": "please DROP TABLE"}""", "holds" },
        { "contains", "\"DROP\"", """{"a": "select"}""", "no" },
        { "contains", "\"x\\\"y\"", """{"a": "ax\"yb"}""", "holds" },
        { "contains", "2", """{"a": [1, 2.0, 3]}""", "holds" },
        { "contains", "{\"k\": 1}", """{"a": [{"k": 1}]}""", "holds" },
        { "contains", "4", """{"a": [1, 2]}""", "no" },
        { "contains", "4", """{"a": "1234"}""", "mismatch" },
        { "contains", "\"x\"", """{"a": 5}""", "mismatch" },
        { "contains", "\"x\"", """{}""", "missing" },
    };

    [Theory]
    [MemberData(nameof(Cases))]
    public void Require_HoldsOnlyWhenConditionHolds(string op, string? value, string args, string outcome)
    {
        var decision = For("require", "args.a", op, value).Call("t", args);
        Assert.Equal(outcome == "holds", decision.IsAllowed);
        if (!decision.IsAllowed)
        {
            Assert.Equal("/tools/t/require/0", decision.Rule);
        }
    }

    [Theory]
    [MemberData(nameof(Cases))]
    public void DenyIf_RefusesWhenConditionHoldsOrTypeIsWrong_NotWhenMissing(string op, string? value, string args, string outcome)
    {
        var decision = For("deny_if", "args.a", op, value).Call("t", args);
        Assert.Equal(outcome is "holds" or "mismatch", !decision.IsAllowed);
    }

    [Theory]
    [InlineData("exists", """{"a": 0}""", true)]
    [InlineData("exists", """{"a": false}""", true)]
    [InlineData("exists", """{"a": null}""", false)]
    [InlineData("exists", """{}""", false)]
    [InlineData("not_exists", """{}""", true)]
    [InlineData("not_exists", """{"a": null}""", true)]
    [InlineData("not_exists", """{"a": ""}""", false)]
    public void ExistsOperators_TreatNullAsAbsent(string op, string args, bool holds)
    {
        Assert.Equal(holds, For("require", "args.a", op, null).Call("t", args).IsAllowed);
        Assert.Equal(holds, !For("deny_if", "args.a", op, null).Call("t", args).IsAllowed);
    }

    [Theory]
    [InlineData("args.items.0.sku", """{"items": [{"sku": "A1"}]}""", true)]
    [InlineData("args.items.1.sku", """{"items": [{"sku": "A1"}]}""", false)]
    [InlineData("args.items.-1.sku", """{"items": [{"sku": "A1"}]}""", false)]
    [InlineData("args.map.0", """{"map": {"0": "A1"}}""", true)]
    [InlineData("args.a.b.c", """{"a": {"b": {"c": "A1"}}}""", true)]
    [InlineData("args.a.b.c", """{"a": {"b": "A1"}}""", false)]
    public void Paths_IndexArraysAndObjects(string path, string args, bool found)
    {
        var f = For("require", path, "eq", "\"A1\"");
        Assert.Equal(found, f.Call("t", args).IsAllowed);
    }

    [Fact]
    public void Paths_CallerToolGrantSession()
    {
        var f = new AuthorizerFixture("""
            { "version": "1", "default": "allow", "all_tools": { "require": [ { "conditions": [
                { "path": "caller.roles", "op": "contains", "value": "admin" },
                { "path": "caller.org.tier", "op": "in", "value": ["gold", "platinum"] },
                { "path": "tool", "op": "regex", "value": "^admin_" },
                { "path": "grant", "op": "eq", "value": "ops-key" },
                { "path": "session", "op": "exists" } ] } ] } }
            """);
        const string caller = """{"roles": ["user", "admin"], "org": {"tier": "gold"}}""";
        Assert.True(f.Call("admin_reset", grant: "ops-key", session: "s1", caller: caller).IsAllowed);
        Assert.False(f.Call("reset", grant: "ops-key", session: "s1", caller: caller).IsAllowed);
        Assert.False(f.Call("admin_reset", grant: "other", session: "s1", caller: caller).IsAllowed);
        Assert.False(f.Call("admin_reset", grant: "ops-key", session: null, caller: caller).IsAllowed);
        Assert.False(f.Call("admin_reset", grant: "ops-key", session: "s1", caller: """{"roles": ["user"], "org": {"tier": "gold"}}""").IsAllowed);
        Assert.False(f.Call("admin_reset", grant: "ops-key", session: "s1").IsAllowed);
    }

    [Fact]
    public async Task Paths_CallerAlone_MissingWhenTheHostSuppliesNoAttributes()
    {
        var f = new AuthorizerFixture("""
            { "version": "1", "default": "allow", "all_tools": { "deny_if": [
                { "conditions": [ { "path": "caller", "op": "not_exists" } ], "on_deny": "Anonymous callers are refused." } ] } }
            """);

        var anonymous = f.Call("t");
        Assert.False(anonymous.IsAllowed);
        Assert.Equal("Anonymous callers are refused.", anonymous.Message);
        Assert.True(f.Call("t", caller: """{"sub": "u1"}""").IsAllowed);
        // Attributes supplied, even none of them, are a caller: an empty object or dictionary is present.
        Assert.True(f.Call("t", caller: "{}").IsAllowed);
        var empty = await f.Authorizer.AuthorizeAsync(new ToolCall("t", caller: new JsonProperties(new Dictionary<string, JsonElement>())));
        Assert.True(empty.IsAllowed);
    }

    [Fact]
    public async Task Paths_WholeArgs_PresentEvenWithoutArguments()
    {
        var f = For("require", "args", "exists", null);
        var decision = await f.Authorizer.AuthorizeAsync(new ToolCall("t"));
        Assert.True(decision.IsAllowed);
    }

    [Fact]
    public void Paths_WholeArgs_ComparesTheObject()
    {
        var f = For("deny_if", "args", "eq", "{}");
        Assert.False(f.Call("t", "{}").IsAllowed);
        Assert.True(f.Call("t", """{"a": 1}""").IsAllowed);
    }

    [Fact]
    public async Task Conditions_DictionaryArguments_SameAsElementArguments()
    {
        var f = For("deny_if", "args.amount", "gt", "100");
        using var doc = JsonDocument.Parse("""{"amount": 150, "note": "x"}""");
        var dictionary = new Dictionary<string, JsonElement> { ["amount"] = doc.RootElement.GetProperty("amount") };
        var decision = await f.Authorizer.AuthorizeAsync(new ToolCall("t", dictionary));
        Assert.False(decision.IsAllowed);
        Assert.True((await f.Authorizer.AuthorizeAsync(new ToolCall("t", new Dictionary<string, JsonElement>()))).IsAllowed);
    }

    [Fact]
    public void DenyIf_AllConditionsOfAGroupMustMatch_AnyGroupDenies()
    {
        var f = new AuthorizerFixture("""
            { "version": "1", "default": "allow", "tools": { "t": { "deny_if": [
                { "conditions": [ { "path": "args.env", "op": "eq", "value": "prod" }, { "path": "args.force", "op": "eq", "value": true } ], "on_deny": "forced prod" },
                { "conditions": [ { "path": "args.table", "op": "in", "value": ["users"] } ], "on_deny": "users table" } ] } } }
            """);
        Assert.True(f.Call("t", """{"env": "prod"}""").IsAllowed);
        Assert.Equal("forced prod", f.Call("t", """{"env": "prod", "force": true}""").Message);
        Assert.Equal("/tools/t/deny_if/1", f.Call("t", """{"table": "users"}""").Rule);
    }

    [Fact]
    public void Messages_WithoutOnDeny_DescribeTheCondition()
    {
        var requireMissing = For("require", "args.reason", "exists", null).Call("t", "{}");
        Assert.Contains("args.reason", requireMissing.Message, StringComparison.Ordinal);
        var deny = For("deny_if", "args.amount", "gt", "100").Call("t", """{"amount": 150}""");
        Assert.Equal("Refused by policy: args.amount gt 100.", deny.Message);
    }

    [Fact]
    public void Regex_HostilePatternAndInput_RunsInLinearTime()
    {
        // (a+)+$ backtracks exponentially on "aaaa...!"; linear-time matching makes it an ordinary refusal check.
        var f = For("deny_if", "args.a", "regex", "\"(a+)+$\"");
        var decision = f.Call("t", $$"""{"a": "{{new string('a', 50_000)}}!"}""");
        Assert.True(decision.IsAllowed);
    }
}

public class NumberComparisonTests
{
    [Theory]
    [InlineData("100", "100.0", 0)]
    [InlineData("100", "99.99999999999999999", -1)]
    [InlineData("100", "100.00000000000000001", 1)]
    [InlineData("0.1", "1e-1", 0)]
    [InlineData("1e2", "100", 0)]
    [InlineData("-5", "-5.000000000000000000000000000000001", -1)]
    [InlineData("1", "1e-40", -1)]
    [InlineData("12345678901234567890", "12345678901234567891", 1)]
    [InlineData("1", "123456789012345678901234567890123", 1)]
    public void Compare_FastAndExactPathsAgree(string constant, string number, int expected)
    {
        using var c = System.Text.Json.JsonDocument.Parse(constant);
        using var n = System.Text.Json.JsonDocument.Parse(number);
        PolicyLayer.Json.ShortDecimal? shortConstant = PolicyLayer.Json.JsonNumbers.TryGetShort(c.RootElement, out var fast) ? fast : null;
        Assert.Equal(expected, Math.Sign(PolicyLayer.Json.JsonNumbers.Compare(n.RootElement, c.RootElement, shortConstant)));
        Assert.Equal(expected, Math.Sign(PolicyLayer.Json.JsonValues.CompareNumbers(n.RootElement, c.RootElement)));
    }
}
