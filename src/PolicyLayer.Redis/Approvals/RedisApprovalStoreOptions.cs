using StackExchange.Redis;

namespace PolicyLayer.Redis.Approvals;

/// <summary>Configures <see cref="RedisApprovalStore"/>. Validated once, then copied: later changes have no effect.</summary>
/// <remarks>
/// Through dependency injection (<c>UseRedis</c> with <c>AddApprovals</c>) the store is configured for you: the counter
/// store's connection, key prefix and timeout, the registered <see cref="System.TimeProvider"/>, and
/// <c>ApprovalOptions.MaxRequests</c>; the other options keep their defaults.
/// </remarks>
public sealed class RedisApprovalStoreOptions
{
    /// <summary>The default for <see cref="MaxRequestBytes"/>: 64 KiB.</summary>
    public const int DefaultMaxRequestBytes = 64 * 1024;

    /// <summary>The largest <see cref="MaxRequests"/> accepted.</summary>
    public const int MaxMaxRequests = 1_000_000;

    /// <summary>The largest <see cref="MaxRequestBytes"/> accepted: 16 MiB.</summary>
    public const int MaxMaxRequestBytes = 16 * 1024 * 1024;

    /// <summary>
    /// The connection (required). The store does not dispose it. Create it with <c>AbortOnConnectFail = false</c> so
    /// that it reconnects by itself; share the application's, or the one <see cref="RedisCounterStoreOptions"/> names.
    /// </summary>
    public IConnectionMultiplexer? ConnectionMultiplexer { get; set; }

    /// <summary>
    /// Put before every key, as <see cref="RedisCounterStoreOptions.KeyPrefix"/> is (at most 128 characters, no braces).
    /// Default <c>"policylayer:"</c>. Hosts that share approvals must use the same prefix.
    /// </summary>
    public string KeyPrefix { get; set; } = RedisCounterStoreOptions.DefaultKeyPrefix;

    /// <summary>
    /// How long one operation may take, round trip included, before it fails (and the authorizer refuses the call).
    /// Between 1 millisecond and 1 minute; default 250 milliseconds. A listing of pending requests applies it to each
    /// of its round trips.
    /// </summary>
    public TimeSpan Timeout { get; set; } = RedisCounterStoreOptions.DefaultTimeout;

    /// <summary>
    /// The clock that decides expiry (the authorizer's, which sets <c>ExpiresAt</c>) and measures
    /// <see cref="Timeout"/>; <see langword="null"/> for <see cref="System.TimeProvider.System"/>.
    /// </summary>
    public TimeProvider? TimeProvider { get; set; }

    /// <summary>
    /// The most requests held at once, in any state, over every host sharing the store. Default 10,000 (at most
    /// 1,000,000). When full, requests that lapsed are removed; if none has, new requests are refused.
    /// </summary>
    public int MaxRequests { get; set; } = 10_000;

    /// <summary>
    /// The most bytes one request may take as stored (its JSON: mostly the call's canonical arguments). Default 64 KiB
    /// (at most 16 MiB). A larger request is not stored, and the call is refused saying so.
    /// </summary>
    public int MaxRequestBytes { get; set; } = DefaultMaxRequestBytes;

    /// <summary>How long a request is kept (for <c>GetAsync</c>) after it expires. Default: 1 hour.</summary>
    public TimeSpan Retention { get; set; } = TimeSpan.FromHours(1);

    /// <summary>Every problem of <paramref name="options"/>, each saying which option and how to fix it.</summary>
    internal static List<string> Check(RedisApprovalStoreOptions options, bool connectionRequired)
    {
        const string Where = "RedisApprovalStoreOptions";
        var errors = new List<string>();
        if (connectionRequired && options.ConnectionMultiplexer is null)
        {
            errors.Add($"{Where}.ConnectionMultiplexer is not set; set it to a shared connection (created with AbortOnConnectFail = false).");
        }

        RedisCounterStoreOptionsValidator.CheckKeyPrefix(Where, options.KeyPrefix, errors);
        RedisCounterStoreOptionsValidator.CheckTimeout(Where, options.Timeout, errors);
        if (options.MaxRequests is < 1 or > MaxMaxRequests)
        {
            errors.Add($"{Where}.MaxRequests is {options.MaxRequests}; use a value from 1 to {MaxMaxRequests:N0} (default 10,000).");
        }

        if (options.MaxRequestBytes is < 1024 or > MaxMaxRequestBytes)
        {
            errors.Add($"{Where}.MaxRequestBytes is {options.MaxRequestBytes}; use a value from 1,024 to {MaxMaxRequestBytes:N0} (default {DefaultMaxRequestBytes:N0}).");
        }

        if (options.Retention < TimeSpan.Zero || options.Retention > TimeSpan.FromDays(365))
        {
            errors.Add($"{Where}.Retention is {options.Retention}; use a value from zero to 365 days (default 1 hour).");
        }

        return errors;
    }
}
