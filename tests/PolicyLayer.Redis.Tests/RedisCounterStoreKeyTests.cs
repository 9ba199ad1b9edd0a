using PolicyLayer.Counters;
using PolicyLayer.Redis.Tests.Infrastructure;
using StackExchange.Redis;

namespace PolicyLayer.Redis.Tests;

/// <summary>What the store leaves in Redis: key names, hash tags, expiry; and reservations split over cluster slots.</summary>
public sealed class RedisCounterStoreKeyTests
{
    private static readonly TimeSpan Minute = TimeSpan.FromMinutes(1);

    [RedisFact]
    public async Task TryReserve_Admitted_KeyExpiresAfterWindowAndSegmentIdle()
    {
        string prefix = RedisTestServer.UniquePrefix();
        RedisCounterStore store = RedisTestServer.CreateStore(o => o.KeyPrefix = prefix);
        Assert.True((await store.TryReserveAsync(new[] { new CounterRequest(new CounterKey(NewCounter(Minute, 5), "grant-a"), 1) })).IsAdmitted);

        string key = Assert.Single(RedisTestServer.KeysUnder(prefix));
        TimeSpan? ttl = await RedisTestServer.Shared.GetDatabase().KeyTimeToLiveAsync(key);

        Assert.NotNull(ttl);
        Assert.InRange(ttl!.Value, TimeSpan.FromMilliseconds(1), Minute + (Minute / 10));
    }

    [RedisFact]
    public async Task TryReserve_FirstReservationOfANewSegment_SetsTheExpiryAgain()
    {
        string prefix = RedisTestServer.UniquePrefix();
        RedisCounterStore store = RedisTestServer.CreateStore(o => o.KeyPrefix = prefix);
        long now = 1_773_500_970_000_000; // on a segment boundary of a one-minute window's 6-second segments
        store.TestClock = () => now;
        CounterRequest[] requests = [new CounterRequest(new CounterKey(NewCounter(Minute, 5), "grant-a"), 1)];
        Assert.True((await store.TryReserveAsync(requests)).IsAdmitted);
        string key = Assert.Single(RedisTestServer.KeysUnder(prefix));
        IDatabase database = RedisTestServer.Shared.GetDatabase();

        // Within the same segment the expiry the first reservation set still covers the new cost.
        Assert.True(await database.KeyPersistAsync(key));
        now += 5_000_000;
        Assert.True((await store.TryReserveAsync(requests)).IsAdmitted);
        Assert.Null(await database.KeyTimeToLiveAsync(key));

        // The first reservation in the next segment sets it again.
        now += 1_000_000;
        Assert.True((await store.TryReserveAsync(requests)).IsAdmitted);
        TimeSpan? ttl = await database.KeyTimeToLiveAsync(key);
        Assert.NotNull(ttl);
        Assert.InRange(ttl!.Value, TimeSpan.FromMilliseconds(1), Minute + (Minute / 10));
    }

    [RedisFact]
    public async Task TryReserve_Refused_CreatesNoKey()
    {
        string prefix = RedisTestServer.UniquePrefix();
        RedisCounterStore store = RedisTestServer.CreateStore(o => o.KeyPrefix = prefix);

        ReservationResult result = await store.TryReserveAsync(new[] { new CounterRequest(new CounterKey(NewCounter(Minute, 1), "grant-a"), 2) });

        Assert.Equal(ReservationStatus.Refused, result.Status);
        Assert.Empty(RedisTestServer.KeysUnder(prefix));
    }

    [RedisTheory]
    [InlineData(CounterScope.Grant, "grant-a", "{g:grant-a}")]
    [InlineData(CounterScope.Session, "session-1", "{s:session-1}")]
    [InlineData(CounterScope.Global, "", "{global}")]
    public async Task TryReserve_PerPartition_KeyHasHashTagOfItsPartition(CounterScope scope, string partition, string tag)
    {
        string prefix = RedisTestServer.UniquePrefix();
        RedisCounterStore store = RedisTestServer.CreateStore(o => o.KeyPrefix = prefix);
        Assert.True((await store.TryReserveAsync(new[] { new CounterRequest(new CounterKey(NewCounter(Minute, 5, scope), partition), 1) })).IsAdmitted);

        string key = Assert.Single(RedisTestServer.KeysUnder(prefix));

        Assert.StartsWith(prefix + tag + ":", key, StringComparison.Ordinal);
    }

    [RedisFact]
    public async Task TryReserve_SingleSlot_EveryKeySharesOneHashTag()
    {
        string prefix = RedisTestServer.UniquePrefix();
        RedisCounterStore store = RedisTestServer.CreateStore(o =>
        {
            o.KeyPrefix = prefix;
            o.KeyDistribution = RedisKeyDistribution.SingleSlot;
        });
        CounterRequest[] requests =
        [
            new(new CounterKey(NewCounter(Minute, 5, CounterScope.Grant), "grant-a"), 1),
            new(new CounterKey(NewCounter(Minute, 5, CounterScope.Session), "session-1"), 1),
            new(new CounterKey(NewCounter(Minute, 5, CounterScope.Global), ""), 1),
        ];
        Assert.True((await store.TryReserveAsync(requests)).IsAdmitted);

        List<string> keys = RedisTestServer.KeysUnder(prefix);

        Assert.Equal(3, keys.Count);
        Assert.All(keys, key => Assert.StartsWith(prefix + "{policylayer}:", key, StringComparison.Ordinal));
    }

