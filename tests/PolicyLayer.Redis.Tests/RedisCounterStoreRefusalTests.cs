using PolicyLayer.Counters;
using PolicyLayer.Redis.Tests.Infrastructure;

namespace PolicyLayer.Redis.Tests;

/// <summary>Which request a refusal decided in the reservation script names, beyond the shared contract.</summary>
public sealed class RedisCounterStoreRefusalTests
{
    [RedisFact]
    public async Task TryReserve_CostAboveMaxOnlyInMillionthsAfterAFiniteWait_NamesTheOneThatCanNeverSucceed()
    {
        RedisCounterStore store = RedisTestServer.CreateStore();
        var late = new CounterKey(NewCounter(TimeSpan.FromHours(1), 1), "grant-a");

        // 1.0000012 <= 1.0000015 as decimals, but the cost rounds up (1000002) and the maximum down (1000001): only
        // the script sees that it can never fit.
        var tight = new CounterKey(NewCounter(TimeSpan.FromMinutes(1), 1.0000015m), "grant-a");
        Assert.True((await store.TryReserveAsync(new[] { new CounterRequest(late, 1) })).IsAdmitted);

        ReservationResult result = await store.TryReserveAsync(new[] { new CounterRequest(late, 1), new CounterRequest(tight, 1.0000012m) });

        Assert.Equal(ReservationStatus.Refused, result.Status);
        Assert.Equal(1, result.RefusedIndex);
        Assert.Null(result.RetryAfter);
    }

    private static CounterDefinition NewCounter(TimeSpan window, decimal max) => new($"refusal-{Guid.NewGuid():N}", window, max);
}
