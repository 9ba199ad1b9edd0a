using System.Text.Json;
using PolicyLayer.Authorization;
using PolicyLayer.Counters;
using PolicyLayer.Policies;

namespace PolicyLayer.Tests.Authorization;

public class LimitTests
{
    private static AuthorizerFixture CloseSessionPolicy() => new("""
        { "version": "1", "default": "deny", "tools": {
            "close_session": { "limits": [ { "counter": "close_session_rate", "window": "minute", "max": 30, "scope": "grant" } ] } } }
        """);

    [Fact]
    public void Limit_ThirtyFirstCallInAMinute_RefusedWithRetryAfter_OtherGrantUnaffected()
    {
        var f = CloseSessionPolicy();
        for (var i = 0; i < 30; i++)
        {
            Assert.True(f.Call("close_session", grant: "g1").IsAllowed, $"call {i + 1}");
            f.Time.Advance(TimeSpan.FromSeconds(1));
        }

        var refused = f.Call("close_session", grant: "g1");
        Assert.Equal(DecisionOutcome.Deny, refused.Outcome);
        Assert.Equal("/tools/close_session/limits/0", refused.Rule);
        Assert.NotNull(refused.RetryAfter);
        Assert.InRange(refused.RetryAfter!.Value, TimeSpan.FromSeconds(1), TimeSpan.FromSeconds(36));
        Assert.Contains("Retry after", refused.Message, StringComparison.Ordinal);
        Assert.Contains("close_session_rate", refused.Message, StringComparison.Ordinal);
        Assert.True(f.Call("close_session", grant: "g2").IsAllowed);

        f.Time.Advance(refused.RetryAfter.Value);
        Assert.True(f.Call("close_session", grant: "g1").IsAllowed);
    }

    [Fact]
    public void Limit_SlidingWindow_NoDoubleBurstAtMinuteBoundary()
    {
        var f = CloseSessionPolicy();
        f.Time.Advance(TimeSpan.FromSeconds(55)); // 12:00:55
        for (var i = 0; i < 30; i++)
        {
            Assert.True(f.Call("close_session", grant: "g").IsAllowed);
        }

        f.Time.Advance(TimeSpan.FromSeconds(10)); // 12:01:05: a calendar minute would have reset here
        Assert.False(f.Call("close_session", grant: "g").IsAllowed);
        f.Time.Advance(TimeSpan.FromSeconds(56)); // more than a minute and a tenth after the burst
        Assert.True(f.Call("close_session", grant: "g").IsAllowed);
    }

    [Fact]
    public async Task Limit_SevenLimitsOnOneCall_ReservedTogetherAndAllGivenBackOnFailure()
    {
        // More limits than a reservation holds before it grows, each allowing one call: the call after a failed one
        // is admitted only if every budget got its cost back, and the one after that is refused.
        var limits = string.Join(", ", Enumerable.Range(1, 5).Select(i => $$"""{ "counter": "t{{i}}", "window": "hour", "max": 1 }"""));
        var f = new AuthorizerFixture($$"""
            { "version": "1", "default": "deny",
              "all_tools": { "limits": [ { "counter": "a1", "window": "hour", "max": 1 }, { "counter": "a2", "window": "day", "max": 1, "scope": "global" } ] },
              "tools": { "t": { "limits": [ {{limits}} ] } } }
            """);

        var first = f.Call("t", grant: "g");
        await first.ReportOutcomeAsync(ToolCallOutcome.Failed);
        var afterRefund = f.Call("t", grant: "g");
        var third = f.Call("t", grant: "g");

        Assert.True(first.IsAllowed);
        Assert.True(afterRefund.IsAllowed, afterRefund.Message);
        Assert.False(third.IsAllowed);
        Assert.Equal("/all_tools/limits/1", third.Rule); // every budget is full: the refusal names the one that frees up last (a day)
    }

    [Fact]
    public void Limit_NoGrant_CountsAgainstAnonymous()
    {
        var f = new AuthorizerFixture("""{ "version": "1", "default": "deny", "tools": { "t": { "limits": [ { "counter": "c", "window": "hour", "max": 1 } ] } } }""");
        Assert.True(f.Call("t").IsAllowed);
        Assert.False(f.Call("t").IsAllowed);
        Assert.False(f.Call("t", grant: "anonymous").IsAllowed);
        Assert.True(f.Call("t", grant: "named").IsAllowed);
    }

