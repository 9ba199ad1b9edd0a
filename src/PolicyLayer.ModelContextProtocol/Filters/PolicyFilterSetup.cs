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
    ToolListChangeNotifier notifier,
    ListenSubscriptions subscriptions,
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
            reportsFromOrdinaryPipeline: alternateHandler is null,
            CreateElicitor(settings.ApprovalElicitation));

        var requestFilters = serverOptions.Filters.Request;
        requestFilters.CallToolWithAlternateFilters.Insert(0, filter.AuthorizeAsync);
        if (alternateHandler is null)
        {
            // The SDK refuses ordinary call-tool filters next to an explicit alternate handler.
            requestFilters.CallToolFilters.Add(filter.ReportOutcome);
        }
#pragma warning restore MCPEXP002

        requestFilters.ListToolsFilters.Insert(0, PolicyListToolsFilter.Create(authorizer, catalog, notifier));
        catalog.Attach(serverOptions.ToolCollection);
        if (DeclareListChanged(serverOptions) && MayChangeWhatClientsSee(serverOptions) && AcceptsSubscriptions(serverOptions))
        {
            // A client on 2026-07-28 or later is told of changes only on its subscriptions/listen requests, which only a
            // message filter sees. The SDK builds the filter chain for every message, so this costs every message a
            // little (the package README has the figure).
            serverOptions.Filters.Message.IncomingFilters.Add(subscriptions.IncomingFilter);
        }

        if (settings.HoldBackUnseenToolListChanges)
        {
            // Message filters run on every message in and out, so only when asked for (see the option).
            serverOptions.Filters.Message.IncomingFilters.Add(notifier.IncomingFilter);
            serverOptions.Filters.Message.OutgoingFilters.Add(notifier.OutgoingFilter);
        }
    }

    /// <summary>
    /// Declares <c>tools.listChanged</c>, since policy changes are told to clients. The SDK declares it itself for a
    /// server with a tool collection; a server with only its own <c>tools/list</c> handler (a proxy) declares what the
    /// host set, so it is set here unless the host set it (to false, say: then its sessions are told nothing).
    /// </summary>
    /// <returns>Whether the server declares <c>tools.listChanged</c>, so that its clients can be told of changes.</returns>
    private static bool DeclareListChanged(McpServerOptions serverOptions)
    {
        if (serverOptions.ToolCollection is null && serverOptions.Handlers.ListToolsHandler is null && serverOptions.Capabilities?.Tools is null)
        {
            // No tools at all: declaring the tools capability would invent a tools/list.
            return false;
        }

        serverOptions.Capabilities ??= new();
        serverOptions.Capabilities.Tools ??= new();
        serverOptions.Capabilities.Tools.ListChanged ??= true;
        return serverOptions.Capabilities.Tools.ListChanged == true;
    }

    /// <summary>
    /// Whether the notifier can ever tell this server's clients anything: the authorizer announces policy changes, or the
    /// server lists tools with its own handler, whose list the host gives <see cref="PolicyToolCatalog.SetTools"/>.
    /// </summary>
    private bool MayChangeWhatClientsSee(McpServerOptions serverOptions) =>
        authorizer is IPolicyChangeNotifier || serverOptions.Handlers.ListToolsHandler is not null;

    /// <summary>Whether clients may open <c>subscriptions/listen</c>: the server is not pinned to a revision before 2026-07-28.</summary>
    private static bool AcceptsSubscriptions(McpServerOptions serverOptions) =>
        serverOptions.ProtocolVersion is not { } pinned || string.CompareOrdinal(pinned, ToolListChangeNotifier.FirstRevisionWithoutHandshake) >= 0;

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
