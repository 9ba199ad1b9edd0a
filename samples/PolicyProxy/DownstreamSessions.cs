using ModelContextProtocol.Server;

namespace PolicyProxy;

/// <summary>
/// The proxy's side towards its own client: the stdio session, and the requests the proxy is forwarding right now.
/// Upstream notifications and upstream requests (sampling, elicitation, roots) are sent through it.
/// </summary>
internal sealed class DownstreamSessions
{
    // The first revision where a client gets list changes and resource updates only on subscriptions/listen
    // streams it opened, and server-to-client requests travel inside the client's own request (MRTR).
    private const string FirstPerRequestRevision = "2026-07-28";

    private readonly Lock _gate = new();
    private readonly List<McpServer> _inFlight = [];

    /// <summary>The stdio session's server; <see langword="null"/> until the host is built.</summary>
    public McpServer? Session { get; set; }

    /// <summary>
    /// Whether the client connected with the initialize handshake (revisions up to 2025-11-25), the only clients to
    /// which session-wide notifications (log messages, list changes, resource updates) may be sent unasked.
    /// </summary>
    public bool AcceptsSessionNotifications =>
        Session?.NegotiatedProtocolVersion is { } version &&
        string.CompareOrdinal(version, FirstPerRequestRevision) < 0; // revisions are dates: ordinal order is time order

    /// <summary>
    /// The server an upstream request should go through: the latest forwarded request still in flight, else the
    /// session.
    /// </summary>
    /// <remarks>
    /// A request's own server is the right one: from 2026-07-28 it carries the request's multi-round-trip context
    /// (sampling becomes an input-required answer to that call) and the capabilities the client declared for that
    /// request. Over stdio an upstream request names no request of ours, so with several forwarded requests in
    /// flight the latest one is a guess; with one at a time, as clients usually call tools, it is exact.
    /// </remarks>
    public McpServer? Current
    {
        get
        {
            lock (_gate)
            {
                return _inFlight.Count > 0 ? _inFlight[^1] : Session;
            }
        }
    }

    /// <summary>Marks a forwarded request as in flight until the returned scope is disposed.</summary>
    public IDisposable Enter(McpServer requestServer)
    {
        lock (_gate)
        {
            _inFlight.Add(requestServer);
        }

        return new Scope(this, requestServer);
    }

    private sealed class Scope(DownstreamSessions owner, McpServer server) : IDisposable
    {
        public void Dispose()
        {
            lock (owner._gate)
            {
                owner._inFlight.Remove(server);
            }
        }
    }
}
