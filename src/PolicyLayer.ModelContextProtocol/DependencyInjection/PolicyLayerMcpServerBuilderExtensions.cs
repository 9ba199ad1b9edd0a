using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using ModelContextProtocol.Server;
using PolicyLayer.Authorization;
using PolicyLayer.DependencyInjection;
using PolicyLayer.ModelContextProtocol;

namespace Microsoft.Extensions.DependencyInjection;

/// <summary>Enforces a PolicyLayer policy in an MCP server.</summary>
public static class PolicyLayerMcpServerBuilderExtensions
{
    /// <summary>
    /// Enforces the policy on this MCP server: hidden tools are removed from <c>tools/list</c> and answered as
    /// unknown tools; every <c>tools/call</c> is authorized before the tool runs (before a task is created) and
    /// its outcome reported back (a failed call gives its budget back); every tool's declared input schema is
    /// registered. Registers PolicyLayer itself with <c>services.AddPolicyLayer(configurePolicy)</c>.
    /// </summary>
    /// <param name="builder">The MCP server builder.</param>
    /// <param name="configurePolicy">Where the policy comes from, for example <c>o =&gt; o.PolicyFile = "policy.json"</c>.</param>
    /// <param name="configure">The integration's options: refusal style, grant claim type, resolvers.</param>
    /// <returns>The builder, to chain further calls.</returns>
    /// <example>
    /// <code>
    /// builder.Services.AddMcpServer().WithStdioServerTransport().WithTools&lt;MyTools&gt;()
    ///     .AddPolicyLayer(o =&gt; o.PolicyFile = "policy.json");
    /// </code>
    /// </example>
    public static IMcpServerBuilder AddPolicyLayer(
        this IMcpServerBuilder builder,
        Action<PolicyLayerOptions> configurePolicy,
        Action<PolicyLayerMcpOptions>? configure = null)
    {
        ArgumentNullException.ThrowIfNull(builder);
        ArgumentNullException.ThrowIfNull(configurePolicy);

        builder.Services.AddPolicyLayer(configurePolicy);
        builder.AddPolicyLayerEnforcement(configure);
        return builder;
    }

    /// <summary>
    /// Enforces PolicyLayer on this MCP server when PolicyLayer itself is registered separately (with
    /// <c>services.AddPolicyLayer(...)</c>, or with another <see cref="PolicyLayer.IToolCallAuthorizer"/>).
    /// Calling it more than once adds the filters once.
    /// </summary>
    /// <param name="builder">The MCP server builder.</param>
    /// <param name="configure">The integration's options: refusal style, grant claim type, resolvers.</param>
    /// <returns>The builder, to chain further calls.</returns>
    public static IMcpServerBuilder AddPolicyLayerEnforcement(this IMcpServerBuilder builder, Action<PolicyLayerMcpOptions>? configure = null)
    {
        ArgumentNullException.ThrowIfNull(builder);
        var services = builder.Services;

        var options = services.AddOptions<PolicyLayerMcpOptions>().ValidateOnStart();
        if (configure is not null)
        {
            options.Configure(configure);
        }

        services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<PolicyLayerMcpOptions>, PolicyLayerMcpOptionsValidator>());
        services.TryAddSingleton(sp => new PolicyToolCatalog(
            sp.GetRequiredService<IOptions<PolicyLayerMcpOptions>>(),
            sp.GetService<PolicyAuthorizer>()));
        services.TryAddSingleton<ListenSubscriptions>();
        services.TryAddSingleton(sp => new ToolListChangeNotifier(
            sp.GetRequiredService<PolicyLayer.IToolCallAuthorizer>(),
            sp.GetRequiredService<PolicyToolCatalog>(),
            sp.GetRequiredService<ListenSubscriptions>(),
            sp.GetService<TimeProvider>() ?? TimeProvider.System,
            sp.GetService<ILoggerFactory>()?.CreateLogger<ToolListChangeNotifier>() ?? NullLogger<ToolListChangeNotifier>.Instance));
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IPostConfigureOptions<McpServerOptions>, PolicyFilterSetup>());
        return builder;
    }
}
