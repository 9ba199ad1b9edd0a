using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Time.Testing;
using PolicyLayer.Counters;
using PolicyLayer.Redis.Tests.Infrastructure;
using StackExchange.Redis;

namespace PolicyLayer.Redis.Tests;

/// <summary>
/// Redis going away, stalling and coming back, on a redis-server process of each test's own. Decisions are checked by
/// status, never by how long they took; real time is used only to wait for the client to reconnect.
/// </summary>
public sealed class RedisCounterStoreOutageTests
{
    private const int ReconnectAttempts = 120;
    private static readonly TimeSpan ReconnectPoll = TimeSpan.FromMilliseconds(250);

    [RedisFact]
    public async Task TryReserve_ServerKilledThenRestarted_UnavailableThenSameStoreWorksAgain()
    {
        await using DedicatedRedisServer server = await DedicatedRedisServer.StartAsync();
        var logger = new RecordingLogger<RedisCounterStore>();
        await using var store = new RedisCounterStore(Options(server, RedisFailureMode.Closed), logger);
        await StoreConnections.WaitUntilConnectedAsync(store);
        CounterRequest[] requests = [new CounterRequest(NewKey(max: 100), 1)];
        Assert.True((await store.TryReserveAsync(requests)).IsAdmitted);

        await server.KillAsync();
        ReservationResult down = await store.TryReserveAsync(requests);
        ReservationResult stillDown = await store.TryReserveAsync(requests);
        await store.RefundAsync(requests, down.Timestamp + 1);

        Assert.Equal(ReservationStatus.Unavailable, down.Status);
        Assert.False(down.FailedOpen);
        Assert.StartsWith("rate-limit store unavailable: ", down.Error, StringComparison.Ordinal);
        Assert.Equal(ReservationStatus.Unavailable, stillDown.Status);
        Assert.Contains(logger.Entries, e => e.Level == LogLevel.Warning && e.Message.Contains("FailureMode Closed", StringComparison.Ordinal));

        await server.StartAgainAsync();
        Assert.True(await AdmittedAfterReconnectAsync(store, requests), "The store did not recover after Redis came back.");
    }

    [RedisFact]
    public async Task Refund_ServerKilled_LoggedAndDroppedNotThrown()
    {
        // The host reports a failed tool after Redis went away: the refund cannot be made, and the cost keeps counting
        // until it slides out (which can only refuse, never over-admit). The host is not made to handle an exception.
        await using DedicatedRedisServer server = await DedicatedRedisServer.StartAsync();
        var logger = new RecordingLogger<RedisCounterStore>();
        await using var store = new RedisCounterStore(Options(server, RedisFailureMode.Closed), logger);
        await StoreConnections.WaitUntilConnectedAsync(store);
        CounterRequest[] requests = [new CounterRequest(NewKey(max: 100), 1)];
        ReservationResult admitted = await store.TryReserveAsync(requests);
        Assert.True(admitted.IsAdmitted);

        await server.KillAsync();
        await store.RefundAsync(requests, admitted.Timestamp);

        Assert.Contains(logger.Entries, e => e.Level == LogLevel.Warning
            && e.Message.StartsWith("Redis counter store could not give back a reservation's cost; it counts until it slides out: ", StringComparison.Ordinal));
    }

    [RedisFact]
    public async Task TryReserve_ServerKilledWithFailOpen_AdmittedUncountedAndLogged()
    {
        await using DedicatedRedisServer server = await DedicatedRedisServer.StartAsync();
        var logger = new RecordingLogger<RedisCounterStore>();
        await using var store = new RedisCounterStore(Options(server, RedisFailureMode.Open), logger);
        await StoreConnections.WaitUntilConnectedAsync(store);
        CounterKey key = NewKey(max: 2);
        CounterRequest[] requests = [new CounterRequest(key, 1)];
        Assert.True((await store.TryReserveAsync(requests)).IsAdmitted);

        await server.KillAsync();
        ReservationResult[] during = new ReservationResult[5];
        for (int i = 0; i < during.Length; i++)
        {
            during[i] = await store.TryReserveAsync(requests);
        }

        Assert.All(during, result =>
        {
            Assert.True(result.IsAdmitted);
            Assert.True(result.FailedOpen);
            Assert.StartsWith("rate-limit store unavailable: ", result.Error, StringComparison.Ordinal);
        });
        Assert.Contains(logger.Entries, e => e.Level == LogLevel.Warning && e.Message.Contains("admitted without counting", StringComparison.Ordinal));

        // Refunding a fail-open admission gives nothing back (it counted nothing) and throws nothing.
        await store.RefundAsync(requests, during[0].Timestamp);
    }

