using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using ModelContextProtocol.Server;
using PolicyLayer.Approvals;

namespace PolicyLayer.ModelContextProtocol;

/// <summary>
/// Adds the policy filters to the MCP server's options after every other configuration, as the SDK's own
/// authorization does, so the call-tool filter is the outermost one and wraps task dispatch.
/// </summary>
internal sealed class PolicyFilterSetup(
    IToolCallAuthorizer authorizer,
    PolicyToolCatalog catalog,
    IOptions<PolicyLayerMcpOptions> options,
    IServiceProvider services) : IPostConfigureOptions<McpServerOptions>
{
    public void PostConfigure(string? name, McpServerOptions serverOptions)
    {
        var settings = options.Value;
        var handlers = serverOptions.Handlers;
#pragma warning disable MCPEXP002 // Authorization must run in the alternate-result pipeline, before a task is created.
        var alternateHandler = handlers.CallToolWithAlternateHandler;
        var filter = new PolicyCallToolFilter(
            authorizer,
            catalog,
            new CallerIdentity(settings),
            settings,
            hasCustomCallHandler: handlers.CallToolHandler is not null || alternateHandler is not null,
            CreateElicitor(settings.ApprovalElicitation));

        var requestFilters = serverOptions.Filters.Request;
        requestFilters.CallToolWithAlternateFilters.Insert(0, filter.AuthorizeAsync);
        if (alternateHandler is null)
        {
            // The SDK refuses ordinary call-tool filters next to an explicit alternate handler.
            requestFilters.CallToolFilters.Add(filter.ReportOutcome);
        }
#pragma warning restore MCPEXP002

        requestFilters.ListToolsFilters.Insert(0, PolicyListToolsFilter.Create(authorizer, catalog));
        catalog.Attach(serverOptions.ToolCollection);
    }

    private ApprovalElicitor? CreateElicitor(ApprovalElicitationOptions elicitation)
    {
        if (!elicitation.Enabled)
        {
            return null;
        }

        // The options validator has made sure approvals are registered.
        return new ApprovalElicitor(
            services.GetRequiredService<IApprovalService>(),
            elicitation,
            services.GetService<TimeProvider>() ?? TimeProvider.System,
            services.GetService<ILoggerFactory>()?.CreateLogger<ApprovalElicitor>() ?? NullLogger<ApprovalElicitor>.Instance);
    }
}
