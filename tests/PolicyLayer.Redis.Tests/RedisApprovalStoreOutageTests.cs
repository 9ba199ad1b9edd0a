using Microsoft.Extensions.Time.Testing;
using PolicyLayer.Approvals;
using PolicyLayer.Authorization;
using PolicyLayer.Policies;
using PolicyLayer.Redis.Approvals;
using PolicyLayer.Redis.Tests.Infrastructure;
using StackExchange.Redis;

namespace PolicyLayer.Redis.Tests;

/// <summary>
/// Redis going away, stalling and losing its scripts under the approval store, on a redis-server process of each test's
/// own. The store throws, saying what happened; the authorizer refuses the call saying the approval store is
/// unavailable (fail closed). Real time is used only to wait for the client to connect and reconnect.
/// </summary>
public sealed class RedisApprovalStoreOutageTests
{
    private const int ReconnectAttempts = 120;
    private const string PolicyText = """{ "version": "1", "default": "deny", "tools": { "wire": { "action": "require_approval" } } }""";
    private static readonly TimeSpan ReconnectPoll = TimeSpan.FromMilliseconds(250);

    private readonly FakeTimeProvider _time = new(new DateTimeOffset(2026, 3, 14, 15, 9, 26, 535, TimeSpan.Zero));

    [RedisFact]
    public async Task Authorize_ServerKilled_RefusedAsUnavailableThenSameStoresWorkAgain()
    {
        await using DedicatedRedisServer server = await DedicatedRedisServer.StartAsync();
        await using RedisCounterStore counters = CounterStore(server);
        await StoreConnections.WaitUntilConnectedAsync(counters);
        RedisApprovalStore approvals = ApprovalStore(counters, TimeSpan.FromSeconds(5));
        var authorizer = new PolicyAuthorizer(Policy.Parse(PolicyText), counters, new PolicyAuthorizerOptions { TimeProvider = _time, ApprovalStore = approvals });
        var service = new ApprovalService(approvals);
        Assert.Equal(DecisionOutcome.RequireApproval, (await authorizer.AuthorizeAsync(new ToolCall("wire"))).Outcome);

        await server.KillAsync();
        AuthorizationDecision refused = await authorizer.AuthorizeAsync(new ToolCall("wire"));
        var approveFailed = await Assert.ThrowsAsync<RedisException>(async () => await service.ApproveAsync("apr_1", "alice"));
        var listFailed = await Assert.ThrowsAsync<RedisException>(async () => await service.GetPendingAsync());

        Assert.Equal(DecisionOutcome.Deny, refused.Outcome);
        Assert.StartsWith("Refused because the approval store is unavailable (", refused.Message, StringComparison.Ordinal);
        // Which one depends on whether the client noticed the dead socket before sending.
        Assert.Matches(@"\((no connection to Redis \(\w+\)\.|Redis did not answer within \d+ ms\.)\); approvals fail closed", refused.Message);
        Assert.DoesNotContain("127.0.0.1", refused.Message, StringComparison.Ordinal);
        Assert.EndsWith("approvals fail closed. Try again shortly.", refused.Message, StringComparison.Ordinal);
        Assert.Null(refused.ApprovalId);
        Assert.Contains("Redis", approveFailed.Message, StringComparison.Ordinal);
        Assert.NotNull(approveFailed.InnerException);
        Assert.Contains("Redis", listFailed.Message, StringComparison.Ordinal);

        await server.StartAgainAsync();
        Assert.True(await AskedAfterReconnectAsync(authorizer), "The approval store did not recover after Redis came back.");
    }

