using ModelContextProtocol;
using ModelContextProtocol.Client;
using ModelContextProtocol.Protocol;
using ModelContextProtocol.Server;
using PolicyLayer.ModelContextProtocol;

namespace PolicyProxy;

/// <summary>
/// Forwards requests to the upstream server unchanged: the request's parameters go up, the upstream's result
/// comes back (cursors, metadata and all). The parameters keep their <c>_meta</c>, so the client's progress token
/// reaches the upstream and the upstream's progress notifications carry it (<see cref="UpstreamNotificationRelay"/>
/// sends them on). Upstream JSON-RPC errors come back with the upstream's code, message and data
/// (<see cref="UpstreamErrors"/>). While a tool call, a prompt or a resource read is forwarded, the upstream's
/// requests to its client go to that request's client (<see cref="DownstreamSessions.Enter"/>).
/// </summary>
internal sealed class UpstreamForwarder(McpClient upstream, DownstreamSessions downstream)
{
    private volatile HashSet<string> _tools = new(StringComparer.Ordinal);

    public PolicyToolCatalog? Catalog { get; set; }

    /// <summary>Reads the upstream's whole tool list (every page) and makes it the catalog's authoritative list.</summary>
    public async Task RefreshToolsAsync(CancellationToken cancellationToken)
    {
        var tools = new List<Tool>();
        string? cursor = null;
        do
        {
            var page = await upstream.ListToolsAsync(new ListToolsRequestParams { Cursor = cursor }, cancellationToken);
            tools.AddRange(page.Tools);
            cursor = page.NextCursor;
        }
        while (cursor is not null);

        _tools = new HashSet<string>(tools.Select(t => t.Name), StringComparer.Ordinal);
        Catalog?.SetTools(tools);
    }

    public ValueTask<ListToolsResult> ListToolsAsync(RequestContext<ListToolsRequestParams> context, CancellationToken cancellationToken) =>
        UpstreamErrors.ForwardAsync(upstream.ListToolsAsync(context.Params ?? new(), cancellationToken));

    public async ValueTask<CallToolResult> CallToolAsync(RequestContext<CallToolRequestParams> context, CancellationToken cancellationToken)
    {
        var request = context.Params ?? throw new McpProtocolException("Missing tool call parameters.", McpErrorCode.InvalidParams);
        if (!_tools.Contains(request.Name))
        {
            // The same answer the SDK gives for a tool it does not have.
            throw new McpProtocolException($"Unknown tool: '{request.Name}'", McpErrorCode.InvalidParams);
        }

        return await ForwardInFlightAsync(context.Server, () => upstream.CallToolAsync(request, cancellationToken)).ConfigureAwait(false);
    }

    public ValueTask<ListResourcesResult> ListResourcesAsync(RequestContext<ListResourcesRequestParams> context, CancellationToken cancellationToken) =>
        UpstreamErrors.ForwardAsync(upstream.ListResourcesAsync(context.Params ?? new(), cancellationToken));

    public ValueTask<ListResourceTemplatesResult> ListResourceTemplatesAsync(RequestContext<ListResourceTemplatesRequestParams> context, CancellationToken cancellationToken) =>
        UpstreamErrors.ForwardAsync(upstream.ListResourceTemplatesAsync(context.Params ?? new(), cancellationToken));

    public ValueTask<ReadResourceResult> ReadResourceAsync(RequestContext<ReadResourceRequestParams> context, CancellationToken cancellationToken)
    {
        var request = Required(context.Params);
        return ForwardInFlightAsync(context.Server, () => upstream.ReadResourceAsync(request, cancellationToken));
    }

    public ValueTask<EmptyResult> SubscribeAsync(RequestContext<SubscribeRequestParams> context, CancellationToken cancellationToken) =>
        ForwardEmptyAsync(upstream.SubscribeToResourceAsync(Required(context.Params), cancellationToken));

    public ValueTask<EmptyResult> UnsubscribeAsync(RequestContext<UnsubscribeRequestParams> context, CancellationToken cancellationToken) =>
        ForwardEmptyAsync(upstream.UnsubscribeFromResourceAsync(Required(context.Params), cancellationToken));

    public ValueTask<EmptyResult> SetLoggingLevelAsync(RequestContext<SetLevelRequestParams> context, CancellationToken cancellationToken) =>
        ForwardEmptyAsync(upstream.SetLoggingLevelAsync(Required(context.Params), cancellationToken));

    public ValueTask<ListPromptsResult> ListPromptsAsync(RequestContext<ListPromptsRequestParams> context, CancellationToken cancellationToken) =>
        UpstreamErrors.ForwardAsync(upstream.ListPromptsAsync(context.Params ?? new(), cancellationToken));

    public ValueTask<GetPromptResult> GetPromptAsync(RequestContext<GetPromptRequestParams> context, CancellationToken cancellationToken)
    {
        var request = Required(context.Params);
        return ForwardInFlightAsync(context.Server, () => upstream.GetPromptAsync(request, cancellationToken));
    }

    public ValueTask<CompleteResult> CompleteAsync(RequestContext<CompleteRequestParams> context, CancellationToken cancellationToken) =>
        UpstreamErrors.ForwardAsync(upstream.CompleteAsync(Required(context.Params), cancellationToken));

    /// <summary>A request's parameters; a request without them is refused as the SDK refuses invalid parameters.</summary>
    internal static T Required<T>(T? parameters)
        where T : class => parameters ?? throw new McpProtocolException("Missing parameters.", McpErrorCode.InvalidParams);

    /// <summary>Forwards a request while it counts as in flight, so the upstream's requests meanwhile go to its client.</summary>
    private async ValueTask<T> ForwardInFlightAsync<T>(McpServer requestServer, Func<ValueTask<T>> send)
    {
        using var inFlight = downstream.Enter(requestServer);
        return await UpstreamErrors.ForwardAsync(send()).ConfigureAwait(false);
    }

    private static async ValueTask<EmptyResult> ForwardEmptyAsync(Task request)
    {
        await UpstreamErrors.ForwardAsync(request).ConfigureAwait(false);
        return new EmptyResult();
    }
}
