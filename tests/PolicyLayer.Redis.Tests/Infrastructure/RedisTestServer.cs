using PolicyLayer.Redis;
using PolicyLayer.Redis.Approvals;
using StackExchange.Redis;

namespace PolicyLayer.Redis.Tests.Infrastructure;

/// <summary>The Redis server the tests use: the one <c>scripts/services.sh</c> started, named by POLICYLAYER_REDIS.</summary>
internal static class RedisTestServer
{
    public const string Missing = "Redis tests need POLICYLAYER_REDIS; run scripts/test.sh (or eval \"$(bash scripts/services.sh start)\" first).";

    private static readonly Lazy<ConnectionMultiplexer> SharedConnection = new(() =>
        ConnectionMultiplexer.Connect(RequireAddress() + ",abortConnect=false,allowAdmin=true"));

    /// <summary>host:port, or <see langword="null"/> when the variable is not set.</summary>
    public static string? Address => Environment.GetEnvironmentVariable("POLICYLAYER_REDIS") is { Length: > 0 } address ? address : null;

    /// <summary>In CI a missing server is a failure, not a skip.</summary>
    public static bool IsCi => string.Equals(Environment.GetEnvironmentVariable("CI"), "true", StringComparison.OrdinalIgnoreCase);

    /// <summary>One connection shared by tests that do not test connections (admin commands allowed).</summary>
    public static ConnectionMultiplexer Shared => SharedConnection.Value;

    public static string RequireAddress() => Address ?? throw new InvalidOperationException(Missing);

    /// <summary>A key prefix no other test uses, so tests can run in parallel on one server.</summary>
    public static string UniquePrefix() => $"pltest:{Guid.NewGuid():N}:";

    /// <summary>A store on the shared connection.</summary>
    public static RedisCounterStore CreateStore(Action<RedisCounterStoreOptions>? configure = null)
    {
        // A generous timeout: a test machine under load must not turn a slow answer into a failed test. Timeouts are
        // tested with a fake clock.
        var options = new RedisCounterStoreOptions { ConnectionMultiplexer = Shared, KeyPrefix = UniquePrefix(), Timeout = TimeSpan.FromSeconds(30) };
        configure?.Invoke(options);
        return new RedisCounterStore(options);
    }

    /// <summary>An approval store on the shared connection, with <paramref name="time"/> as its clock.</summary>
    public static RedisApprovalStore CreateApprovalStore(string prefix, TimeProvider time, Action<RedisApprovalStoreOptions>? configure = null)
    {
        var options = new RedisApprovalStoreOptions { ConnectionMultiplexer = Shared, KeyPrefix = prefix, TimeProvider = time, Timeout = TimeSpan.FromSeconds(30) };
        configure?.Invoke(options);
        return new RedisApprovalStore(options);
    }

    /// <summary>The keys under <paramref name="prefix"/> on the test server.</summary>
    public static List<string> KeysUnder(string prefix) =>
        Shared.GetServer(Shared.GetEndPoints()[0]).Keys(pattern: prefix + "*").Select(k => k.ToString()).ToList();
}
