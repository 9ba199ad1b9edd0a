using System.Runtime.CompilerServices;
using Microsoft.Extensions.Logging;
using ModelContextProtocol.Protocol;
using ModelContextProtocol.Server;

namespace PolicyLayer.ModelContextProtocol;

/// <summary>
/// Tells each live session <c>notifications/tools/list_changed</c> when a policy change changes the tools it can see,
/// and holds back the SDK's own notification when a change to a tool collection changes nothing the session sees.
/// </summary>
/// <remarks>
/// <para>A session is followed from its first <c>tools/list</c> (a session that never listed holds no list to go stale),
/// or, when the SDK's own notifications are held back, from the client's <c>notifications/initialized</c>, as those are
/// judged against what the session could see from its start. Only when the server declares <c>tools.listChanged</c>
/// and the session can take unsolicited messages (not stateless HTTP). A session whose revision has the initialize
/// handshake (up to 2025-11-25) is sent the notification directly; from 2026-07-28 it goes on each
/// <c>subscriptions/listen</c> request the session holds open for tool list changes (<see cref="ListenSubscriptions"/>).
/// It remembers the tools the session could see (name and declared definition): a policy change, a change to its tool
/// collection, or a new list given to <see cref="PolicyToolCatalog.SetTools"/> is told only when that differs. A change
/// that touches only tools the session does not have, or does not see, tells it nothing, so a client cannot learn that
/// something hidden changed.</para>
/// <para>Sessions are held weakly: the session itself keeps its record alive, through a no-op notification handler
/// registered on it, so a closed session is neither kept alive nor told anything. Sessions are told apart by server
/// options and session id: a server that runs several sessions without ids on one options object follows the first.</para>
/// <para>Sends are started on the thread that changed the policy and not awaited, each bounded by
/// <see cref="SendTimeout"/>; a send to a session that is gone is logged at debug level.</para>
/// </remarks>
internal sealed partial class ToolListChangeNotifier : IDisposable
{
    /// <summary>How long one notification may take to send before it is given up.</summary>
    internal static readonly TimeSpan SendTimeout = TimeSpan.FromSeconds(30);

    /// <summary>The first protocol revision without the initialize handshake, whose clients are told only on their subscriptions.</summary>
    internal const string FirstRevisionWithoutHandshake = "2026-07-28";

    private static readonly object Ours = new();
    private static readonly Dictionary<string, string> NothingVisible = new(StringComparer.Ordinal);

    private readonly IToolCallAuthorizer _authorizer;
    private readonly PolicyToolCatalog _catalog;
    private readonly TimeProvider _time;
    private readonly ILogger _logger;
    private readonly IPolicyChangeNotifier? _source;
    private readonly ListenSubscriptions _subscriptions;

    // Sessions by their server options (an HTTP server may build options per session) and then by session id.
    private readonly ConditionalWeakTable<McpServerOptions, SessionsOfOptions> _sessions = new();

    // The notifications this class sends, so the outgoing filter lets them through untouched.
    private readonly ConditionalWeakTable<JsonRpcMessage, object> _sent = new();

    public ToolListChangeNotifier(IToolCallAuthorizer authorizer, PolicyToolCatalog catalog, ListenSubscriptions subscriptions, TimeProvider time, ILogger logger)
    {
        _authorizer = authorizer;
        _catalog = catalog;
        _subscriptions = subscriptions;
        _time = time;
        _logger = logger;
        _source = authorizer as IPolicyChangeNotifier;
        if (_source is not null)
        {
            _source.PolicyChanged += OnPolicyChanged;
        }

        _catalog.ToolsChanged += OnCatalogChanged;
    }

    /// <summary>The number of sessions followed and still alive (tests).</summary>
    internal int LiveSessionCount => LiveSessions().Count;

    /// <summary>
    /// Follows a session from the client's <c>notifications/initialized</c>. Added only together with
    /// <see cref="OutgoingFilter"/>: the SDK builds the chain of message filters anew for every message, so a message
    /// filter costs every call, while following from <c>tools/list</c> (<see cref="Follow"/>) costs nothing per call.
    /// </summary>
    public McpMessageFilter IncomingFilter => next => (context, cancellationToken) =>
    {
        if (context.JsonRpcMessage is JsonRpcNotification { Method: NotificationMethods.InitializedNotification })
        {
            Follow(context.Server);
        }

        return next(context, cancellationToken);
    };

