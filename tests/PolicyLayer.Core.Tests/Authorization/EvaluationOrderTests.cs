using System.Text.Json;
using PolicyLayer.Authorization;
using PolicyLayer.Counters;
using PolicyLayer.Policies;

namespace PolicyLayer.Tests.Authorization;

public class EvaluationOrderTests
{
    [Fact]
    public async Task Authorize_NoPolicy_DeniesEverything()
    {
        var authorizer = new PolicyAuthorizer(null, new InMemoryCounterStore());
        var decision = await authorizer.AuthorizeAsync(new ToolCall("anything"));
        Assert.Equal(DecisionOutcome.Deny, decision.Outcome);
        Assert.Equal(RuleIds.NoPolicy, decision.Rule);
        Assert.False(authorizer.IsToolVisible("anything"));
    }

    [Fact]
    public void Authorize_HiddenTool_DeniedLikeAnUnknownTool()
    {
        var f = new AuthorizerFixture("""{ "version": "1", "default": "allow", "hide": ["secret"], "tools": { "secret": {} } }""");
        var hidden = f.Call("secret");
        Assert.Equal(DecisionOutcome.Deny, hidden.Outcome);
        Assert.Equal(RuleIds.Hidden, hidden.Rule);
        Assert.Equal("Unknown tool: 'secret'.", hidden.Message);
        Assert.False(f.Authorizer.IsToolVisible("secret"));
        Assert.True(f.Authorizer.IsToolVisible("other"));
    }

    [Fact]
    public void Authorize_HiddenToolUnderDefaultDeny_AnsweredAsANameThatIsNoTool()
    {
        var f = new AuthorizerFixture("""{ "version": "1", "default": "deny", "hide": ["secret"], "tools": { "secret": {}, "open": {} } }""");

        var hidden = f.Call("secret");
        var noSuchTool = f.Call("no_such_tool");

        Assert.Equal(RuleIds.Hidden, hidden.Rule);
        Assert.Equal(noSuchTool.Outcome, hidden.Outcome);
        Assert.Equal(noSuchTool.Message.Replace("no_such_tool", "secret", StringComparison.Ordinal), hidden.Message);
    }

    [Fact]
    public void Authorize_UnlistedTool_FollowsDefault()
    {
        var deny = new AuthorizerFixture("""{ "version": "1", "default": "deny", "tools": { "listed": {} } }""");
        Assert.Equal(RuleIds.DefaultDeny, deny.Call("unlisted").Rule);
        Assert.True(deny.Call("listed").IsAllowed);
        Assert.Equal("/tools/listed", deny.Call("listed").Rule);

        var allow = new AuthorizerFixture("""{ "version": "1", "default": "allow" }""");
        var decision = allow.Call("unlisted");
        Assert.True(decision.IsAllowed);
        Assert.Equal(RuleIds.DefaultAllow, decision.Rule);
        Assert.Equal(allow.Authorizer.Policy!.Revision, decision.PolicyRevision);
    }

    [Fact]
    public void Authorize_ActionDeny_UsesReason()
    {
        var f = new AuthorizerFixture("""{ "version": "1", "default": "allow", "tools": { "drop_database": { "action": "deny", "reason": "Never from an agent." } } }""");
        var decision = f.Call("drop_database");
        Assert.Equal(DecisionOutcome.Deny, decision.Outcome);
        Assert.Equal("/tools/drop_database", decision.Rule);
        Assert.Equal("Never from an agent.", decision.Message);
    }

    [Fact]
    public void Authorize_HiddenBeatsActionAndDefault()
    {
        var f = new AuthorizerFixture("""{ "version": "1", "default": "deny", "hide": ["*"], "tools": { "t": { "action": "deny", "reason": "r" } } }""");
        Assert.Equal(RuleIds.Hidden, f.Call("t").Rule);
    }

    [Fact]
    public void Authorize_RequireApproval_AfterConditionsBeforeLimits()
    {
        var f = new AuthorizerFixture("""
            { "version": "1", "default": "deny", "tools": { "pay": {
                "action": "require_approval", "reason": "A person approves payments.",
                "deny_if": [ { "conditions": [ { "path": "args.amount", "op": "gt", "value": 1000 } ], "on_deny": "Too much." } ],
                "limits": [ { "counter": "pay", "window": "minute", "max": 1 } ] } } }
            """);
        Assert.Equal("Too much.", f.Call("pay", """{"amount": 5000}""").Message);
        var pending = f.Call("pay", """{"amount": 10}""");
        Assert.Equal(DecisionOutcome.RequireApproval, pending.Outcome);
        Assert.Equal("A person approves payments.", pending.Message);
        Assert.Equal("/tools/pay", pending.Rule);
        // Pending approval reserved nothing: the budget of 1 is intact for a second pending call too.
        Assert.Equal(DecisionOutcome.RequireApproval, f.Call("pay", """{"amount": 10}""").Outcome);
    }

