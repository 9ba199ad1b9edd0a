using System.Collections.Concurrent;
using System.Threading.Channels;
using ModelContextProtocol.Protocol;

namespace PolicyLayer.Benchmarks.Mcp;

/// <summary>
/// Hands JSON-RPC messages to an SDK server as objects and takes its answers back the same way: the server's
/// request handling runs in full, with no stream, framing or message serialization around it.
/// </summary>
internal sealed class DirectServerTransport : ITransport
{
    private readonly Channel<JsonRpcMessage> _incoming = Channel.CreateUnbounded<JsonRpcMessage>(new UnboundedChannelOptions { SingleReader = true });
    private readonly ConcurrentDictionary<RequestId, TaskCompletionSource<JsonRpcMessage>> _pending = new();

    public string? SessionId => null;

    public ChannelReader<JsonRpcMessage> MessageReader => _incoming.Reader;

    /// <summary>Sends a request to the server and waits for its answer.</summary>
    public async Task<JsonRpcResponse> RequestAsync(JsonRpcRequest request)
    {
        var answer = new TaskCompletionSource<JsonRpcMessage>(TaskCreationOptions.RunContinuationsAsynchronously);
        _pending[request.Id] = answer;
        await _incoming.Writer.WriteAsync(request);
        return await answer.Task switch
        {
            JsonRpcResponse response => response,
            JsonRpcError error => throw new InvalidOperationException($"{request.Method} failed: {error.Error.Message}"),
            var other => throw new InvalidOperationException($"Unexpected answer to {request.Method}: {other.GetType().Name}"),
        };
    }

    public ValueTask NotifyAsync(JsonRpcNotification notification) => _incoming.Writer.WriteAsync(notification);

    /// <summary>Called by the server with its answers (and any notifications, which are dropped).</summary>
    public Task SendMessageAsync(JsonRpcMessage message, CancellationToken cancellationToken = default)
    {
        if (message is JsonRpcMessageWithId { Id: var id } && _pending.TryRemove(id, out var answer))
        {
            answer.SetResult(message);
        }

        return Task.CompletedTask;
    }

    public ValueTask DisposeAsync()
    {
        _incoming.Writer.TryComplete();
        return ValueTask.CompletedTask;
    }
}
