using System.Runtime.CompilerServices;
using System.Text.Json;
using System.Text.Json.Nodes;
using ModelContextProtocol;
using ModelContextProtocol.Protocol;
using ModelContextProtocol.Server;

namespace PolicyLayer.ModelContextProtocol;

/// <summary>
/// The open <c>subscriptions/listen</c> requests that asked for tool list changes, by session: the only way to tell a
/// client on protocol revision 2026-07-28 or later that its tools changed.
/// </summary>
/// <remarks>
/// <para>From that revision a server must send a client only the list changes it subscribed to, over the stream of
/// its <c>subscriptions/listen</c> request and tagged with that request's id. The SDK answers the request itself and
/// keeps its subscriptions to itself, telling them only of changes to its own tool collection. This class watches the
/// requests go by (an incoming message filter wrapped around the SDK's handler, which runs for as long as the
/// subscription is open) and remembers each one, with the request's own view of the server, whose sends travel on
/// the request's stream.</para>
/// <para>Only requests the SDK grants tool list changes to are remembered: the client asked for them, the server
/// declares <c>tools.listChanged</c>, and the SDK's own handler answers them (a host's own handler owns its streams).
/// A stateless HTTP server grants nothing and ends the request at once, so nothing stays remembered there. The SDK
/// acknowledges a subscription right after this filter passes it on: a policy change in that instant can reach the
/// client just before the acknowledgement, tagged with the id of the request it has just sent.</para>
/// </remarks>
internal sealed class ListenSubscriptions
{
    // By server options, then session id (empty without one), as the notifier tells sessions apart.
    private readonly ConditionalWeakTable<McpServerOptions, Dictionary<string, List<Subscription>>> _open = new();

    /// <summary>Remembers each tool-list subscription while the SDK's handler holds it open.</summary>
    public McpMessageFilter IncomingFilter => next => (context, cancellationToken) =>
        context.JsonRpcMessage is JsonRpcRequest { Method: RequestMethods.SubscriptionsListen } request && AsksForToolChanges(context.Server, request)
            ? HoldAsync(next, context, request, cancellationToken)
            : next(context, cancellationToken);

    /// <summary>The subscriptions of one session open now.</summary>
    public IReadOnlyList<Subscription> Of(McpServerOptions options, string? sessionId)
    {
        if (!_open.TryGetValue(options, out var sessions))
        {
            return [];
        }

        lock (sessions)
        {
            return sessions.TryGetValue(sessionId ?? string.Empty, out var open) ? [.. open] : [];
        }
    }

    /// <summary>Whether the SDK grants the request tool list changes: asked for, and declared by the server.</summary>
    private static bool AsksForToolChanges(McpServer server, JsonRpcRequest request)
    {
        // A host's own subscriptions/listen handler owns its streams and decides what they carry: nothing is added there.
        var options = server.ServerOptions;
        if (options.Handlers.SubscriptionsListenHandler is not null || !ToolListChangeNotifier.DeclaresListChanged(options))
        {
            return false;
        }

        try
        {
            return request.Params?.Deserialize(McpJsonUtilities.DefaultOptions.GetTypeInfo(typeof(SubscriptionsListenRequestParams))) is SubscriptionsListenRequestParams
            {
                Notifications.ToolsListChanged: true,
            };
        }
        catch (JsonException)
        {
            // The SDK refuses such a request itself.
            return false;
        }
    }

    private async Task HoldAsync(McpMessageHandler next, MessageContext context, JsonRpcRequest request, CancellationToken cancellationToken)
    {
        var subscription = new Subscription(request.Id, context.Server);
        var options = context.Server.ServerOptions;
        var key = context.Server.SessionId ?? string.Empty;
        var sessions = _open.GetValue(options, static _ => new(StringComparer.Ordinal));
        lock (sessions)
        {
            if (!sessions.TryGetValue(key, out var open))
            {
                sessions[key] = open = [];
            }

            open.Add(subscription);
        }

        try
        {
            await next(context, cancellationToken).ConfigureAwait(false);
        }
        finally
        {
            lock (sessions)
            {
                if (sessions.TryGetValue(key, out var open) && open.Remove(subscription) && open.Count == 0)
                {
                    sessions.Remove(key);
                }
            }
        }
    }

    /// <summary>One open subscription: its id, and the server as its request sees it (sends go on that request's stream).</summary>
    /// <param name="Id">The <c>subscriptions/listen</c> request's id, which tags every notification sent on it.</param>
    /// <param name="Stream">The server bound to the request's transport.</param>
    internal sealed record Subscription(RequestId Id, McpServer Stream)
    {
        /// <summary>A <c>notifications/tools/list_changed</c> tagged with this subscription's id.</summary>
        public JsonRpcNotification ToolListChanged() => new()
        {
            Method = NotificationMethods.ToolListChangedNotification,
            Params = new JsonObject
            {
                ["_meta"] = new JsonObject { [MetaKeys.SubscriptionId] = JsonSerializer.SerializeToNode(Id, McpJsonUtilities.DefaultOptions.GetTypeInfo(typeof(RequestId))) },
            },
        };
    }
}