    [RedisFact]
    public async Task TryReserve_ServerStalledBeyondTimeout_UnavailableWithoutWaitingForIt()
    {
        await using DedicatedRedisServer server = await DedicatedRedisServer.StartAsync();
        var time = new FakeTimeProvider();
        RedisCounterStoreOptions options = Options(server, RedisFailureMode.Closed);
        options.TimeProvider = time;
        options.Timeout = TimeSpan.FromMilliseconds(250);
        await using var store = new RedisCounterStore(options);
        await StoreConnections.WaitUntilConnectedAsync(store);
        CounterRequest[] requests = [new CounterRequest(NewKey(max: 100), 1)];
        Assert.True((await store.TryReserveAsync(requests)).IsAdmitted);
        using ConnectionMultiplexer admin = await ConnectionMultiplexer.ConnectAsync(server.Address + ",allowAdmin=true");
        IServer adminServer = admin.GetServer(admin.GetEndPoints()[0]);

        // A paused server holds every write (and so every reservation script) without answering.
        await adminServer.ExecuteAsync("CLIENT", "PAUSE", "60000", "WRITE");
        try
        {
            ValueTask<ReservationResult> pending = store.TryReserveAsync(requests);
            Assert.False(pending.IsCompleted);
            time.Advance(TimeSpan.FromMilliseconds(250));
            ReservationResult result = await pending;

            Assert.Equal(ReservationStatus.Unavailable, result.Status);
            Assert.Contains("did not answer within 250 ms", result.Error, StringComparison.Ordinal);
        }
        finally
        {
            await adminServer.ExecuteAsync("CLIENT", "UNPAUSE");
        }
    }

    [RedisFact]
    public async Task TryReserve_AfterScriptFlush_LoadsScriptsAgainAndCountsOn()
    {
        await using DedicatedRedisServer server = await DedicatedRedisServer.StartAsync();
        await using var store = new RedisCounterStore(Options(server, RedisFailureMode.Closed));
        await StoreConnections.WaitUntilConnectedAsync(store);
        CounterKey key = NewKey(max: 3);
        CounterRequest[] requests = [new CounterRequest(key, 1)];
        Assert.True((await store.TryReserveAsync(requests)).IsAdmitted);
        using ConnectionMultiplexer admin = await ConnectionMultiplexer.ConnectAsync(server.Address + ",allowAdmin=true");
        IServer adminServer = admin.GetServer(admin.GetEndPoints()[0]);

        await adminServer.ScriptFlushAsync();
        ReservationResult afterFlush = await store.TryReserveAsync(requests);
        await adminServer.ScriptFlushAsync();
        await store.RefundAsync(requests, afterFlush.Timestamp);

        // One reservation counts (the refund took back the second), so two more fit and a third does not.
        Assert.True(afterFlush.IsAdmitted);
        Assert.True((await store.TryReserveAsync(requests)).IsAdmitted);
        Assert.True((await store.TryReserveAsync(requests)).IsAdmitted);
        Assert.False((await store.TryReserveAsync(requests)).IsAdmitted);
        Assert.True(await adminServer.ScriptExistsAsync(CounterScriptsForTests.ReserveText));
    }

    private static RedisCounterStoreOptions Options(DedicatedRedisServer server, RedisFailureMode mode) => new()
    {
        // A short connect timeout makes the client's reconnection attempts come sooner.
        Configuration = server.Address + ",connectTimeout=1000",
        FailureMode = mode,
        Timeout = TimeSpan.FromSeconds(5),
    };

    private static CounterKey NewKey(decimal max) =>
        new(new CounterDefinition($"outage-{Guid.NewGuid():N}", TimeSpan.FromMinutes(10), max), "grant-a");

    private static async Task<bool> AdmittedAfterReconnectAsync(ICounterStore store, CounterRequest[] requests)
    {
        for (int attempt = 0; attempt < ReconnectAttempts; attempt++)
        {
            ReservationResult result = await store.TryReserveAsync(requests);
            if (result.IsAdmitted)
            {
                return true;
            }

            Assert.Equal(ReservationStatus.Unavailable, result.Status);

            // Real time: the client library reconnects on its own clock.
            await Task.Delay(ReconnectPoll);
        }

        return false;
    }
}
