using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using PolicyLayer;
using PolicyLayer.Authorization;
using PolicyLayer.Counters;
using PolicyLayer.DependencyInjection;

namespace Microsoft.Extensions.DependencyInjection;

/// <summary>Registers PolicyLayer in a service collection.</summary>
public static class PolicyLayerServiceCollectionExtensions
{
    /// <summary>
    /// Registers the <see cref="IToolCallAuthorizer"/> (a <see cref="PolicyAuthorizer"/>), an in-memory
    /// <see cref="ICounterStore"/> unless one is registered, and <see cref="TimeProvider.System"/> unless a
    /// <see cref="TimeProvider"/> is registered. The options, and the policy they name, are validated when the
    /// host starts. Calling this more than once adds nothing twice.
    /// </summary>
    /// <param name="services">The services.</param>
    /// <param name="configure">Sets where the policy comes from, for example <c>o =&gt; o.PolicyFile = "policy.json"</c>.</param>
    /// <returns>A builder for extension packages, such as <c>.UseRedis(...)</c>.</returns>
    public static IPolicyLayerBuilder AddPolicyLayer(this IServiceCollection services, Action<PolicyLayerOptions> configure)
    {
        ArgumentNullException.ThrowIfNull(services);
        ArgumentNullException.ThrowIfNull(configure);

        services.AddOptions<PolicyLayerOptions>().Configure(configure).ValidateOnStart();
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<PolicyLayerOptions>, PolicyLayerOptionsValidator>());
        services.TryAddSingleton(TimeProvider.System);
        services.TryAddSingleton<ICounterStore>(sp => new InMemoryCounterStore(sp.GetRequiredService<TimeProvider>()));
        services.TryAddSingleton(CreateAuthorizer);
        services.TryAddSingleton<IToolCallAuthorizer>(sp => sp.GetRequiredService<PolicyAuthorizer>());
        ProductionRegistration.Register(services);
        return new PolicyLayerBuilder(services);
    }

    private static PolicyAuthorizer CreateAuthorizer(IServiceProvider services)
    {
        // Reading the options runs the validator, so a bad policy fails here even without ValidateOnStart.
        var options = services.GetRequiredService<IOptions<PolicyLayerOptions>>().Value;
        var policy = PolicySources.Load(options).Policy ?? throw new InvalidOperationException("The policy did not load; see the options validation errors.");
        var authorizerOptions = ProductionRegistration.AuthorizerOptions(services, options);
        var authorizer = new PolicyAuthorizer(policy, services.GetRequiredService<ICounterStore>(), authorizerOptions, services.GetService<ILogger<PolicyAuthorizer>>());
        ProductionRegistration.Start(services, authorizer, options);
        return authorizer;
    }

    private sealed class PolicyLayerBuilder(IServiceCollection services) : IPolicyLayerBuilder
    {
        public IServiceCollection Services { get; } = services;
    }
}