    /// <summary>Holds back a <c>tools/list_changed</c> the SDK sends for a collection change the session cannot see.</summary>
    public McpMessageFilter OutgoingFilter => next => (context, cancellationToken) =>
    {
        if (context.JsonRpcMessage is JsonRpcNotification { Method: NotificationMethods.ToolListChangedNotification } notification
            && !_sent.TryGetValue(notification, out _)
            && !ShouldPass(context.Server))
        {
            LogHeldBack(_logger, context.Server.SessionId ?? "(no id)");
            return Task.CompletedTask;
        }

        return next(context, cancellationToken);
    };

    public void Dispose()
    {
        if (_source is not null)
        {
            _source.PolicyChanged -= OnPolicyChanged;
        }

        _catalog.ToolsChanged -= OnCatalogChanged;
    }

    /// <summary>
    /// Follows a session (nothing if it is followed already). The list filter calls this before the list is made: a
    /// policy change after this is told even if it lands while the list is being made, so no session is left holding a
    /// stale list.
    /// </summary>
    public void Follow(McpServer server)
    {
        var options = server.ServerOptions;

        // Only where the protocol allows it: the server declares tools.listChanged (the SDK does so itself whenever it
        // has a tool collection), and the session has a channel for unsolicited messages (a stateless HTTP request
        // knows no client capabilities, and cannot take them) or, from 2026-07-28, is told on its subscriptions.
        var unsolicited = TakesUnsolicitedListChanges(server);
        if (!DeclaresListChanged(options) || (unsolicited && server.ClientCapabilities is null))
        {
            return;
        }

        var sessions = _sessions.GetValue(options, static _ => new SessionsOfOptions());
        try
        {
            sessions.Follow(server.SessionId, () =>
            {
                var session = new Session(server, options, sessions.Share(Snapshot(options)), unsolicited);

                // The session holds its record from here on: the record lives exactly as long as the session does.
                session.Anchor = server.RegisterNotificationHandler(NotificationMethods.InitializedNotification, session.Ignore);
                return session;
            });
        }
        catch (Exception ex)
        {
            LogFollowFailed(_logger, server.SessionId ?? "(no id)", ex);
        }
    }

    /// <summary>Whether the server declares <c>tools.listChanged</c>: the SDK does so itself whenever it has a tool collection.</summary>
    internal static bool DeclaresListChanged(McpServerOptions options) =>
        options.ToolCollection is not null || options.Capabilities?.Tools?.ListChanged == true;

    /// <summary>
    /// Whether the session's revision has the initialize handshake (up to 2025-11-25), under which list changes go to
    /// every session that declared nothing against them. From 2026-07-28 a client must be sent only the changes it
    /// subscribed to, over its subscriptions/listen stream, which the SDK keeps to itself. Revisions are dates, so they
    /// compare as text.
    /// </summary>
    private static bool TakesUnsolicitedListChanges(McpServer server) =>
        server.NegotiatedProtocolVersion is { Length: > 0 } version && string.CompareOrdinal(version, FirstRevisionWithoutHandshake) < 0;

    private void OnPolicyChanged(object? sender, PolicyChangedEventArgs e) => TellSessionsWhoseToolsChanged($"policy revision {e.Current.Revision}");

    private void OnCatalogChanged() => TellSessionsWhoseToolsChanged("a new list of the server's tools");

    /// <summary>Tells every followed session whose visible tools differ from what it last saw.</summary>
    /// <param name="cause">What changed, for the log.</param>
    private void TellSessionsWhoseToolsChanged(string cause)
    {
        try
        {
            // Sessions sharing server options share a tool collection: work out what it shows once per change.
            var snapshots = new Dictionary<McpServerOptions, Dictionary<string, string>>(ReferenceEqualityComparer.Instance);
            foreach (var session in LiveSessions())
            {
                if (!snapshots.TryGetValue(session.Options, out var now))
                {
                    snapshots[session.Options] = now = Snapshot(session.Options);
                }

                if (session.Update(now))
                {
                    if (session.TakesUnsolicited)
                    {
                        _ = SendAsync(session.Server, new JsonRpcNotification { Method = NotificationMethods.ToolListChangedNotification }, cause);
                        continue;
                    }

                    // From 2026-07-28: on each subscription the session holds open (none: it sees the change when it lists again).
                    foreach (var subscription in _subscriptions.Of(session.Options, session.Server.SessionId))
                    {
                        _ = SendAsync(subscription.Stream, subscription.ToolListChanged(), cause);
                    }
                }
            }
        }
        catch (Exception ex)
        {
            // A custom authorizer's IsToolVisible, or a tool collection changing underfoot: the change stands, untold.
            LogNotifyFailed(_logger, cause, ex);
        }
    }

