using StackExchange.Redis;

namespace PolicyLayer.Redis;

/// <summary>Says in one line why a Redis round trip failed, for the stores' refusals and log messages.</summary>
internal static class RedisFailure
{
    /// <summary>What went wrong.</summary>
    /// <param name="ex">The failure.</param>
    /// <param name="timeout">The store's timeout, named when the failure is one.</param>
    /// <param name="connectionDetail">Whether to add the client's message to a connection failure: it names the
    /// server and dumps the client's state, which suits a log, not a refusal that a caller reads.</param>
    /// <returns>The description.</returns>
    public static string Describe(Exception ex, TimeSpan timeout, bool connectionDetail = true) => ex switch
    {
        TimeoutException => $"Redis did not answer within {timeout.TotalMilliseconds:0.###} ms.",
        RedisConnectionException connection when !connectionDetail => $"no connection to Redis ({connection.FailureType}).",
        RedisConnectionException connection => $"no connection to Redis ({connection.FailureType}): {connection.Message}",
        RedisServerException server => $"Redis answered with an error: {server.Message}",
        _ => $"{ex.GetType().Name}: {ex.Message}",
    };
}
