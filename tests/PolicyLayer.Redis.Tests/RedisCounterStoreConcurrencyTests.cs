using PolicyLayer.Counters;
using PolicyLayer.Redis.Tests.Infrastructure;

namespace PolicyLayer.Redis.Tests;

/// <summary>Many callers on one Redis, through separate connections and separate stores, as several hosts would be.</summary>
public sealed class RedisCounterStoreConcurrencyTests
{
    private const int Callers = 64;

    [RedisFact]
    public async Task TryReserve_TwoStoresOnTwoConnectionsHammeringOneBudget_AdmitExactlyMax()
    {
        string prefix = RedisTestServer.UniquePrefix();
        await using RedisCounterStore first = CreateConnectedStore(prefix);
        await using RedisCounterStore second = CreateConnectedStore(prefix);
        var key = new CounterKey(new CounterDefinition($"hammer-{Guid.NewGuid():N}", TimeSpan.FromMinutes(10), 100), "grant-a");

        int admitted = 0;
        int refused = 0;
        await Task.WhenAll(Enumerable.Range(0, Callers).Select(caller => Task.Run(async () =>
        {
            RedisCounterStore store = caller % 2 == 0 ? first : second;
            for (int attempt = 0; attempt < 4; attempt++)
            {
                ReservationResult result = await store.TryReserveAsync(new[] { new CounterRequest(key, 1) });
                Assert.NotEqual(ReservationStatus.Unavailable, result.Status);
                Interlocked.Increment(ref result.IsAdmitted ? ref admitted : ref refused);
            }
        })));

        Assert.Equal(100, admitted);
        Assert.Equal((Callers * 4) - 100, refused);
    }

    [RedisFact]
    public async Task TryReserve_ConcurrentCallsOverTwoLimits_ReserveInBothOrNeither()
    {
        string prefix = RedisTestServer.UniquePrefix();
        await using RedisCounterStore first = CreateConnectedStore(prefix);
        await using RedisCounterStore second = CreateConnectedStore(prefix);
        var perGrant = new CounterKey(new CounterDefinition($"pair-a-{Guid.NewGuid():N}", TimeSpan.FromMinutes(10), 50), "grant-a");
        var perTool = new CounterKey(new CounterDefinition($"pair-b-{Guid.NewGuid():N}", TimeSpan.FromMinutes(10), 30), "grant-a");

        // Some callers take both limits, some only the first; a partial reservation would leave cost in the first.
        int pairs = 0;
        int singles = 0;
        await Task.WhenAll(Enumerable.Range(0, Callers).Select(caller => Task.Run(async () =>
        {
            RedisCounterStore store = caller % 2 == 0 ? first : second;
            for (int attempt = 0; attempt < 3; attempt++)
            {
                bool both = (caller + attempt) % 3 != 0;
                CounterRequest[] requests = both
                    ? [new CounterRequest(perGrant, 1), new CounterRequest(perTool, 1)]
                    : [new CounterRequest(perGrant, 1)];
                ReservationResult result = await store.TryReserveAsync(requests);
                Assert.NotEqual(ReservationStatus.Unavailable, result.Status);
                if (result.IsAdmitted)
                {
                    Interlocked.Increment(ref both ? ref pairs : ref singles);
                }
            }
        })));

        Assert.InRange(pairs, 1, 30);
        Assert.Equal(50 - pairs - singles, await CountAdmittedAsync(first, perGrant));
        Assert.Equal(30 - pairs, await CountAdmittedAsync(first, perTool));
    }

    [RedisFact]
    public async Task Refund_RacingWithReservations_NeverMoreThanMaxHeldAndAllGivenBack()
    {
        RedisCounterStore store = RedisTestServer.CreateStore();
        var key = new CounterKey(new CounterDefinition($"cycle-{Guid.NewGuid():N}", TimeSpan.FromMinutes(10), 10), "grant-a");

        int held = 0;
        int mostHeld = 0;
        int admitted = 0;
        await Task.WhenAll(Enumerable.Range(0, Callers).Select(_ => Task.Run(async () =>
        {
            for (int attempt = 0; attempt < 5; attempt++)
            {
                CounterRequest[] requests = [new CounterRequest(key, 1)];
                ReservationResult result = await store.TryReserveAsync(requests);
                if (!result.IsAdmitted)
                {
                    continue;
                }

                Interlocked.Increment(ref admitted);
                int now = Interlocked.Increment(ref held);
                InterlockedMax(ref mostHeld, now);
                Interlocked.Decrement(ref held);
                await store.RefundAsync(requests, result.Timestamp);
            }
        })));

        Assert.InRange(mostHeld, 1, 10);
        Assert.True(admitted >= 10, $"Only {admitted} reservations were admitted although every one was given back.");
        Assert.Equal(10, await CountAdmittedAsync(store, key));
    }

    private static RedisCounterStore CreateConnectedStore(string prefix) => new(new RedisCounterStoreOptions
    {
        Configuration = RedisTestServer.RequireAddress(),
        KeyPrefix = prefix,
        Timeout = TimeSpan.FromSeconds(30),
    });

    private static async Task<int> CountAdmittedAsync(ICounterStore store, CounterKey key)
    {
        int admitted = 0;
        while (admitted < 1000 && (await store.TryReserveAsync(new[] { new CounterRequest(key, 1) })).IsAdmitted)
        {
            admitted++;
        }

        return admitted;
    }

    private static void InterlockedMax(ref int target, int value)
    {
        int current = Volatile.Read(ref target);
        while (value > current)
        {
            int seen = Interlocked.CompareExchange(ref target, value, current);
            if (seen == current)
            {
                return;
            }

            current = seen;
        }
    }
}
