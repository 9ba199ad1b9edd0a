using PolicyLayer.Authorization;

namespace PolicyLayer.Tests.Authorization;

/// <summary>
/// Costs near <see cref="decimal.MaxValue"/>: adding them up must refuse the call, never throw out of the
/// authorizer, and waits must still be worked out for budgets whose maximum is more than half the largest decimal.
/// </summary>
public class LimitOverflowTests
{
    private const string HalfOfMaxDecimalAndMore = "50000000000000000000000000000";

    // The same counter in the tool's limits and in all_tools: the call asks for its cost twice, and the two add up.
    private static AuthorizerFixture SharedSpendCounter(string max) => new($$"""
        { "version": "1", "default": "allow",
          "all_tools": { "limits": [ { "counter": "spend", "window": "day", "max": {{max}}, "cost": "args.a" } ] },
          "tools": { "t": { "limits": [ { "counter": "spend", "window": "day", "max": {{max}}, "cost": "args.a" } ] } } }
        """);

    [Theory]
    [InlineData("1000")]
    [InlineData("79228162514264337593543950335")]
    public void Limit_MergedCostsBeyondTheLargestDecimal_DeniedNamingTheLimit(string max)
    {
        var f = SharedSpendCounter(max);

        var decision = f.Call("t", $$"""{"a": {{HalfOfMaxDecimalAndMore}}}""");

        Assert.Equal(DecisionOutcome.Deny, decision.Outcome);
        Assert.Equal("/tools/t/limits/0", decision.Rule);
        Assert.Null(decision.RetryAfter);
        Assert.Contains("'spend'", decision.Message, StringComparison.Ordinal);
        Assert.Contains("can never succeed", decision.Message, StringComparison.Ordinal);
        Assert.False(decision.HasReservation);
    }

    [Fact]
    public void Limit_MergedCostsBeyondTheLargestDecimal_ReserveNothing_LaterCallsCountAsBefore()
    {
        var f = SharedSpendCounter("1000");
        Assert.False(f.Call("t", $$"""{"a": {{HalfOfMaxDecimalAndMore}}}""").IsAllowed);

        // 400 is asked for twice (800 of 1000); a second such call would need 1600.
        Assert.True(f.Call("t", """{"a": 400}""").IsAllowed);
        Assert.False(f.Call("t", """{"a": 400}""").IsAllowed);
        Assert.True(f.Call("u", """{"a": 200}""").IsAllowed);
    }

    [Fact]
    public void Limit_MergedCostsAboveTheMaximum_NeverFitWithoutRepeatingTheArgumentsCost()
    {
        var decision = SharedSpendCounter("1000").Call("t", """{"a": 600}""");
        Assert.Equal("/tools/t/limits/0", decision.Rule);
        Assert.Null(decision.RetryAfter);
        Assert.StartsWith("This call's cost (args.a) is more than the limit", decision.Message, StringComparison.Ordinal);
        Assert.DoesNotContain("1200", decision.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Limit_MaximumAboveHalfTheLargestDecimal_FullBudget_RefusedWithRetryAfter()
    {
        var f = new AuthorizerFixture("""
            { "version": "1", "default": "deny", "tools": { "t": { "limits": [
                { "counter": "big", "window": "minute", "max": 70000000000000000000000000000, "cost": "args.a" } ] } } }
            """);
        Assert.True(f.Call("t", """{"a": 69000000000000000000000000000}""").IsAllowed);

        var refused = f.Call("t", """{"a": 69000000000000000000000000000}""");

        Assert.Equal(DecisionOutcome.Deny, refused.Outcome);
        Assert.Equal("/tools/t/limits/0", refused.Rule);
        Assert.NotNull(refused.RetryAfter);
        Assert.InRange(refused.RetryAfter!.Value, TimeSpan.FromMinutes(1), TimeSpan.FromSeconds(66));
        Assert.Contains("Rate limit 'big' reached", refused.Message, StringComparison.Ordinal);
        Assert.DoesNotContain("unavailable", refused.Message, StringComparison.Ordinal);

        f.Time.Advance(refused.RetryAfter.Value);
        Assert.True(f.Call("t", """{"a": 69000000000000000000000000000}""").IsAllowed);
    }
}