    [RedisFact]
    public async Task TryReserve_PartitionWithBracesOrTooLong_HashedSoTheTagStaysWhole()
    {
        string prefix = RedisTestServer.UniquePrefix();
        RedisCounterStore store = RedisTestServer.CreateStore(o => o.KeyPrefix = prefix);
        CounterDefinition counter = NewCounter(Minute, 1, CounterScope.Grant, "args.customer");
        string[] partitions = ["a}b", "{x}", new string('p', 5000)];
        foreach (string partition in partitions)
        {
            Assert.True((await store.TryReserveAsync(new[] { new CounterRequest(new CounterKey(counter, partition, new string('k', 100_000)), 1) })).IsAdmitted);
        }

        List<string> keys = RedisTestServer.KeysUnder(prefix);

        Assert.Equal(3, keys.Count);
        Assert.All(keys, key =>
        {
            Assert.True(key.Length < 300, $"Key of {key.Length} characters; caller-supplied parts must be bounded.");
            string afterPrefix = key[prefix.Length..];
            Assert.StartsWith("{g:#", afterPrefix, StringComparison.Ordinal);
            Assert.Equal(afterPrefix.IndexOf('}', StringComparison.Ordinal), afterPrefix.LastIndexOf('}'));
        });
    }

    [RedisFact]
    public async Task TryReserve_SplitOverSlotsAndALaterSlotRefuses_GivesBackWhatEarlierSlotsReserved()
    {
        RedisCounterStore store = RedisTestServer.CreateStore();
        store.SplitBySlotAlways = true;
        var perGrant = new CounterKey(NewCounter(Minute, 3, CounterScope.Grant), "grant-a");
        var global = new CounterKey(NewCounter(Minute, 1, CounterScope.Global), "");
        Assert.True((await store.TryReserveAsync(new[] { new CounterRequest(global, 1) })).IsAdmitted);

        ReservationResult refused = await store.TryReserveAsync(new[] { new CounterRequest(perGrant, 1), new CounterRequest(global, 1) });

        Assert.Equal(ReservationStatus.Refused, refused.Status);
        Assert.Equal(1, refused.RefusedIndex);
        Assert.NotNull(refused.RetryAfter);
        Assert.Equal(3, await CountAdmittedAsync(store, perGrant));
    }

    [RedisFact]
    public async Task TryReserve_SplitOverSlotsAndSeveralSlotsRefuse_RetryAfterCoversTheLaterSlotsToo()
    {
        RedisCounterStore store = RedisTestServer.CreateStore();
        store.SplitBySlotAlways = true;
        long now = 1_773_500_970_000_000;
        store.TestClock = () => now;
        var minute = new CounterKey(NewCounter(Minute, 1, CounterScope.Grant), "grant-a");
        var hour = new CounterKey(NewCounter(TimeSpan.FromHours(1), 1, CounterScope.Global), "");
        Assert.True((await store.TryReserveAsync(new[] { new CounterRequest(minute, 1) })).IsAdmitted);
        Assert.True((await store.TryReserveAsync(new[] { new CounterRequest(hour, 1) })).IsAdmitted);

        // The first slot (the minute budget) refuses first; the hour budget in the next slot refuses for far longer.
        ReservationResult refused = await store.TryReserveAsync(new[] { new CounterRequest(minute, 1), new CounterRequest(hour, 1) });

        Assert.Equal(ReservationStatus.Refused, refused.Status);
        Assert.Equal(1, refused.RefusedIndex);
        Assert.NotNull(refused.RetryAfter);
        Assert.InRange(refused.RetryAfter!.Value, TimeSpan.FromHours(1), TimeSpan.FromHours(1) + TimeSpan.FromMinutes(6));

        // Only asked, never charged: at the retry-after both budgets admit again.
        now += (long)refused.RetryAfter.Value.TotalMicroseconds;
        Assert.True((await store.TryReserveAsync(new[] { new CounterRequest(minute, 1), new CounterRequest(hour, 1) })).IsAdmitted);
    }

    [RedisFact]
    public async Task TryReserve_SplitOverSlotsAndAdmitted_CountsInEveryAndRefundGivesBackInEvery()
    {
        RedisCounterStore store = RedisTestServer.CreateStore();
        store.SplitBySlotAlways = true;
        var perGrant = new CounterKey(NewCounter(Minute, 2, CounterScope.Grant), "grant-a");
        var perSession = new CounterKey(NewCounter(Minute, 2, CounterScope.Session), "session-1");
        CounterRequest[] both = [new CounterRequest(perGrant, 1), new CounterRequest(perSession, 1)];

        ReservationResult first = await store.TryReserveAsync(both);
        Assert.True(first.IsAdmitted);
        Assert.True((await store.TryReserveAsync(both)).IsAdmitted);
        Assert.False((await store.TryReserveAsync(both)).IsAdmitted);

        await store.RefundAsync(both, first.Timestamp);

        Assert.Equal(1, await CountAdmittedAsync(store, perGrant));
        Assert.Equal(1, await CountAdmittedAsync(store, perSession));
    }

    private static CounterDefinition NewCounter(TimeSpan window, decimal max, CounterScope scope = CounterScope.Grant, string? keyPath = null) =>
        new($"keys-{Guid.NewGuid():N}", window, max, scope, keyPath);

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