    [Fact]
    public void Authorize_ToolRulesBeforeAllToolsRules_RequireBeforeDenyIf()
    {
        var f = new AuthorizerFixture("""
            { "version": "1", "default": "allow",
              "all_tools": {
                "require": [ { "conditions": [ { "path": "caller.tenant", "op": "exists" } ], "on_deny": "all_tools require" } ],
                "deny_if": [ { "conditions": [ { "path": "args.x", "op": "eq", "value": 1 } ], "on_deny": "all_tools deny_if" } ] },
              "tools": { "t": {
                "require": [ { "conditions": [ { "path": "args.ok", "op": "eq", "value": true } ], "on_deny": "tool require" } ],
                "deny_if": [ { "conditions": [ { "path": "args.x", "op": "eq", "value": 1 } ], "on_deny": "tool deny_if" } ] } } }
            """);
        Assert.Equal("tool require", f.Call("t", """{"x": 1}""").Message);
        Assert.Equal("tool deny_if", f.Call("t", """{"x": 1, "ok": true}""").Message);
        Assert.Equal("all_tools require", f.Call("t", """{"x": 2, "ok": true}""").Message);
        Assert.Equal("tool deny_if", f.Call("t", """{"x": 1, "ok": true}""", caller: """{"tenant": "a"}""").Message);
        Assert.Equal("all_tools deny_if", f.Call("other", """{"x": 1}""", caller: """{"tenant": "a"}""").Message);
        Assert.Equal("/all_tools/deny_if/0", f.Call("other", """{"x": 1}""", caller: """{"tenant": "a"}""").Rule);
        Assert.True(f.Call("t", """{"x": 2, "ok": true}""", caller: """{"tenant": "a"}""").IsAllowed);
    }

    [Fact]
    public void Authorize_ConditionsBeforeLimits_RefusedCallReservesNothing()
    {
        var f = new AuthorizerFixture("""
            { "version": "1", "default": "deny", "tools": { "t": {
                "deny_if": [ { "conditions": [ { "path": "args.bad", "op": "eq", "value": true } ] } ],
                "limits": [ { "counter": "c", "window": "minute", "max": 1 } ] } } }
            """);
        Assert.Equal(DecisionOutcome.Deny, f.Call("t", """{"bad": true}""").Outcome);
        Assert.True(f.Call("t", """{"bad": false}""").IsAllowed);
        Assert.Equal("/tools/t/limits/0", f.Call("t", """{"bad": false}""").Rule);
    }

    [Fact]
    public void UpdatePolicy_NextDecisionUsesNewRevision()
    {
        var f = new AuthorizerFixture("""{ "version": "1", "default": "allow" }""");
        var before = f.Call("t");
        f.Authorizer.UpdatePolicy(Policy.Parse("""{ "version": "1", "default": "deny" }"""));
        var after = f.Call("t");
        Assert.True(before.IsAllowed);
        Assert.False(after.IsAllowed);
        Assert.NotEqual(before.PolicyRevision, after.PolicyRevision);
    }

    [Fact]
    public void Authorize_ArgumentsOverSizeBound_DeniedWithClearMessage()
    {
        var f = new AuthorizerFixture(
            """{ "version": "1", "default": "deny", "tools": { "t": { "deny_if": [ { "conditions": [ { "path": "args.a", "op": "eq", "value": 1 } ] } ] } } }""",
            new PolicyAuthorizerOptions { MaxArgumentBytes = 100 });
        var decision = f.Call("t", $$"""{"a": "{{new string('x', 200)}}"}""");
        Assert.Equal(DecisionOutcome.Deny, decision.Outcome);
        Assert.Equal(RuleIds.Error, decision.Rule);
        Assert.Contains("more than the 100 bytes allowed", decision.Message, StringComparison.Ordinal);
        Assert.True(f.Call("t", """{"a": 2}""").IsAllowed);
    }

    [Theory]
    [InlineData('x', true)]
    [InlineData('\u00e9', false)]
    public async Task Authorize_DictionaryArguments_NamesCountedInUtf8Bytes(char letter, bool allowed)
    {
        // 2 braces + 4 for quotes, colon and comma + the value "1" + the name: 60 bytes of 'x', 120 of 'é'.
        var f = new AuthorizerFixture(
            """{ "version": "1", "default": "deny", "tools": { "t": { "deny_if": [ { "conditions": [ { "path": "args.a", "op": "eq", "value": 1 } ] } ] } } }""",
            new PolicyAuthorizerOptions { MaxArgumentBytes = 100 });
        var arguments = new Dictionary<string, JsonElement> { [new string(letter, 60)] = JsonDocument.Parse("1").RootElement };

        var decision = await f.Authorizer.AuthorizeAsync(new ToolCall("t", arguments));

        Assert.Equal(allowed, decision.IsAllowed);
        if (!allowed)
        {
            // The exact size, not the bound checked first (three bytes for every character of a name: 187).
            Assert.Contains("The arguments are 127 bytes of JSON", decision.Message, StringComparison.Ordinal);
        }
    }

    [Fact]
    public void Authorize_NullToolName_IsACallerBug()
    {
        var authorizer = new PolicyAuthorizer(null, new InMemoryCounterStore());
        Assert.Throws<ArgumentException>(() => authorizer.AuthorizeAsync(default(ToolCall)));
    }
}
