using Microsoft.Extensions.DependencyInjection;
using PolicyLayer.Auditing;
using PolicyLayer.Authorization;
using PolicyLayer.Policies;

namespace PolicyLayer.Tests.Production;

public class ShadowModeTests
{
    private const string ShadowExtra = "\"mode\": \"shadow\",";

    [Fact]
    public void ShadowMode_WouldDeny_LetsThroughAndRecordsWouldBeDecision()
    {
        var fixture = new ProductionFixture(ProductionFixture.Policy("""{ "refund": { "deny_if": [ { "conditions": [ { "path": "args.amount", "op": "gt", "value": 100 } ], "on_deny": "Too much." } ] } }""", ShadowExtra));

        var decision = fixture.Call("refund", """{"amount": 500}""");
        var unknown = fixture.Call("drop_database");

        Assert.Equal(DecisionOutcome.Allow, decision.Outcome);
        Assert.Equal(RuleIds.Shadow, decision.Rule);
        Assert.True(unknown.IsAllowed);
        var record = fixture.Sink.Records[0];
        Assert.Equal(DecisionOutcome.Deny, record.Outcome);
        Assert.Equal("/tools/refund/deny_if/0", record.Rule);
        Assert.Equal("Too much.", record.Message);
        Assert.False(record.Enforced);
        Assert.Equal(decision.PolicyRevision, record.PolicyRevision);
        Assert.Equal(RuleIds.DefaultDeny, fixture.Sink.Records[1].Rule);
        Assert.False(fixture.Sink.Records[1].Enforced);
    }

    [Fact]
    public void ShadowMode_HiddenTool_StaysVisibleAndCallable()
    {
        var fixture = new ProductionFixture(ProductionFixture.Policy("{}", "\"hide\": [\"secret\"], " + ShadowExtra));

        Assert.True(fixture.Authorizer.IsToolVisible("secret"));
        Assert.True(fixture.Call("secret").IsAllowed);
        Assert.Equal(RuleIds.Hidden, fixture.Sink.Last.Rule);
        Assert.Equal(DecisionOutcome.Deny, fixture.Sink.Last.Outcome);
    }

    [Fact]
    public async Task ShadowMode_FailedCallReported_GivesTheShadowBudgetBack_AsEnforcingWould()
    {
        var fixture = new ProductionFixture(ProductionFixture.Policy("""{ "t": { "limits": [ { "counter": "c", "window": "minute", "max": 1 } ] } }""", ShadowExtra));

        var failed = fixture.Call("t");
        await failed.ReportOutcomeAsync(ToolCallOutcome.Failed);
        var next = fixture.Call("t");
        await next.ReportOutcomeAsync(ToolCallOutcome.Succeeded);
        fixture.Call("t");

        Assert.Equal([DecisionOutcome.Allow, DecisionOutcome.Allow, DecisionOutcome.Deny], fixture.Sink.Records.Select(r => r.Outcome));
    }

    [Fact]
    public void ShadowMode_Limits_CountInShadowBudgetsNotInTheEnforcingStore()
    {
        var tools = """{ "t": { "limits": [ { "counter": "c", "window": "minute", "max": 2 } ] } }""";
        var fixture = new ProductionFixture(ProductionFixture.Policy(tools, ShadowExtra));

        var outcomes = Enumerable.Range(0, 3).Select(_ => fixture.Call("t")).ToArray();

        Assert.All(outcomes, d => Assert.True(d.IsAllowed));
        Assert.True(outcomes[0].HasReservation, "the shadow reservation, for the host to report on");
        Assert.False(outcomes[2].HasReservation);
        Assert.Equal([DecisionOutcome.Allow, DecisionOutcome.Allow, DecisionOutcome.Deny], fixture.Sink.Records.Select(r => r.Outcome));

        // Switching the same policy to enforce finds its real budget untouched.
        fixture.Authorizer.UpdatePolicy(Policy.Parse(ProductionFixture.Policy(tools)));
        Assert.True(fixture.Call("t").IsAllowed);
        Assert.True(fixture.Call("t").IsAllowed);
        Assert.False(fixture.Call("t").IsAllowed);
    }

