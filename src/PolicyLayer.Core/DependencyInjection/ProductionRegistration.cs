using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Microsoft.Extensions.Primitives;
using PolicyLayer.Approvals;
using PolicyLayer.Auditing;
using PolicyLayer.Authorization;
using PolicyLayer.Policies;
using PolicyLayer.Reload;

namespace PolicyLayer.DependencyInjection;

/// <summary>Wires decision records, approvals, shadow policies and reloading into <c>AddPolicyLayer</c>.</summary>
internal static class ProductionRegistration
{
    public static void Register(IServiceCollection services)
    {
        services.TryAddSingleton<PolicyReloadHandle>();
        services.TryAddSingleton(sp =>
        {
            // Creating the authorizer starts its reloader.
            sp.GetRequiredService<PolicyAuthorizer>();
            return sp.GetRequiredService<PolicyReloadHandle>().Reloader!;
        });
    }

    public static PolicyAuthorizerOptions AuthorizerOptions(IServiceProvider services, PolicyLayerOptions options) => new()
    {
        MaxArgumentBytes = options.MaxArgumentBytes,
        SchemaOptions = options.SchemaOptions,
        TimeProvider = services.GetRequiredService<TimeProvider>(),
        DecisionSinks = [.. services.GetServices<IDecisionSink>()],
        DecisionRecords = services.GetService<IOptions<DecisionRecordOptions>>()?.Value ?? DecisionRecordOptions.Default,
        ApprovalStore = services.GetService<IApprovalStore>(),
        ApprovalTimeout = services.GetService<IOptions<ApprovalOptions>>()?.Value.Timeout ?? TimeSpan.FromHours(1),
    };

    public static void Start(IServiceProvider services, PolicyAuthorizer authorizer, PolicyLayerOptions options)
    {
        if (options.ShadowPolicyFile is { } shadowFile)
        {
            authorizer.SetShadowPolicy(Policy.LoadFile(shadowFile, PolicySources.LoadOptions(options)).Policy
                ?? throw new InvalidOperationException("The shadow policy did not load; see the options validation errors."));
        }

        services.GetRequiredService<PolicyReloadHandle>().Start(services, authorizer, options);
    }

    /// <summary>Owns the reloader and the options subscription, so the container disposes them.</summary>
    internal sealed class PolicyReloadHandle : IDisposable
    {
        private IDisposable[] _subscriptions = [];

        public PolicyReloader? Reloader { get; private set; }

        public void Start(IServiceProvider services, PolicyAuthorizer authorizer, PolicyLayerOptions options)
        {
            var reloader = new PolicyReloader(
                authorizer,
                new PolicyReloaderOptions
                {
                    PolicyFile = options.PolicyFile,
                    Watch = options.ReloadOnChange && options.PolicyFile is not null,
                    LoadOptions = PolicySources.LoadOptions(options),
                },
                services.GetService<ILogger<PolicyReloader>>(),
                services.GetRequiredService<TimeProvider>());
            Reloader = reloader;
            if (options.ReloadOnChange)
            {
                // Not IOptionsMonitor.OnChange: the monitor validates the changed options before it reports them, and
                // the validator loads the policy, so an edit with errors would throw inside the configuration reload
                // and never reach the reloader, which logs every error with its line and column and keeps the last
                // good policy. The change-token sources are what the monitor itself listens to. Loaded inside the
                // reloader, numbered with its other reloads: an older change that loads slowly never replaces a newer one.
                _subscriptions =
                [
                    .. services.GetServices<IOptionsChangeTokenSource<PolicyLayerOptions>>()
                        .Where(source => (source.Name ?? Options.DefaultName) == Options.DefaultName)
                        .Select(source => ChangeToken.OnChange(source.GetChangeToken, () => reloader.ReloadFrom(() => PolicySources.Load(CurrentOptions(services))))),
                ];
            }
        }

        public void Dispose()
        {
            foreach (var subscription in _subscriptions)
            {
                subscription.Dispose();
            }

            Reloader?.Dispose();
        }

        /// <summary>The options as the options factory builds them (configure, then post-configure), without validating them.</summary>
        private static PolicyLayerOptions CurrentOptions(IServiceProvider services)
        {
            var options = new PolicyLayerOptions();
            foreach (var setup in services.GetServices<IConfigureOptions<PolicyLayerOptions>>())
            {
                if (setup is IConfigureNamedOptions<PolicyLayerOptions> named)
                {
                    named.Configure(Options.DefaultName, options);
                }
                else
                {
                    setup.Configure(options);
                }
            }

            foreach (var post in services.GetServices<IPostConfigureOptions<PolicyLayerOptions>>())
            {
                post.PostConfigure(Options.DefaultName, options);
            }

            return options;
        }
    }

    /// <summary>Adds the problems of <see cref="PolicyLayerOptions.ShadowPolicyFile"/> (missing, or every load error).</summary>
    public static void ValidateShadowPolicy(PolicyLayerOptions options, List<string> failures)
    {
        if (options.ShadowPolicyFile is not { } file)
        {
            return;
        }

        if (!File.Exists(file))
        {
            failures.Add($"The shadow policy file '{Path.GetFullPath(file)}' does not exist; set PolicyLayerOptions.ShadowPolicyFile to an existing policy.json, or leave it unset.");
            return;
        }

        failures.AddRange(Policy.LoadFile(file, PolicySources.LoadOptions(options)).Errors.Select(e => "Shadow policy: " + e));
    }
}
