using System.Collections;
using ModelContextProtocol;

namespace PolicyProxy;

/// <summary>
/// Passes a peer's JSON-RPC error on as that peer sent it: same code, same message, same data.
/// </summary>
/// <remarks>
/// The SDK's client turns a JSON-RPC error into an <see cref="McpProtocolException"/> whose message starts with
/// "Request failed (remote): ". Thrown on as is, the proxy's own server would send that prefixed text, so the
/// client would read an error the upstream never wrote. The prefix is removed, the code kept, and the error's
/// <c>data</c> (which the client unpacks into <see cref="Exception.Data"/> and the server packs back) copied.
/// </remarks>
internal static class UpstreamErrors
{
    private const string RemotePrefix = "Request failed (remote): ";

    /// <summary>Awaits a forwarded request, rethrowing a remote error as the peer sent it.</summary>
    public static async ValueTask<T> ForwardAsync<T>(ValueTask<T> request)
    {
        try
        {
            return await request.ConfigureAwait(false);
        }
        catch (McpProtocolException e) when (e.Message.StartsWith(RemotePrefix, StringComparison.Ordinal))
        {
            throw AsSent(e);
        }
    }

    /// <inheritdoc cref="ForwardAsync{T}(ValueTask{T})"/>
    public static async Task ForwardAsync(Task request)
    {
        try
        {
            await request.ConfigureAwait(false);
        }
        catch (McpProtocolException e) when (e.Message.StartsWith(RemotePrefix, StringComparison.Ordinal))
        {
            throw AsSent(e);
        }
    }

    private static McpProtocolException AsSent(McpProtocolException remote)
    {
        var sent = new McpProtocolException(remote.Message[RemotePrefix.Length..], remote, remote.ErrorCode);
        foreach (DictionaryEntry entry in remote.Data)
        {
            sent.Data[entry.Key] = entry.Value;
        }

        return sent;
    }
}