    [RedisFact]
    public async Task GetOrAdd_ServerStalledBeyondTimeout_ThrowsWithoutWaitingForIt()
    {
        await using DedicatedRedisServer server = await DedicatedRedisServer.StartAsync();
        await using RedisCounterStore counters = CounterStore(server);
        await StoreConnections.WaitUntilConnectedAsync(counters);
        RedisApprovalStore approvals = ApprovalStore(counters, TimeSpan.FromMilliseconds(250));
        Assert.NotNull(await approvals.GetOrAddAsync(NewRequest("call-1")));
        using ConnectionMultiplexer admin = await ConnectionMultiplexer.ConnectAsync(server.Address + ",allowAdmin=true");
        IServer adminServer = admin.GetServer(admin.GetEndPoints()[0]);

        // A paused server holds every write (and so every script) without answering.
        await adminServer.ExecuteAsync("CLIENT", "PAUSE", "60000", "WRITE");
        try
        {
            ValueTask<ApprovalRequest?> pending = approvals.GetOrAddAsync(NewRequest("call-2"));
            Assert.False(pending.IsCompleted);
            _time.Advance(TimeSpan.FromMilliseconds(250));

            var ex = await Assert.ThrowsAsync<RedisException>(async () => await pending);
            Assert.Equal("Redis did not answer within 250 ms.", ex.Message);
        }
        finally
        {
            await adminServer.ExecuteAsync("CLIENT", "UNPAUSE");
        }
    }

    [RedisFact]
    public async Task Operations_AfterScriptFlush_LoadTheScriptAgain()
    {
        await using DedicatedRedisServer server = await DedicatedRedisServer.StartAsync();
        await using RedisCounterStore counters = CounterStore(server);
        await StoreConnections.WaitUntilConnectedAsync(counters);
        RedisApprovalStore approvals = ApprovalStore(counters, TimeSpan.FromSeconds(5));
        using ConnectionMultiplexer admin = await ConnectionMultiplexer.ConnectAsync(server.Address + ",allowAdmin=true");
        IServer adminServer = admin.GetServer(admin.GetEndPoints()[0]);

        await adminServer.ScriptFlushAsync();
        ApprovalRequest request = (await approvals.GetOrAddAsync(NewRequest("call-1")))!;
        await adminServer.ScriptFlushAsync();
        ApprovalChange change = await approvals.DecideAsync(request.Id, new ApprovalVerdict(true, "alice", null, TimeSpan.FromMinutes(5)));
        await adminServer.ScriptFlushAsync();

        Assert.True(change.Succeeded);
        Assert.True(await approvals.TryUseAsync(request.Id));
    }

    private static RedisCounterStore CounterStore(DedicatedRedisServer server) => new(new RedisCounterStoreOptions
    {
        // A short connect timeout makes the client's reconnection attempts come sooner.
        Configuration = server.Address + ",connectTimeout=1000",
        Timeout = TimeSpan.FromSeconds(5),
    });

    /// <summary>On the counter store's connection, as dependency injection does it.</summary>
    private RedisApprovalStore ApprovalStore(RedisCounterStore counters, TimeSpan timeout) =>
        new(new RedisApprovalStoreOptions { TimeProvider = _time, Timeout = timeout }, counters.Connection);

    private ApprovalRequest NewRequest(string key)
    {
        DateTimeOffset now = _time.GetUtcNow();
        return new ApprovalRequest("apr_" + Guid.NewGuid().ToString("N"), key, "wire", "anonymous", "{}", "r", now, now + TimeSpan.FromMinutes(10));
    }

    private static async Task<bool> AskedAfterReconnectAsync(PolicyAuthorizer authorizer)
    {
        for (int attempt = 0; attempt < ReconnectAttempts; attempt++)
        {
            AuthorizationDecision decision = await authorizer.AuthorizeAsync(new ToolCall("wire"));
            if (decision.Outcome == DecisionOutcome.RequireApproval)
            {
                return true;
            }

            Assert.StartsWith("Refused because the approval store is unavailable (", decision.Message, StringComparison.Ordinal);

            // Real time: the client library reconnects on its own clock.
            await Task.Delay(ReconnectPoll);
        }

        return false;
    }
}
