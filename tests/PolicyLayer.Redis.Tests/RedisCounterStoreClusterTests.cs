using PolicyLayer.Counters;
using PolicyLayer.Redis.Tests.Infrastructure;
using StackExchange.Redis;

namespace PolicyLayer.Redis.Tests;

/// <summary>
/// A real three-node Redis Cluster: a call whose limits are on different slots is reserved slot by slot, and what was
/// reserved is given back when a later slot refuses, so no maximum is ever exceeded and nothing is left behind.
/// </summary>
public sealed class RedisCounterStoreClusterTests
{
    private const int Callers = 64;

    [RedisFact]
    public async Task TryReserve_LimitsOnDifferentSlots_AdmittedInBothAndGivenBackWhenOneRefuses()
    {
        await using DedicatedRedisCluster cluster = await DedicatedRedisCluster.StartAsync();
        await using var store = new RedisCounterStore(new RedisCounterStoreOptions { Configuration = cluster.Configuration, Timeout = TimeSpan.FromSeconds(30) });
        var perGrant = new CounterKey(new CounterDefinition("per-grant", TimeSpan.FromMinutes(10), 3), "grant-a");
        var global = new CounterKey(new CounterDefinition("global", TimeSpan.FromMinutes(10), 2, CounterScope.Global), "");
        CounterRequest[] both = [new CounterRequest(perGrant, 1), new CounterRequest(global, 1)];

        ReservationResult first = await store.TryReserveAsync(both);
        ReservationResult second = await store.TryReserveAsync(both);
        ReservationResult third = await store.TryReserveAsync(both);

        Assert.True(first.IsAdmitted, first.Error);
        Assert.True(second.IsAdmitted, second.Error);
        Assert.Equal(ReservationStatus.Refused, third.Status);
        Assert.Equal(1, third.RefusedIndex);
        IConnectionMultiplexer connection = await store.Connection;
        List<RedisKey> keys = await AllKeysAsync(connection);
        Assert.Equal(2, keys.Count);
        Assert.NotEqual(connection.HashSlot(keys[0]), connection.HashSlot(keys[1]));

        // The refused third call gave back its per-grant cost: one more fits there, the global one is full.
        Assert.Equal(1, await CountAdmittedAsync(store, perGrant));
        Assert.Equal(0, await CountAdmittedAsync(store, global));

        await store.RefundAsync(both, first.Timestamp);
        Assert.Equal(1, await CountAdmittedAsync(store, global));
    }

    [RedisFact]
    public async Task TryReserve_ConcurrentCallsAcrossSlots_NeverExceedAndLeaveNothingBehind()
    {
        await using DedicatedRedisCluster cluster = await DedicatedRedisCluster.StartAsync();
        await using var store = new RedisCounterStore(new RedisCounterStoreOptions { Configuration = cluster.Configuration, Timeout = TimeSpan.FromSeconds(30) });
        var perGrant = new CounterKey(new CounterDefinition("per-grant", TimeSpan.FromMinutes(10), 30), "grant-a");
        var global = new CounterKey(new CounterDefinition("global", TimeSpan.FromMinutes(10), 50, CounterScope.Global), "");

        int pairs = 0;
        int singles = 0;
        await Task.WhenAll(Enumerable.Range(0, Callers).Select(caller => Task.Run(async () =>
        {
            for (int attempt = 0; attempt < 3; attempt++)
            {
                bool both = (caller + attempt) % 3 != 0;
                CounterRequest[] requests = both ? [new CounterRequest(perGrant, 1), new CounterRequest(global, 1)] : [new CounterRequest(global, 1)];
                ReservationResult result = await store.TryReserveAsync(requests);
                Assert.NotEqual(ReservationStatus.Unavailable, result.Status);
                if (result.IsAdmitted)
                {
                    Interlocked.Increment(ref both ? ref pairs : ref singles);
                }
            }
        })));

        Assert.InRange(pairs, 1, 30);
        Assert.Equal(30 - pairs, await CountAdmittedAsync(store, perGrant));
        Assert.Equal(50 - pairs - singles, await CountAdmittedAsync(store, global));
    }

    private static async Task<List<RedisKey>> AllKeysAsync(IConnectionMultiplexer connection)
    {
        var keys = new List<RedisKey>();
        foreach (IServer server in connection.GetServers())
        {
            await foreach (RedisKey key in server.KeysAsync(pattern: "policylayer:*"))
            {
                keys.Add(key);
            }
        }

        return keys;
    }

    private static async Task<int> CountAdmittedAsync(ICounterStore store, CounterKey key)
    {
        int admitted = 0;
        while (admitted < 1000 && (await store.TryReserveAsync(new[] { new CounterRequest(key, 1) })).IsAdmitted)
        {
            admitted++;
        }

        return admitted;
    }
}
