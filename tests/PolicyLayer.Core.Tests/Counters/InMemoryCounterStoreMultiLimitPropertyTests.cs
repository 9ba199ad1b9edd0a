using FsCheck;
using FsCheck.Fluent;
using FsCheck.Xunit;
using PolicyLayer.Counters;

namespace PolicyLayer.Tests.Counters;

/// <summary>
/// Reservations of several requests at once (a call with several limits) against an exact model (<see cref="ExactAdmissions"/>): two
/// counters with different windows and maxima, reserved alone, together, or twice in one reservation, with refunds of
/// whole reservations. Each budget keeps the single-budget guarantees, and a reservation is all or nothing.
/// </summary>
public sealed class InMemoryCounterStoreMultiLimitPropertyTests
{
    private static readonly CounterDefinition First = new("first", TimeSpan.FromTicks(600_000_000), 10m);
    private static readonly CounterDefinition Second = new("second", TimeSpan.FromTicks(1_234_567), 2.5m);

    [Property(Arbitrary = new[] { typeof(StepsArbitrary) }, MaxTest = 300)]
    public void TryReserve_SeveralRequests_NeverOverAdmitsAnyBudget(Reservation[] steps) =>
        Run(steps, onAdmitted: (model, t, requests) =>
        {
            foreach (var counter in requests.Select(r => r.Key.Counter).Distinct())
            {
                var inWindow = model.CostAfter(counter, t, tenthsOfWindow: 10);
                Assert.True(inWindow <= counter.Max, $"{inWindow} admitted on {counter.Name} in the window ending at {t}; max {counter.Max}.");
            }
        });

    [Property(Arbitrary = new[] { typeof(StepsArbitrary) }, MaxTest = 300)]
    public void TryReserve_SeveralRequests_RefusedOnlyWhenSomeBudgetIsFullWithinTheBound(Reservation[] steps) =>
        Run(steps, onRefused: (model, t, requests, result) =>
        {
            var asked = requests.GroupBy(r => r.Key.Counter).Select(g => (Counter: g.Key, Cost: g.Sum(r => r.Cost))).ToList();
            if (asked.Any(a => a.Cost > a.Counter.Max))
            {
                Assert.Null(result.RetryAfter);
                return;
            }

            Assert.True(
                asked.Any(a => model.CostAfter(a.Counter, t, tenthsOfWindow: 11) + a.Cost > a.Counter.Max),
                $"Refused {string.Join(" + ", asked.Select(a => $"{a.Cost} on {a.Counter.Name}"))} at {t}, though each budget had room within a tenth of its window.");
            Assert.True(result.RetryAfter > TimeSpan.Zero, "A refusal with room later must wait a positive time.");
        });

    [Property(Arbitrary = new[] { typeof(StepsArbitrary) }, MaxTest = 300)]
    public void TryReserve_SeveralRequestsRetriedAtRetryAfter_Admitted(Reservation[] steps) =>
        Run(steps, retryRefusals: true);

    private static void Run(
        Reservation[] steps,
        Action<ExactAdmissions, long, CounterRequest[]>? onAdmitted = null,
        Action<ExactAdmissions, long, CounterRequest[], ReservationResult>? onRefused = null,
        bool retryRefusals = false) =>
        StoreReplay.Run(123_457, steps.Select(step => new ReplayStep(step.AdvanceTicks, step.Requests, step.RefundPick)), onAdmitted, onRefused, retryRefusals);

    /// <summary>Advance the clock, then reserve <paramref name="Requests"/> together, or refund an earlier reservation whole.</summary>
    /// <param name="AdvanceTicks">How far the clock moves first.</param>
    /// <param name="Requests">The requests of one reservation (one or two counters; a counter may appear twice).</param>
    /// <param name="RefundPick">When set, refund the admitted reservation at this index (modulo their count) instead.</param>
    public sealed record Reservation(long AdvanceTicks, CounterRequest[] Requests, int? RefundPick)
    {
        public override string ToString() => RefundPick is int pick
            ? $"+{AdvanceTicks} refund#{pick}"
            : $"+{AdvanceTicks} reserve {ReplayStep.Describe(Requests)}";
    }

    public static class StepsArbitrary
    {
        public static Arbitrary<Reservation[]> Steps() => Gen.ArrayOf(StepGen()).ToArbitrary();

        private static Gen<Reservation> StepGen()
        {
            // Steps small against the short window and large against it, so both budgets slide during a run.
            var advance = Gen.Frequency(
                (3, Gen.Constant(0L)),
                (6, Gen.Choose(0, 1000).Select(permille => Second.Window.Ticks * permille / 3000)),
                (1, Gen.Choose(0, 1000).Select(permille => First.Window.Ticks * permille / 4000)));
            var cost = Gen.Elements(0.25m, 0.5m, 1m, 1m, 1.5m, 3m);
            var request = from counter in Gen.Elements(First, Second)
                          from c in cost
                          select new CounterRequest(new CounterKey(counter, "g"), c);
            var requests = Gen.Choose(1, 3).SelectMany(n => Gen.ArrayOf(request, n));
            return Gen.Frequency(
                (5, from a in advance from r in requests select new Reservation(a, r, null)),
                (1, from a in advance from pick in Gen.Choose(0, 1000) select new Reservation(a, [], pick)));
        }
    }
}
