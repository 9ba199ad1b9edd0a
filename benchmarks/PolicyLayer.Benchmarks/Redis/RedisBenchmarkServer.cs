using System.Security.Cryptography;
using System.Text;
using PolicyLayer.Redis;
using StackExchange.Redis;

namespace PolicyLayer.Benchmarks.Redis;

/// <summary>The Redis server the benchmarks use: POLICYLAYER_REDIS, as <c>scripts/services.sh start</c> exports it.</summary>
internal static class RedisBenchmarkServer
{
    /// <summary>The smallest script there is: the cost of one EVALSHA round trip and nothing else.</summary>
    public const string TrivialScript = "return 1";

    public static string Address =>
        Environment.GetEnvironmentVariable("POLICYLAYER_REDIS") is { Length: > 0 } address
            ? address
            : throw new InvalidOperationException("Redis benchmarks need POLICYLAYER_REDIS: run eval \"$(bash scripts/services.sh start)\" first.");

    /// <summary>A store with a connection of its own, keys under a prefix of this run.</summary>
    public static RedisCounterStore CreateStore() => new(new RedisCounterStoreOptions
    {
        Configuration = Address,
        KeyPrefix = $"plbench:{Guid.NewGuid():N}:",
        Timeout = TimeSpan.FromSeconds(5),
    });

    /// <summary>Loads <see cref="TrivialScript"/> and returns its SHA-1 for EVALSHA.</summary>
    public static byte[] LoadTrivialScript(IConnectionMultiplexer connection)
    {
        foreach (IServer server in connection.GetServers())
        {
            server.ScriptLoad(TrivialScript);
        }

#pragma warning disable CA5350 // Redis names scripts by SHA-1.
        return SHA1.HashData(Encoding.UTF8.GetBytes(TrivialScript));
#pragma warning restore CA5350
    }

    /// <summary>Deletes the keys a benchmark left.</summary>
    public static void DeleteKeys(IConnectionMultiplexer connection, string pattern)
    {
        foreach (IServer server in connection.GetServers())
        {
            foreach (RedisKey key in server.Keys(pattern: pattern))
            {
                connection.GetDatabase().KeyDelete(key, CommandFlags.FireAndForget);
            }
        }
    }
}
