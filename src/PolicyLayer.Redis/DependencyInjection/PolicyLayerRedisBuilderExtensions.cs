using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using PolicyLayer.Counters;
using PolicyLayer.DependencyInjection;
using PolicyLayer.Redis;
using PolicyLayer.Redis.Approvals;
using PolicyLayer.Redis.DependencyInjection;
using StackExchange.Redis;

namespace Microsoft.Extensions.DependencyInjection;

/// <summary>Registers <see cref="RedisCounterStore"/> as PolicyLayer's counter store, and <see cref="RedisApprovalStore"/> as its approval store.</summary>
public static class PolicyLayerRedisBuilderExtensions
{
    /// <summary>
    /// Keeps PolicyLayer's budgets in Redis instead of in memory: replaces the registered
    /// <see cref="ICounterStore"/> with a singleton <see cref="RedisCounterStore"/>. The options are validated when
    /// the host starts, and every problem is reported at once.
    /// </summary>
    /// <remarks>
    /// With approvals (<c>AddApprovals()</c>, called before this), approval requests are kept in Redis too: a
    /// <see cref="RedisApprovalStore"/> on the same connection, with the same key prefix and timeout, replaces the
    /// in-memory default. An <see cref="PolicyLayer.Approvals.IApprovalStore"/> the host registered itself is kept.
    /// <c>AddApprovals()</c> called after this is reported when the host starts.
    /// </remarks>
    /// <param name="builder">The builder <c>services.AddPolicyLayer(...)</c> returned.</param>
    /// <param name="configure">Sets the options: at least <see cref="RedisCounterStoreOptions.Configuration"/> or
    /// <see cref="RedisCounterStoreOptions.ConnectionMultiplexer"/>.</param>
    /// <returns>The builder.</returns>
    public static IPolicyLayerBuilder UseRedis(this IPolicyLayerBuilder builder, Action<RedisCounterStoreOptions> configure)
    {
        ArgumentNullException.ThrowIfNull(builder);
        ArgumentNullException.ThrowIfNull(configure);
        IServiceCollection services = builder.Services;
        services.AddOptions<RedisCounterStoreOptions>().Configure(configure).ValidateOnStart();
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<RedisCounterStoreOptions>, RedisCounterStoreOptionsValidator>());
        services.TryAddSingleton(static provider =>
        {
            RedisCounterStoreOptions options = provider.GetRequiredService<IOptions<RedisCounterStoreOptions>>().Value;
            if (options.TimeProvider is null && provider.GetService<TimeProvider>() is { } registered)
            {
                options = Copy(options, registered);
            }

            return new RedisCounterStore(options, provider.GetService<ILogger<RedisCounterStore>>());
        });
        services.RemoveAll<ICounterStore>();
        services.AddSingleton<ICounterStore>(static provider => provider.GetRequiredService<RedisCounterStore>());
        RedisApprovalRegistration.Register(services);
        return builder;
    }

    /// <summary>Keeps PolicyLayer's budgets in the Redis server that <paramref name="configuration"/> names.</summary>
    /// <param name="builder">The builder <c>services.AddPolicyLayer(...)</c> returned.</param>
    /// <param name="configuration">A StackExchange.Redis configuration string, such as <c>"localhost:6379"</c>.</param>
    /// <returns>The builder.</returns>
    public static IPolicyLayerBuilder UseRedis(this IPolicyLayerBuilder builder, string configuration) =>
        builder.UseRedis(options => options.Configuration = configuration);

    /// <summary>Keeps PolicyLayer's budgets in Redis through an existing connection, which the store does not dispose.</summary>
    /// <param name="builder">The builder <c>services.AddPolicyLayer(...)</c> returned.</param>
    /// <param name="connection">The shared connection (created with <c>AbortOnConnectFail = false</c>).</param>
    /// <returns>The builder.</returns>
    public static IPolicyLayerBuilder UseRedis(this IPolicyLayerBuilder builder, IConnectionMultiplexer connection) =>
        builder.UseRedis(options => options.ConnectionMultiplexer = connection);

    private static RedisCounterStoreOptions Copy(RedisCounterStoreOptions options, TimeProvider timeProvider) => new()
    {
        Configuration = options.Configuration,
        ConnectionMultiplexer = options.ConnectionMultiplexer,
        KeyPrefix = options.KeyPrefix,
        FailureMode = options.FailureMode,
        Timeout = options.Timeout,
        KeyDistribution = options.KeyDistribution,
        TimeProvider = timeProvider,
    };
}
