using Microsoft.Extensions.Time.Testing;
using PolicyLayer.Counters;

namespace PolicyLayer.Tests.Counters;

/// <summary>One step of a replay: advance the clock, then reserve <paramref name="Requests"/> together, or refund an earlier reservation whole.</summary>
/// <param name="AdvanceTicks">How far the clock moves first.</param>
/// <param name="Requests">The requests of one reservation (empty for a refund).</param>
/// <param name="RefundPick">When set, refund the admitted reservation at this index (modulo their count) instead.</param>
internal readonly record struct ReplayStep(long AdvanceTicks, CounterRequest[] Requests, int? RefundPick)
{
    public static string Describe(CounterRequest[] requests) => string.Join(" + ", requests.Select(r => $"{r.Cost} on {r.Key.Counter.Name}"));
}

/// <summary>
/// Replays steps on an in-memory store and, beside it, on <see cref="ExactAdmissions"/>, handing each admission and
/// refusal to the property under test; with <c>retryRefusals</c>, a refused reservation is retried after its RetryAfter
/// and must be admitted then.
/// </summary>
internal static class StoreReplay
{
    public static void Run(
        long startOffsetTicks,
        IEnumerable<ReplayStep> steps,
        Action<ExactAdmissions, long, CounterRequest[]>? onAdmitted = null,
        Action<ExactAdmissions, long, CounterRequest[], ReservationResult>? onRefused = null,
        bool retryRefusals = false)
    {
        var time = new FakeTimeProvider(new DateTimeOffset(2026, 5, 1, 0, 0, 0, TimeSpan.Zero).AddTicks(startOffsetTicks));
        var store = new InMemoryCounterStore(time);
        var model = new ExactAdmissions();

        foreach (var step in steps)
        {
            time.Advance(TimeSpan.FromTicks(step.AdvanceTicks));
            if (step.RefundPick is int pick)
            {
                if (model.Refund(pick) is { } refunded)
                {
                    Assert.True(store.RefundAsync(refunded.Requests, refunded.Ticks).IsCompletedSuccessfully, "The in-memory store refunds synchronously.");
                }

                continue;
            }

            var result = Reserve(store, step.Requests);
            if (result.IsAdmitted)
            {
                model.Admit(result.Timestamp, step.Requests);
                onAdmitted?.Invoke(model, result.Timestamp, step.Requests);
                continue;
            }

            onRefused?.Invoke(model, time.GetTimestamp(), step.Requests, result);
            if (retryRefusals && result.RetryAfter is TimeSpan wait)
            {
                time.Advance(wait);
                var retried = Reserve(store, step.Requests);
                Assert.True(retried.IsAdmitted, $"Refused {ReplayStep.Describe(step.Requests)} again after waiting the RetryAfter of {wait.Ticks} ticks.");
                model.Admit(retried.Timestamp, step.Requests);
            }
        }
    }

    private static ReservationResult Reserve(InMemoryCounterStore store, CounterRequest[] requests)
    {
        var pending = store.TryReserveAsync(requests);
        return pending.IsCompletedSuccessfully ? pending.Result : throw new InvalidOperationException("The in-memory store answers synchronously.");
    }
}
