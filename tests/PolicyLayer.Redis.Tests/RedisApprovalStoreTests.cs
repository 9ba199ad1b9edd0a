using Microsoft.Extensions.Time.Testing;
using PolicyLayer.Approvals;
using PolicyLayer.Redis.Approvals;
using PolicyLayer.Redis.Tests.Infrastructure;
using StackExchange.Redis;

namespace PolicyLayer.Redis.Tests;

/// <summary>What the approval contract does not say: keys, their cleanup expiry, bounds, options and Redis Cluster.</summary>
public sealed class RedisApprovalStoreTests
{
    private static readonly TimeSpan Timeout = TimeSpan.FromMinutes(10);

    private readonly string _prefix = RedisTestServer.UniquePrefix();
    private readonly FakeTimeProvider _time = new(new DateTimeOffset(2026, 3, 14, 15, 9, 26, 535, TimeSpan.Zero));

    [RedisFact]
    public async Task GetOrAdd_ThreeKeysOnOneSlot_EachExpiringAfterTheRequestAndItsRetention()
    {
        RedisApprovalStore store = RedisTestServer.CreateApprovalStore(_prefix, _time);

        await store.GetOrAddAsync(NewRequest("call-1"));

        List<string> keys = RedisTestServer.KeysUnder(_prefix);
        Assert.Equal([_prefix + "{approvals}:calls", _prefix + "{approvals}:removals", _prefix + "{approvals}:requests"], keys.Order(StringComparer.Ordinal));
        foreach (string key in keys)
        {
            // The request's 10 minutes, the default retention of an hour, and a minute's margin for clock skew.
            TimeSpan? ttl = await RedisTestServer.Shared.GetDatabase().KeyTimeToLiveAsync(key);
            Assert.InRange(ttl!.Value, TimeSpan.FromMinutes(71) - TimeSpan.FromSeconds(30), TimeSpan.FromMinutes(71));
        }
    }

    [RedisFact]
    public async Task Decide_LongerValidity_ExtendsTheKeysExpiryNeverShortensIt()
    {
        RedisApprovalStore store = RedisTestServer.CreateApprovalStore(_prefix, _time);
        ApprovalRequest longLived = (await store.GetOrAddAsync(NewRequest("call-1", TimeSpan.FromDays(2))))!;
        ApprovalRequest shortLived = (await store.GetOrAddAsync(NewRequest("call-2")))!;
        Assert.InRange(await KeyExpiryAsync(), TimeSpan.FromDays(2), TimeSpan.FromDays(2) + TimeSpan.FromMinutes(61));

        await store.DecideAsync(shortLived.Id, new ApprovalVerdict(true, "alice", null, TimeSpan.FromDays(5)));
        Assert.InRange(await KeyExpiryAsync(), TimeSpan.FromDays(5), TimeSpan.FromDays(5) + TimeSpan.FromMinutes(61));
        await store.DecideAsync(longLived.Id, new ApprovalVerdict(false, "bob", "no", TimeSpan.FromMinutes(1)));
        Assert.InRange(await KeyExpiryAsync(), TimeSpan.FromDays(5), TimeSpan.FromDays(5) + TimeSpan.FromMinutes(61));
    }

    [RedisFact]
    public async Task GetOrAdd_LapsedRequests_RemovedAsNewOnesComeEvenWhenNotFull()
    {
        RedisApprovalStore store = RedisTestServer.CreateApprovalStore(_prefix, _time);
        ApprovalRequest[] old = new ApprovalRequest[5];
        for (int i = 0; i < old.Length; i++)
        {
            old[i] = (await store.GetOrAddAsync(NewRequest($"old-{i}")))!;
        }

        _time.Advance(Timeout + TimeSpan.FromHours(1));
        await store.GetOrAddAsync(NewRequest("new"));

        foreach (ApprovalRequest request in old)
        {
            Assert.Null(await store.GetAsync(request.Id));
        }

        IDatabase database = RedisTestServer.Shared.GetDatabase();
        Assert.Equal(1, await database.HashLengthAsync(_prefix + "{approvals}:requests"));
        Assert.Equal(1, await database.HashLengthAsync(_prefix + "{approvals}:calls"));
        Assert.Equal(1, await database.SortedSetLengthAsync(_prefix + "{approvals}:removals"));
    }

    [RedisFact]
    public async Task TwoStores_OneKeyPrefix_ShareRequestsAsTwoHostsWould()
    {
        RedisApprovalStore first = RedisTestServer.CreateApprovalStore(_prefix, _time);
        RedisApprovalStore second = RedisTestServer.CreateApprovalStore(_prefix, _time);
        RedisApprovalStore otherApplication = RedisTestServer.CreateApprovalStore(RedisTestServer.UniquePrefix(), _time);

        ApprovalRequest request = (await first.GetOrAddAsync(NewRequest("call-1")))!;
        Assert.Equal(request, await second.GetOrAddAsync(NewRequest("call-1")));
        Assert.True((await second.DecideAsync(request.Id, new ApprovalVerdict(true, "alice", null, Timeout))).Succeeded);

        Assert.Null(await otherApplication.GetAsync(request.Id));
        Assert.True(await first.TryUseAsync(request.Id));
        Assert.False(await second.TryUseAsync(request.Id));
    }

