namespace PolicyLayer.Redis.Tests.Infrastructure;

/// <summary>Waits for a store's client to finish connecting to a server a test has just started.</summary>
/// <remarks>
/// The store never waits for Redis (<c>AbortOnConnectFail</c> is off) and fails a command at once while disconnected.
/// On a loaded machine the first connection can outlast the connect timeout and be made on a retry, so a test whose
/// first call must reach Redis waits for it first, as it waits after restarting a server.
/// </remarks>
internal static class StoreConnections
{
    private const int Attempts = 400;
    private static readonly TimeSpan Poll = TimeSpan.FromMilliseconds(50);

    public static async Task WaitUntilConnectedAsync(RedisCounterStore store)
    {
        var connection = await store.Connection;
        for (var attempt = 0; attempt < Attempts && !connection.IsConnected; attempt++)
        {
            // Real time: the client connects on its own clock.
            await Task.Delay(Poll);
        }

        Assert.True(connection.IsConnected, $"The store's client did not connect to the test server within {Attempts * Poll.TotalSeconds} s.");
    }
}