    private bool ShouldPass(McpServer server)
    {
        var options = server.ServerOptions;

        // Only a session whose list is exactly its tool collection can be judged; anything else (a server's own
        // tools/list handler, a session not followed) gets the notification as the SDK sends it. So does a session on
        // 2026-07-28 or later: the SDK sends it one notification per subscription, and judging the first would
        // hold back the others.
        if (options.Handlers.ListToolsHandler is not null
            || !_sessions.TryGetValue(options, out var sessions)
            || sessions.Find(server.SessionId) is not { TakesUnsolicited: true } session)
        {
            return true;
        }

        try
        {
            return session.Update(sessions.Share(Snapshot(options)));
        }
        catch (Exception ex)
        {
            // Unsure whether the session's tools changed: it is told, as the SDK would tell it, rather than left stale.
            LogJudgeFailed(_logger, server.SessionId ?? "(no id)", ex);
            return true;
        }
    }

    private async Task SendAsync(McpServer server, JsonRpcNotification notification, string cause)
    {
        _sent.AddOrUpdate(notification, Ours);
        using var timeout = new CancellationTokenSource(SendTimeout, _time);
        try
        {
            await server.SendMessageAsync(notification, timeout.Token).ConfigureAwait(false);
            LogSent(_logger, server.SessionId ?? "(no id)", cause);
        }
        catch (Exception ex)
        {
            // The session closed, or its client stopped reading: nothing is left to tell.
            LogSendFailed(_logger, server.SessionId ?? "(no id)", cause, ex);
        }
    }

    /// <summary>The tools the session's list shows now: name to declared definition (for a catalog tool, the one <see cref="PolicyToolCatalog.SetTools"/> was given).</summary>
    private Dictionary<string, string> Snapshot(McpServerOptions options)
    {
        Dictionary<string, string>? visible = null;
        if (options.ToolCollection is { } tools)
        {
            foreach (var tool in tools)
            {
                var protocolTool = tool.ProtocolTool;
                if (_authorizer.IsToolVisible(protocolTool.Name))
                {
                    // The definition too: the SDK's notification for a tool replaced under the same name must still pass.
                    (visible ??= new(StringComparer.Ordinal))[protocolTool.Name] = PolicyToolCatalog.Definition(protocolTool);
                }
            }
        }

        // A server's own tools/list handler (a proxy) serves the tools it gave the catalog.
        if (options.Handlers.ListToolsHandler is not null && _catalog.AuthoritativeNames is { } names)
        {
            foreach (var name in names)
            {
                if (_authorizer.IsToolVisible(name))
                {
                    (visible ??= new(StringComparer.Ordinal)).TryAdd(name, _catalog.DefinitionOf(name) ?? string.Empty);
                }
            }
        }

        return visible ?? NothingVisible;
    }

    private List<Session> LiveSessions()
    {
        var live = new List<Session>();
        foreach (var (_, sessions) in _sessions)
        {
            sessions.CollectLive(live);
        }

        return live;
    }

    [LoggerMessage(EventId = 10, Level = LogLevel.Debug, Message = "Told session {SessionId} that its tool list changed ({Cause})")]
    private static partial void LogSent(ILogger logger, string sessionId, string cause);

    [LoggerMessage(EventId = 11, Level = LogLevel.Debug, Message = "Could not tell session {SessionId} that its tool list changed ({Cause}); the session is gone or not reading")]
    private static partial void LogSendFailed(ILogger logger, string sessionId, string cause, Exception exception);

    [LoggerMessage(EventId = 12, Level = LogLevel.Debug, Message = "Held back a tools/list_changed notification to session {SessionId}: the tools it can see did not change")]
    private static partial void LogHeldBack(ILogger logger, string sessionId);

    [LoggerMessage(EventId = 13, Level = LogLevel.Error, Message = "Working out which sessions' tool lists changed ({Cause}) failed; they were not told, and see the change when they list tools again")]
    private static partial void LogNotifyFailed(ILogger logger, string cause, Exception exception);

    [LoggerMessage(EventId = 15, Level = LogLevel.Warning, Message = "Could not tell whether the tools session {SessionId} sees changed; the SDK's tools/list_changed notification was passed on")]
    private static partial void LogJudgeFailed(ILogger logger, string sessionId, Exception exception);

    [LoggerMessage(EventId = 14, Level = LogLevel.Warning, Message = "Session {SessionId} could not be followed for tool list changes; it is not told when the policy changes what it sees")]
    private static partial void LogFollowFailed(ILogger logger, string sessionId, Exception exception);
}