    [RedisFact]
    public async Task GetOrAdd_RequestOverTheBound_ThrowsSayingWhichBoundAndStoresNothing()
    {
        RedisApprovalStore store = RedisTestServer.CreateApprovalStore(_prefix, _time, options => options.MaxRequestBytes = 2048);
        ApprovalRequest large = NewRequest("call-1") with { Arguments = $$"""{"memo":"{{new string('x', 2048)}}"}""" };

        var ex = await Assert.ThrowsAsync<ArgumentException>(async () => await store.GetOrAddAsync(large));

        Assert.Contains("The approval request to call 'wire' takes", ex.Message, StringComparison.Ordinal);
        Assert.Contains("more than the 2,048 the Redis approval store keeps per request (RedisApprovalStoreOptions.MaxRequestBytes)", ex.Message, StringComparison.Ordinal);
        Assert.Empty(RedisTestServer.KeysUnder(_prefix));
        Assert.NotNull(await store.GetOrAddAsync(NewRequest("call-1") with { Arguments = $$"""{"memo":"{{new string('x', 1500)}}"}""" }));
    }

    [RedisFact]
    public async Task Decide_ReasonOverTheBound_ThrowsAndLeavesTheRequestPending()
    {
        RedisApprovalStore store = RedisTestServer.CreateApprovalStore(_prefix, _time, options => options.MaxRequestBytes = 2048);
        ApprovalRequest request = (await store.GetOrAddAsync(NewRequest("call-1")))!;

        var ex = await Assert.ThrowsAsync<ArgumentException>(async () =>
            await store.DecideAsync(request.Id, new ApprovalVerdict(false, "bob", new string('x', 3000), Timeout)));

        Assert.Contains("shorten the reason", ex.Message, StringComparison.Ordinal);
        Assert.Equal(ApprovalState.Pending, (await store.GetAsync(request.Id))!.State);
    }

    [Fact]
    public void Constructor_InvalidOptions_EveryProblemReportedAtOnce()
    {
        var options = new RedisApprovalStoreOptions
        {
            KeyPrefix = "app{1}",
            Timeout = TimeSpan.Zero,
            MaxRequests = 0,
            MaxRequestBytes = 10,
            Retention = TimeSpan.FromSeconds(-1),
        };

        var ex = Assert.Throws<ArgumentException>(() => new RedisApprovalStore(options));

        Assert.Equal("options", ex.ParamName);
        Assert.Contains("RedisApprovalStoreOptions.ConnectionMultiplexer is not set", ex.Message, StringComparison.Ordinal);
        Assert.Contains("RedisApprovalStoreOptions.KeyPrefix \"app{1}\" contains a brace", ex.Message, StringComparison.Ordinal);
        Assert.Contains("RedisApprovalStoreOptions.Timeout is 00:00:00; use a value from 1 millisecond to 1 minute", ex.Message, StringComparison.Ordinal);
        Assert.Contains("RedisApprovalStoreOptions.MaxRequests is 0; use a value from 1 to 1,000,000", ex.Message, StringComparison.Ordinal);
        Assert.Contains("RedisApprovalStoreOptions.MaxRequestBytes is 10; use a value from 1,024 to", ex.Message, StringComparison.Ordinal);
        Assert.Contains("RedisApprovalStoreOptions.Retention is -00:00:01; use a value from zero to 365 days", ex.Message, StringComparison.Ordinal);
    }

    [RedisFact]
    public async Task ApprovalWorkflow_OnAThreeNodeCluster_RunsInOneSlot()
    {
        await using DedicatedRedisCluster cluster = await DedicatedRedisCluster.StartAsync();
        await using ConnectionMultiplexer connection = await ConnectionMultiplexer.ConnectAsync(cluster.Configuration);
        var store = new RedisApprovalStore(new RedisApprovalStoreOptions { ConnectionMultiplexer = connection, TimeProvider = _time, Timeout = TimeSpan.FromSeconds(30) });

        ApprovalRequest request = (await store.GetOrAddAsync(NewRequest("call-1")))!;
        Assert.True((await store.DecideAsync(request.Id, new ApprovalVerdict(true, "alice", null, Timeout))).Succeeded);
        Assert.Equal([], await store.GetPendingAsync());
        bool[] used = await Task.WhenAll(Enumerable.Range(0, 16).Select(_ => store.TryUseAsync(request.Id).AsTask()));

        Assert.Equal(1, used.Count(u => u));
        Assert.Equal(ApprovalState.Used, (await store.GetAsync(request.Id))!.State);
        RedisKey[] keys = [.. new[] { "requests", "calls", "removals" }.Select(k => (RedisKey)("policylayer:{approvals}:" + k))];
        Assert.Single(keys.Select(k => connection.HashSlot(k)).Distinct());
    }

    private async Task<TimeSpan> KeyExpiryAsync() =>
        (await RedisTestServer.Shared.GetDatabase().KeyTimeToLiveAsync(_prefix + "{approvals}:requests"))!.Value;

    private ApprovalRequest NewRequest(string key, TimeSpan? timeout = null)
    {
        DateTimeOffset now = _time.GetUtcNow();
        return new ApprovalRequest("apr_" + Guid.NewGuid().ToString("N"), key, "wire", "grant-a", """{"amount":10}""", "Wires need a person.", now, now + (timeout ?? Timeout));
    }
}
