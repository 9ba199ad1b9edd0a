using FsCheck;
using FsCheck.Fluent;
using FsCheck.Xunit;
using PolicyLayer.Counters;

namespace PolicyLayer.Tests.Counters;

/// <summary>
/// The store against an exact reference model (<see cref="ExactAdmissions"/>: every admission not refunded, with its time).
/// Random sequences of reservations, refunds and clock advances, on windows that are and are not a multiple of
/// ten ticks.
/// </summary>
public sealed class InMemoryCounterStorePropertyTests
{
    [Property(Arbitrary = new[] { typeof(ScenarioArbitrary) }, MaxTest = 300)]
    public void TryReserve_AnySequence_NeverAdmitsMoreThanMaxInAnyWindow(Scenario scenario)
    {
        // Checked after every admission at t for (t - window, t]: the most loaded window-length interval ends at an admission.
        Run(scenario, onAdmitted: (model, t, _) =>
        {
            decimal inWindow = model.CostAfter(Counter(scenario), t, tenthsOfWindow: 10);
            Assert.True(inWindow <= scenario.Max, $"{inWindow} admitted in the window ending at {t}; max {scenario.Max}.");
        });
    }

    [Property(Arbitrary = new[] { typeof(ScenarioArbitrary) }, MaxTest = 300)]
    public void TryReserve_AnySequence_RefusesOnlyWithinTheTenthOfWindowBound(Scenario scenario)
    {
        Run(scenario, onRefused: (model, t, requests, result) =>
        {
            decimal cost = requests[0].Cost;
            if (cost > scenario.Max)
            {
                Assert.Null(result.RetryAfter);
                return;
            }

            decimal inBound = model.CostAfter(Counter(scenario), t, tenthsOfWindow: 11);
            Assert.True(inBound + cost > scenario.Max, $"Refused {cost} at {t} with only {inBound} admitted in (t - 1.1 window, t]; max {scenario.Max}.");
            Assert.NotNull(result.RetryAfter);
            Assert.True(result.RetryAfter > TimeSpan.Zero, "A refusal with room later must wait a positive time.");
        });
    }

    [Property(Arbitrary = new[] { typeof(ScenarioArbitrary) }, MaxTest = 300)]
    public void TryReserve_RetriedAtRetryAfter_Admitted(Scenario scenario)
    {
        Run(scenario, retryRefusals: true);
    }

    private static void Run(
        Scenario scenario,
        Action<ExactAdmissions, long, CounterRequest[]>? onAdmitted = null,
        Action<ExactAdmissions, long, CounterRequest[], ReservationResult>? onRefused = null,
        bool retryRefusals = false)
    {
        var key = new CounterKey(Counter(scenario), "g");
        StoreReplay.Run(
            scenario.StartOffsetTicks,
            scenario.Steps.Select(step => new ReplayStep(step.AdvanceTicks, step.RefundPick is null ? [new CounterRequest(key, step.Cost)] : [], step.RefundPick)),
            onAdmitted,
            onRefused,
            retryRefusals);
    }

    private static CounterDefinition Counter(Scenario scenario) => new("p", TimeSpan.FromTicks(scenario.WindowTicks), scenario.Max);

    /// <summary>One random scenario: a counter and the calls made on it.</summary>
    /// <param name="WindowTicks">The window.</param>
    /// <param name="Max">The maximum.</param>
    /// <param name="StartOffsetTicks">Where the clock starts relative to a round time, so segments are unaligned.</param>
    /// <param name="Steps">The calls.</param>
    public sealed record Scenario(long WindowTicks, decimal Max, long StartOffsetTicks, Step[] Steps)
    {
        public override string ToString() =>
            $"window {WindowTicks} ticks, max {Max}, start +{StartOffsetTicks}: {string.Join(", ", Steps.Select(s => s.ToString()))}";
    }

    /// <summary>Advance the clock, then reserve <paramref name="Cost"/> or refund an earlier admission.</summary>
    /// <param name="AdvanceTicks">How far the clock moves first.</param>
    /// <param name="Cost">The cost to reserve.</param>
    /// <param name="RefundPick">When set, refund the admission at this index (modulo the unrefunded count) instead.</param>
    public sealed record Step(long AdvanceTicks, decimal Cost, int? RefundPick)
    {
        public override string ToString() => RefundPick is int pick ? $"+{AdvanceTicks} refund#{pick}" : $"+{AdvanceTicks} reserve {Cost}";
    }

    public static class ScenarioArbitrary
    {
        public static Arbitrary<Scenario> Scenarios() =>
            (from window in Gen.Elements(10_000_000L, 600_000_000L, 1_234_567L, 13L)
             from max in Gen.Elements(1m, 2.5m, 5m, 10m)
             from offset in Gen.Choose(0, 1_000_000)
             from steps in Gen.ListOf(StepGen(window))
             select new Scenario(window, max, offset * 7919L, steps.ToArray()))
            .ToArbitrary();

        private static Gen<Step> StepGen(long window)
        {
            Gen<long> advance = Gen.Frequency(
                (3, Gen.Constant(0L)),
                (6, Gen.Choose(0, 1000).Select(permille => window * permille / 3000)),
                (1, Gen.Choose(0, 1000).Select(permille => window + (window * permille / 500))));
            Gen<decimal> cost = Gen.Elements(0.25m, 0.5m, 1m, 1m, 1m, 1.5m, 3m, 12m);
            return Gen.Frequency(
                (5, from a in advance from c in cost select new Step(a, c, null)),
                (1, from a in advance from pick in Gen.Choose(0, 1000) select new Step(a, 0m, pick)));
        }
    }
}