    [Theory]
    [InlineData("session")]
    [InlineData("global")]
    public void Limit_Scopes(string scope)
    {
        var f = new AuthorizerFixture($$"""{ "version": "1", "default": "deny", "tools": { "t": { "limits": [ { "counter": "c", "window": "hour", "max": 1, "scope": "{{scope}}" } ] } } }""");
        Assert.True(f.Call("t", grant: "g1", session: "s1").IsAllowed);
        // Another grant in the same session: refused for both scopes.
        Assert.False(f.Call("t", grant: "g2", session: "s1").IsAllowed);
        // Another session: a new budget only for the session scope.
        Assert.Equal(scope == "session", f.Call("t", grant: "g1", session: "s2").IsAllowed);
        Assert.Equal(scope == "session", f.Call("t", grant: "g1", session: null).IsAllowed);
    }

    [Fact]
    public void Limit_Key_PartitionsBudgetPerValue_MissingKeyDenies()
    {
        var f = new AuthorizerFixture("""
            { "version": "1", "default": "deny", "tools": { "refund": { "limits": [
                { "counter": "per_customer", "window": "day", "max": 2, "key": "args.customer_id" } ] } } }
            """);
        Assert.True(f.Call("refund", """{"customer_id": "c1"}""").IsAllowed);
        Assert.True(f.Call("refund", """{"customer_id": "c1"}""").IsAllowed);
        Assert.False(f.Call("refund", """{"customer_id": "c1"}""").IsAllowed);
        Assert.True(f.Call("refund", """{"customer_id": "c2"}""").IsAllowed);
        // The number 1 and the string "1" are different customers.
        Assert.True(f.Call("refund", """{"customer_id": 1}""").IsAllowed);
        Assert.True(f.Call("refund", """{"customer_id": "1"}""").IsAllowed);
        var missing = f.Call("refund", "{}");
        Assert.False(missing.IsAllowed);
        Assert.Contains("args.customer_id", missing.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Limit_CostPath_SpendCap()
    {
        var f = new AuthorizerFixture("""
            { "version": "1", "default": "deny", "tools": { "refund": { "limits": [
                { "counter": "spend", "window": "day", "max": 100.50, "cost": "args.amount" } ] } } }
            """);
        Assert.True(f.Call("refund", """{"amount": 60.25}""").IsAllowed);
        Assert.True(f.Call("refund", """{"amount": 40.25}""").IsAllowed);
        Assert.False(f.Call("refund", """{"amount": 0.01}""").IsAllowed);
        Assert.True(f.Call("refund", """{"amount": 0}""").IsAllowed);
        var tooBig = f.Call("refund", """{"amount": 500}""");
        Assert.False(tooBig.IsAllowed);
        Assert.Null(tooBig.RetryAfter);
        Assert.Contains("can never succeed", tooBig.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Limit_CostPath_ExactAmountsWithExponentsOrManyDigits_Counted()
    {
        var f = new AuthorizerFixture("""{ "version": "1", "default": "deny", "tools": { "refund": { "limits": [ { "counter": "spend", "window": "day", "max": 100, "cost": "args.amount" } ] } } }""");

        Assert.True(f.Call("refund", """{"amount": 5e1}""").IsAllowed);
        Assert.True(f.Call("refund", """{"amount": 49.999999999999999999999999}""").IsAllowed);
        Assert.False(f.Call("refund", """{"amount": 0.000000000000000000000002}""").IsAllowed);
        Assert.True(f.Call("refund", """{"amount": 0.000000000000000000000001}""").IsAllowed);
    }

    [Theory]
    [InlineData("{}", "is missing")]
    [InlineData("""{"amount": null}""", "is missing")]
    [InlineData("""{"amount": "10"}""", "is not a number")]
    [InlineData("""{"amount": -1}""", "is negative")]
    [InlineData("""{"amount": 1e400}""", "is not a number this library can count exactly")]
    [InlineData("""{"amount": 100.000000000000000000000000000001}""", "is not a number this library can count exactly")]
    [InlineData("""{"amount": -1e-30}""", "is not a number this library can count exactly")]
    [InlineData("""{"amount": 1e-300}""", "is not a number this library can count exactly")]
    public void Limit_CostPath_InvalidCostDenies(string args, string problem)
    {
        var f = new AuthorizerFixture("""{ "version": "1", "default": "deny", "tools": { "refund": { "limits": [ { "counter": "spend", "window": "day", "max": 100, "cost": "args.amount" } ] } } }""");
        var decision = f.Call("refund", args);
        Assert.False(decision.IsAllowed);
        Assert.Equal("/tools/refund/limits/0", decision.Rule);
        Assert.Contains(problem, decision.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Limit_SharedCounterAcrossTools_OneBudget()
    {
        var f = new AuthorizerFixture("""
            { "version": "1", "default": "deny", "tools": {
                "a": { "limits": [ { "counter": "writes", "window": "minute", "max": 3 } ] },
                "b": { "limits": [ { "counter": "writes", "window": "minute", "max": 3, "cost": 2 } ] } } }
            """);
        Assert.True(f.Call("b", grant: "g").IsAllowed);
        Assert.True(f.Call("a", grant: "g").IsAllowed);
        Assert.False(f.Call("a", grant: "g").IsAllowed);
        Assert.Equal("/tools/a/limits/0", f.Call("a", grant: "g").Rule);
    }

    [Fact]
    public void Limit_ToolAndAllToolsLimits_ReservedAtomically()
    {
        var f = new AuthorizerFixture("""
            { "version": "1", "default": "allow",
              "all_tools": { "limits": [ { "counter": "everything", "window": "minute", "max": 3 } ] },
              "tools": { "t": { "limits": [ { "counter": "t_only", "window": "minute", "max": 1 } ] } } }
            """);
        Assert.True(f.Call("t").IsAllowed); // everything 1/3, t_only 1/1
        var refused = f.Call("t");
        Assert.Equal("/tools/t/limits/0", refused.Rule);
        // The refused call took nothing from the all_tools budget: two more calls to another tool still fit.
        Assert.True(f.Call("u").IsAllowed);
        Assert.True(f.Call("u").IsAllowed);
        var full = f.Call("u");
        Assert.Equal("/all_tools/limits/0", full.Rule);
    }

    [Fact]
    public void Limit_SeveralRefuse_DecisionNamesTheLimitWhoseWaitSetsRetryAfter()
    {
        var f = new AuthorizerFixture("""
            { "version": "1", "default": "allow",
              "all_tools": { "limits": [
                { "counter": "g1", "window": "minute", "max": 100, "scope": "global" },
                { "counter": "g2", "window": "hour", "max": 2, "scope": "global" } ] },
              "tools": { "t": { "limits": [ { "counter": "tl", "window": "minute", "max": 2 } ] } } }
            """);
        Assert.True(f.Call("t").IsAllowed);
        Assert.True(f.Call("t").IsAllowed);

        // tl (a minute) and g2 (an hour) both refuse: the hour's wait is the retry-after, so g2 is named.
        var refused = f.Call("t");

        Assert.Equal(DecisionOutcome.Deny, refused.Outcome);
        Assert.Equal("/all_tools/limits/1", refused.Rule);
        Assert.StartsWith("Rate limit 'g2' reached", refused.Message, StringComparison.Ordinal);
        Assert.InRange(refused.RetryAfter!.Value, TimeSpan.FromMinutes(60), TimeSpan.FromMinutes(66));
        f.Time.Advance(refused.RetryAfter.Value - TimeSpan.FromSeconds(1));
        Assert.False(f.Call("t").IsAllowed);
        f.Time.Advance(TimeSpan.FromSeconds(1));
        Assert.True(f.Call("t").IsAllowed);
    }

    [Fact]
    public void Limit_SameCounterInToolAndAllTools_CostsAddUp()
    {
        var f = new AuthorizerFixture("""
            { "version": "1", "default": "allow",
              "all_tools": { "limits": [ { "counter": "c", "window": "minute", "max": 3 } ] },
              "tools": { "t": { "limits": [ { "counter": "c", "window": "minute", "max": 3 } ] } } }
            """);
        Assert.True(f.Call("t").IsAllowed); // costs 2 of 3
        Assert.False(f.Call("t").IsAllowed);
        Assert.True(f.Call("u").IsAllowed); // costs 1
        Assert.False(f.Call("u").IsAllowed);
    }

    [Fact]
    public async Task ReportOutcome_Failed_RefundsOnce_SecondReportHarmless()
    {
        var f = new AuthorizerFixture("""{ "version": "1", "default": "deny", "tools": { "t": { "limits": [ { "counter": "c", "window": "minute", "max": 2 } ] } } }""");
        var first = f.Call("t");
        Assert.True(first.HasReservation);
        await first.ReportOutcomeAsync(ToolCallOutcome.Failed);
        await first.ReportOutcomeAsync(ToolCallOutcome.Failed);
        Assert.False(first.HasReservation);

        // One refund only: two more calls fit, the third does not.
        var second = f.Call("t");
        var third = f.Call("t");
        Assert.True(second.IsAllowed && third.IsAllowed);
        Assert.False(f.Call("t").IsAllowed);

        // A stale copy of the first decision, reported again after its pooled reservation was reused, refunds nothing.
        await first.ReportOutcomeAsync(ToolCallOutcome.Failed);
        Assert.False(f.Call("t").IsAllowed);
    }

    [Fact]
    public async Task ReportOutcome_Succeeded_KeepsBudgetSpent_NeverReportingKeepsIt()
    {
        var f = new AuthorizerFixture("""{ "version": "1", "default": "deny", "tools": { "t": { "limits": [ { "counter": "c", "window": "minute", "max": 2 } ] } } }""");
        await f.Call("t").ReportOutcomeAsync(ToolCallOutcome.Succeeded);
        _ = f.Call("t"); // never reported
        Assert.False(f.Call("t").IsAllowed);
    }

    [Fact]
    public async Task ReportOutcome_OnDecisionWithoutReservation_DoesNothing()
    {
        var f = new AuthorizerFixture("""{ "version": "1", "default": "allow" }""");
        var decision = f.Call("t");
        Assert.False(decision.HasReservation);
        await decision.ReportOutcomeAsync(ToolCallOutcome.Failed);
        await default(AuthorizationDecision).ReportOutcomeAsync(ToolCallOutcome.Failed);
    }

    [Fact]
    public void Limit_OnDeny_UsedWithRetryAfter()
    {
        var f = new AuthorizerFixture("""{ "version": "1", "default": "deny", "tools": { "t": { "limits": [ { "counter": "c", "window": 10, "max": 1, "on_deny": "Slow down." } ] } } }""");
        Assert.True(f.Call("t").IsAllowed);
        var refused = f.Call("t");
        Assert.StartsWith("Slow down. Retry after ", refused.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Authorize_StoreUnavailable_DeniesFailClosed()
    {
        var policy = Policy.Parse("""{ "version": "1", "default": "deny", "tools": { "t": { "limits": [ { "counter": "c", "window": "minute", "max": 1 } ] } } }""");
        var unavailable = new PolicyAuthorizer(policy, new FailingStore(throws: false));
        var throwing = new PolicyAuthorizer(policy, new FailingStore(throws: true));
        foreach (var authorizer in new[] { unavailable, throwing })
        {
            var decision = await authorizer.AuthorizeAsync(new ToolCall("t"));
            Assert.Equal(DecisionOutcome.Deny, decision.Outcome);
            Assert.Equal("/tools/t/limits/0", decision.Rule);
            Assert.Contains("rate-limit store is unavailable", decision.Message, StringComparison.Ordinal);
        }
    }

    [Fact]
    public async Task Authorize_StoreFailsOpen_Allows()
    {
        var policy = Policy.Parse("""{ "version": "1", "default": "deny", "tools": { "t": { "limits": [ { "counter": "c", "window": "minute", "max": 1 } ] } } }""");
        var decision = await new PolicyAuthorizer(policy, new FailingStore(throws: false, failOpen: true)).AuthorizeAsync(new ToolCall("t"));
        Assert.True(decision.IsAllowed);
        Assert.False(decision.HasReservation);
    }

    [Fact]
    public async Task Authorize_ManyThreadsOneBudget_AdmitExactlyMax()
    {
        var f = new AuthorizerFixture("""{ "version": "1", "default": "deny", "tools": { "t": { "limits": [ { "counter": "c", "window": "hour", "max": 500, "scope": "global" } ] } } }""");
        var admitted = 0;
        var tasks = Enumerable.Range(0, 8).Select(worker => Task.Run(() =>
        {
            for (var i = 0; i < 250; i++)
            {
                if (f.Authorizer.AuthorizeAsync(new ToolCall("t", grantId: "g" + worker)).Result.IsAllowed)
                {
                    Interlocked.Increment(ref admitted);
                }
            }
        }));
        await Task.WhenAll(tasks);
        Assert.Equal(500, admitted);
    }

    private sealed class FailingStore(bool throws, bool failOpen = false) : ICounterStore
    {
        public ValueTask<ReservationResult> TryReserveAsync(ReadOnlyMemory<CounterRequest> requests, CancellationToken cancellationToken = default)
        {
            if (throws)
            {
                throw new InvalidOperationException("connection refused");
            }

            return new(failOpen ? ReservationResult.AdmittedFailOpen("timeout") : ReservationResult.Unavailable("timeout"));
        }

        public ValueTask RefundAsync(ReadOnlyMemory<CounterRequest> requests, long reservationTimestamp, CancellationToken cancellationToken = default) => default;
    }
}
