using ModelContextProtocol.Protocol;
using ModelContextProtocol.Server;

namespace PolicyProxy;

/// <summary>
/// Empty prompt and resource collections, given to the proxy's server only to announce the upstream's list changes.
/// </summary>
/// <remarks>
/// The SDK tells its sessions of a change to its own collections itself: a client of the initialize handshake
/// directly, a client on 2026-07-28 or later on each <c>subscriptions/listen</c> request that asked for that kind of
/// change, tagged with its id. That is the only way onto those requests the SDK offers a server, so the proxy clears an
/// empty collection (which raises its change event and changes nothing) when the upstream says its list changed. Being
/// empty, the collections add nothing to any list and answer no read; the forwarding handlers answer everything.
/// </remarks>
internal sealed class ListChangeSignals
{
    /// <summary>Signals for the kinds of list the upstream says it announces changes to.</summary>
    /// <param name="upstream">The upstream's capabilities.</param>
    public ListChangeSignals(ServerCapabilities upstream)
    {
        Prompts = upstream.Prompts?.ListChanged == true ? new McpServerPrimitiveCollection<McpServerPrompt>() : null;
        Resources = upstream.Resources?.ListChanged == true ? new McpServerResourceCollection() : null;
    }

    /// <summary>The prompt signal, or <see langword="null"/> when the upstream announces no prompt list changes.</summary>
    public McpServerPrimitiveCollection<McpServerPrompt>? Prompts { get; }

    /// <summary>The resource signal, or <see langword="null"/> when the upstream announces no resource list changes.</summary>
    public McpServerResourceCollection? Resources { get; }

    /// <summary>Tells every session that the prompt list changed.</summary>
    /// <returns><see langword="false"/> when the upstream announces no prompt list changes (nor does the proxy).</returns>
    public bool TryAnnouncePrompts() => Announce(Prompts);

    /// <summary>Tells every session that the resource list changed.</summary>
    /// <returns><see langword="false"/> when the upstream announces no resource list changes (nor does the proxy).</returns>
    public bool TryAnnounceResources() => Announce(Resources);

    private static bool Announce<T>(McpServerPrimitiveCollection<T>? signal)
        where T : IMcpServerPrimitive
    {
        // Clearing raises the collection's change event even when it is empty, as it always is here.
        signal?.Clear();
        return signal is not null;
    }
}
