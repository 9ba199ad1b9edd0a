using ModelContextProtocol.Protocol;
using ModelContextProtocol.Server;

namespace PolicyLayer.ModelContextProtocol;

// The records of followed sessions: what each was last known to see, held weakly by session id.
internal sealed partial class ToolListChangeNotifier
{
    /// <summary>One followed session: how to reach it, and the tools it was last known to see.</summary>
    private sealed class Session(McpServer server, McpServerOptions options, Dictionary<string, string> visible, bool takesUnsolicited)
    {
        private readonly object _gate = new();
        private Dictionary<string, string> _visible = visible;

        public McpServer Server { get; } = server;

        public McpServerOptions Options { get; } = options;

        /// <summary>Whether the session's revision has the initialize handshake, so it is told directly rather than on its subscriptions.</summary>
        public bool TakesUnsolicited { get; } = takesUnsolicited;

        public IAsyncDisposable? Anchor { get; set; }

        /// <summary>Records what the session sees now; <see langword="true"/> when it differs from what it saw.</summary>
        public bool Update(Dictionary<string, string> now)
        {
            lock (_gate)
            {
                if (PolicyToolCatalog.SameDefinitions(_visible, now))
                {
                    return false;
                }

                _visible = now;
                return true;
            }
        }

        /// <summary>The anchor's handler: the session holds this record through it, and nothing more.</summary>
        public ValueTask Ignore(JsonRpcNotification notification, CancellationToken cancellationToken) => ValueTask.CompletedTask;
    }

    /// <summary>The sessions of one server options object, by session id, held weakly; dead ones pruned as it grows.</summary>
    private sealed class SessionsOfOptions
    {
        private readonly Dictionary<string, WeakReference<Session>> _byId = new(StringComparer.Ordinal);
        private Dictionary<string, string>? _shared;
        private int _pruneAt = 16;

        /// <summary>Follows the session unless it is followed already: a client that sends notifications/initialized again adds nothing.</summary>
        public void Follow(string? id, Func<Session> create)
        {
            lock (_byId)
            {
                var key = id ?? string.Empty;
                if (_byId.TryGetValue(key, out var existing) && existing.TryGetTarget(out _))
                {
                    return;
                }

                _byId[key] = new WeakReference<Session>(create());
                if (_byId.Count >= _pruneAt)
                {
                    Prune();
                    _pruneAt = Math.Max(16, _byId.Count * 2);
                }
            }
        }

        public Session? Find(string? id)
        {
            lock (_byId)
            {
                return _byId.TryGetValue(id ?? string.Empty, out var reference) && reference.TryGetTarget(out var session) ? session : null;
            }
        }

        /// <summary>
        /// The last snapshot shared by these sessions when <paramref name="snapshot"/> equals it, else <paramref name="snapshot"/>
        /// (then shared from now on): sessions that see the same tools hold one copy of them, however many there are.
        /// </summary>
        public Dictionary<string, string> Share(Dictionary<string, string> snapshot)
        {
            lock (_byId)
            {
                if (_shared is not null && PolicyToolCatalog.SameDefinitions(_shared, snapshot))
                {
                    return _shared;
                }

                return _shared = snapshot;
            }
        }

        public void CollectLive(List<Session> live)
        {
            lock (_byId)
            {
                Prune();
                foreach (var reference in _byId.Values)
                {
                    if (reference.TryGetTarget(out var session))
                    {
                        live.Add(session);
                    }
                }
            }
        }

        private void Prune()
        {
            foreach (var (id, reference) in _byId)
            {
                if (!reference.TryGetTarget(out _))
                {
                    _byId.Remove(id);
                }
            }
        }
    }
}
