using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
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
        private IDisposable? _subscription;

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
            if (options.ReloadOnChange && services.GetService<IOptionsMonitor<PolicyLayerOptions>>() is { } monitor)
            {
                _subscription = monitor.OnChange((changed, name) =>
                {
                    if (name == Options.DefaultName)
                    {
                        reloader.Apply(PolicySources.Load(changed));
                    }
                });
            }
        }

        public void Dispose()
        {
            _subscription?.Dispose();
            Reloader?.Dispose();
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