    [Fact]
    public async Task ShadowMode_RequireApproval_RecordedButNoRequestCreated()
    {
        var fixture = new ProductionFixture(ProductionFixture.Policy("""{ "wire": { "action": "require_approval" } }""", ShadowExtra), approvals: true);

        var decision = fixture.Call("wire");

        Assert.True(decision.IsAllowed);
        Assert.Equal(DecisionOutcome.RequireApproval, fixture.Sink.Last.Outcome);
        Assert.Empty(await fixture.ApprovalService!.GetPendingAsync());
    }

    [Fact]
    public void CandidatePolicy_Disagrees_RecordShowsBothAndHostSeesActive()
    {
        var fixture = new ProductionFixture(ProductionFixture.Policy("""{ "t": {}, "u": {} }"""));
        var candidate = Policy.Parse(ProductionFixture.Policy("""{ "t": { "action": "deny", "reason": "Retired." }, "u": {} }"""));
        fixture.Authorizer.SetShadowPolicy(candidate);

        var t = fixture.Call("t");
        var u = fixture.Call("u");

        Assert.True(t.IsAllowed);
        Assert.Equal("/tools/t", t.Rule);
        Assert.True(u.IsAllowed);
        var disagreement = fixture.Sink.Records[0].Shadow!;
        Assert.Equal(new ShadowDecision(DecisionOutcome.Deny, "/tools/t", "Retired.", candidate.Revision, Agrees: false), disagreement);
        Assert.True(fixture.Sink.Records[1].Shadow!.Agrees);
        Assert.Equal(DecisionOutcome.Allow, fixture.Sink.Records[0].Outcome);
        Assert.True(fixture.Sink.Records[0].Enforced);
    }

    [Fact]
    public void CandidatePolicy_WithLimits_DoesNotSpendActiveBudgets()
    {
        var limited = """{ "t": { "limits": [ { "counter": "c", "window": "minute", "max": 2 } ] } }""";
        var fixture = new ProductionFixture(ProductionFixture.Policy(limited));
        fixture.Authorizer.SetShadowPolicy(Policy.Parse(ProductionFixture.Policy(limited)));

        var active = Enumerable.Range(0, 3).Select(_ => fixture.Call("t").IsAllowed).ToArray();

        // Both evaluate the same counter definition, each against its own budgets: 2 admitted each, never 1 each.
        Assert.Equal([true, true, false], active);
        Assert.Equal([true, true, true], fixture.Sink.Records.Select(r => r.Shadow!.Agrees));
        fixture.Authorizer.SetShadowPolicy(null);
        Assert.Null(fixture.Authorizer.ShadowPolicy);
        fixture.Call("t");
        Assert.Null(fixture.Sink.Last.Shadow);
    }

    [Fact]
    public async Task AddPolicyLayer_ShadowPolicyFile_EndToEnd()
    {
        var folder = Directory.CreateTempSubdirectory("policylayer-shadow").FullName;
        try
        {
            var active = Path.Combine(folder, "policy.json");
            var shadow = Path.Combine(folder, "candidate.json");
            File.WriteAllText(active, """{ "version": "1", "default": "allow" }""");
            File.WriteAllText(shadow, """{ "version": "1", "default": "allow", "tools": { "delete": { "action": "deny" } } }""");
            var sink = new CollectingSink();
            var services = new ServiceCollection();
            services.AddPolicyLayer(o =>
            {
                o.PolicyFile = active;
                o.ShadowPolicyFile = shadow;
                o.ReloadOnChange = false;
            }).AddDecisionSink(sink);
            await using var provider = services.BuildServiceProvider();
            var authorizer = provider.GetRequiredService<IToolCallAuthorizer>();

            var decision = await authorizer.AuthorizeAsync(new ToolCall("delete"));

            Assert.True(decision.IsAllowed);
            Assert.False(sink.Last.Shadow!.Agrees);
            Assert.Equal(DecisionOutcome.Deny, sink.Last.Shadow.Outcome);
        }
        finally
        {
            Directory.Delete(folder, recursive: true);
        }
    }
}
