using ModelContextProtocol;
using ModelContextProtocol.Client;
using ModelContextProtocol.Protocol;
using ModelContextProtocol.Server;

namespace PolicyProxy;

/// <summary>
/// Answers the upstream's requests to its client (sampling, elicitation, roots) by asking the proxy's own client.
/// </summary>
/// <remarks>
/// The upstream is connected before the proxy's client, so the proxy advertises all three capabilities to it; when
/// the client turns out not to have one, the upstream's request fails with <see cref="McpErrorCode.MethodNotFound"/>,
/// which is what the client itself would answer. The client's answers and errors go back unchanged.
/// </remarks>
internal sealed class UpstreamRequestHandlers(DownstreamSessions downstream)
{
    /// <summary>The handlers for the upstream client's options.</summary>
    public McpClientHandlers Create(IEnumerable<KeyValuePair<string, Func<JsonRpcNotification, CancellationToken, ValueTask>>> notifications) => new()
    {
        NotificationHandlers = notifications,
        SamplingHandler = SampleAsync,
        ElicitationHandler = ElicitAsync,
        RootsHandler = ListRootsAsync,
    };

    private ValueTask<CreateMessageResult> SampleAsync(CreateMessageRequestParams? request, IProgress<ProgressNotificationValue> progress, CancellationToken cancellationToken) =>
        UpstreamErrors.ForwardAsync(Client(c => c.Sampling, "sampling").SampleAsync(UpstreamForwarder.Required(request), cancellationToken));

    private ValueTask<ElicitResult> ElicitAsync(ElicitRequestParams? request, CancellationToken cancellationToken) =>
        UpstreamErrors.ForwardAsync(Client(c => c.Elicitation, "elicitation").ElicitAsync(UpstreamForwarder.Required(request), cancellationToken));

    private ValueTask<ListRootsResult> ListRootsAsync(ListRootsRequestParams? request, CancellationToken cancellationToken) =>
        UpstreamErrors.ForwardAsync(Client(c => c.Roots, "roots").RequestRootsAsync(request ?? new(), cancellationToken));

    private McpServer Client(Func<ClientCapabilities, object?> capability, string name) =>
        downstream.Current is { ClientCapabilities: { } capabilities } server && capability(capabilities) is not null
            ? server
            : throw new McpProtocolException($"The proxy's client does not support {name}.", McpErrorCode.MethodNotFound);
}
