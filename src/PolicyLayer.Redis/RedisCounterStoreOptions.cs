using StackExchange.Redis;

namespace PolicyLayer.Redis;

/// <summary>Configures <see cref="RedisCounterStore"/>. Validated once, then copied: later changes have no effect.</summary>
public sealed class RedisCounterStoreOptions
{
    /// <summary>The default for <see cref="KeyPrefix"/>.</summary>
    public const string DefaultKeyPrefix = "policylayer:";

    /// <summary>The default for <see cref="Timeout"/>: 250 milliseconds.</summary>
    public static readonly TimeSpan DefaultTimeout = TimeSpan.FromMilliseconds(250);

    /// <summary>
    /// A StackExchange.Redis configuration string such as <c>"redis.internal:6379,password=…,ssl=true"</c>. The store
    /// connects with it and owns the connection. Set this or <see cref="ConnectionMultiplexer"/>, not both.
    /// </summary>
    /// <remarks>
    /// The store overrides two settings so that an outage never blocks a caller: <c>abortConnect=false</c> (start and
    /// keep reconnecting while Redis is down) and a fail-fast backlog (a command sent while disconnected fails at once
    /// rather than waiting to be replayed later).
    /// </remarks>
    public string? Configuration { get; set; }

    /// <summary>
    /// An existing connection to share with the rest of the application. The store does not dispose it. Set this or
    /// <see cref="Configuration"/>, not both. Create it with <c>AbortOnConnectFail = false</c> so that it reconnects
    /// by itself.
    /// </summary>
    public IConnectionMultiplexer? ConnectionMultiplexer { get; set; }

    /// <summary>
    /// Put before every key, so that several applications (or environments) can share one Redis. At most 128
    /// characters, without braces. Default <c>"policylayer:"</c>.
    /// </summary>
    public string KeyPrefix { get; set; } = DefaultKeyPrefix;

    /// <summary>What to answer when Redis cannot answer in time. Default <see cref="RedisFailureMode.Closed"/>.</summary>
    public RedisFailureMode FailureMode { get; set; } = RedisFailureMode.Closed;

    /// <summary>
    /// How long one reservation or refund may take, round trip included, before the store gives up and answers by
    /// <see cref="FailureMode"/>. Between 1 millisecond and 1 minute; default 250 milliseconds.
    /// </summary>
    public TimeSpan Timeout { get; set; } = DefaultTimeout;

    /// <summary>How keys are spread over a Redis Cluster's slots. Default <see cref="RedisKeyDistribution.PerPartition"/>.</summary>
    public RedisKeyDistribution KeyDistribution { get; set; } = RedisKeyDistribution.PerPartition;

    /// <summary>
    /// The clock for <see cref="Timeout"/> and for spacing out log messages; never for budgets, whose time comes from
    /// the Redis server. <see langword="null"/> for the <see cref="System.TimeProvider"/> registered in the service
    /// provider, or <see cref="System.TimeProvider.System"/>.
    /// </summary>
    public TimeProvider? TimeProvider { get; set; }
}
