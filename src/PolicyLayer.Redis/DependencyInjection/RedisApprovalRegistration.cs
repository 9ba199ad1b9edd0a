using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;
using PolicyLayer.Approvals;
using PolicyLayer.Redis.Approvals;

namespace PolicyLayer.Redis.DependencyInjection;

/// <summary>
/// Makes <c>UseRedis</c> keep approval requests in Redis too, unless the host registered its own
/// <see cref="IApprovalStore"/>.
/// </summary>
/// <remarks>
/// <para><c>AddApprovals()</c> registers the in-memory store with <c>TryAdd</c>, and approvals are on exactly when an
/// <see cref="IApprovalStore"/> is registered, so <c>UseRedis</c> cannot register one ahead of <c>AddApprovals()</c>
/// without turning approvals on for hosts that never asked for them. So <c>UseRedis</c> replaces the in-memory default
/// that an earlier <c>AddApprovals()</c> registered, and leaves any other registration (the host's own) alone; when
/// <c>AddApprovals()</c> comes after <c>UseRedis</c>, options validation reports it when the host starts, rather than
/// letting each instance keep approvals of its own.</para>
/// </remarks>
internal static class RedisApprovalRegistration
{
    public static void Register(IServiceCollection services)
    {
        services.TryAddSingleton(static provider => Create(provider));
        int current = IndexOfApprovalStore(services);
        if (current >= 0 && IsInMemoryDefault(services[current]))
        {
            services[current] = ServiceDescriptor.Singleton<IApprovalStore>(static provider => provider.GetRequiredService<RedisApprovalStore>());
        }

        services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<ApprovalOptions>>(new AddApprovalsAfterUseRedisCheck(services)));
    }

    private static RedisApprovalStore Create(IServiceProvider provider)
    {
        RedisCounterStoreOptions counters = provider.GetRequiredService<IOptions<RedisCounterStoreOptions>>().Value;
        var options = new RedisApprovalStoreOptions
        {
            KeyPrefix = counters.KeyPrefix,
            Timeout = counters.Timeout,

            // The authorizer's clock, which sets every request's expiry.
            TimeProvider = provider.GetService<TimeProvider>() ?? counters.TimeProvider,
            MaxRequests = provider.GetService<IOptions<ApprovalOptions>>()?.Value.MaxRequests ?? new RedisApprovalStoreOptions().MaxRequests,
        };
        return new RedisApprovalStore(options, provider.GetRequiredService<RedisCounterStore>().Connection);
    }

    /// <summary>The registration that resolving <see cref="IApprovalStore"/> uses (the last one), or -1.</summary>
    private static int IndexOfApprovalStore(IServiceCollection services)
    {
        for (int i = services.Count - 1; i >= 0; i--)
        {
            if (services[i].ServiceType == typeof(IApprovalStore) && !services[i].IsKeyedService)
            {
                return i;
            }
        }

        return -1;
    }

    /// <summary>Whether <paramref name="descriptor"/> is the in-memory store <c>AddApprovals()</c> registers by default.</summary>
    /// <remarks>
    /// PolicyLayer.Core registers an <see cref="IApprovalStore"/> in one place only, <c>AddApprovals()</c>, with a
    /// factory of its own; a host's registration (even of an <see cref="InMemoryApprovalStore"/>) is an instance, a type
    /// or a factory of the host's assembly.
    /// </remarks>
    private static bool IsInMemoryDefault(ServiceDescriptor descriptor) =>
        descriptor.ImplementationFactory?.Method.DeclaringType?.Assembly == typeof(InMemoryApprovalStore).Assembly;

    /// <summary>Reports, when the host starts, an <c>AddApprovals()</c> that came after <c>UseRedis</c>.</summary>
    private sealed class AddApprovalsAfterUseRedisCheck(IServiceCollection services) : IValidateOptions<ApprovalOptions>
    {
        public ValidateOptionsResult Validate(string? name, ApprovalOptions options)
        {
            int current = IndexOfApprovalStore(services);
            return current >= 0 && IsInMemoryDefault(services[current])
                ? ValidateOptionsResult.Fail(
                    "AddApprovals() was called after UseRedis(...), so each instance of the host would keep approval requests in its own memory while budgets are shared in Redis. "
                    + "Call AddApprovals() before UseRedis(...) to keep them in Redis too, or register an IApprovalStore yourself.")
                : ValidateOptionsResult.Success;
        }
    }
}
