using System.Threading.Channels;
using ModelContextProtocol.Client;
using ModelContextProtocol.Protocol;

namespace PolicyProxy;

/// <summary>
/// The upstream transport, with each progress notification relayed to the proxy's client before any message the
/// upstream sent after it reaches the upstream client.
/// </summary>
/// <remarks>
/// The SDK handles each received message on a task of its own, so a notification handler can run after the
/// response that followed the notification has completed the forwarded request. A client stops listening for a
/// request's progress once it has the result (the SDK's client does), so progress relayed late is lost. Relaying
/// in read order keeps the upstream's order on the wire to the client: every progress notification ahead of the
/// response it preceded.
/// </remarks>
/// <param name="inner">The transport to the upstream process.</param>
/// <param name="relayProgress">Sends one progress notification to the proxy's client.</param>
internal sealed class ProgressFirstTransport(IClientTransport inner, Func<JsonRpcNotification, CancellationToken, ValueTask> relayProgress) : IClientTransport
{
    /// <inheritdoc />
    public string Name => inner.Name;

    /// <inheritdoc />
    public async Task<ITransport> ConnectAsync(CancellationToken cancellationToken = default) =>
        new Connection(await inner.ConnectAsync(cancellationToken).ConfigureAwait(false), relayProgress);

    private sealed class Connection : ITransport
    {
        private readonly ITransport _upstream;
        private readonly Func<JsonRpcNotification, CancellationToken, ValueTask> _relayProgress;
        private readonly Channel<JsonRpcMessage> _others = Channel.CreateUnbounded<JsonRpcMessage>(
            new UnboundedChannelOptions { SingleReader = true, SingleWriter = true });

        private readonly CancellationTokenSource _closing = new();
        private readonly Task _reading;

        public Connection(ITransport upstream, Func<JsonRpcNotification, CancellationToken, ValueTask> relayProgress)
        {
            _upstream = upstream;
            _relayProgress = relayProgress;
            _reading = Task.Run(ReadAsync);
        }

        public string? SessionId => _upstream.SessionId;

        public ChannelReader<JsonRpcMessage> MessageReader => _others.Reader;

        public Task SendMessageAsync(JsonRpcMessage message, CancellationToken cancellationToken = default) =>
            _upstream.SendMessageAsync(message, cancellationToken);

        public async ValueTask DisposeAsync()
        {
            await _closing.CancelAsync().ConfigureAwait(false);
            await _upstream.DisposeAsync().ConfigureAwait(false);
            await _reading.ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
            _closing.Dispose();
        }

        private async Task ReadAsync()
        {
            try
            {
                await foreach (var message in _upstream.MessageReader.ReadAllAsync(_closing.Token).ConfigureAwait(false))
                {
                    if (message is JsonRpcNotification { Method: NotificationMethods.ProgressNotification } progress)
                    {
                        await RelayAsync(progress).ConfigureAwait(false);
                    }
                    else
                    {
                        _others.Writer.TryWrite(message);
                    }
                }

                _others.Writer.TryComplete();
            }
            catch (OperationCanceledException) when (_closing.IsCancellationRequested)
            {
                _others.Writer.TryComplete();
            }
            catch (Exception ex)
            {
                // The upstream transport failed: the upstream client sees the same failure it would have seen.
                _others.Writer.TryComplete(ex);
            }
        }

        private async ValueTask RelayAsync(JsonRpcNotification progress)
        {
            try
            {
                await _relayProgress(progress, _closing.Token).ConfigureAwait(false);
            }
            catch (Exception ex) when (ex is not OperationCanceledException || !_closing.IsCancellationRequested)
            {
                // Progress is advisory: a client that has gone away must not stop the upstream's other messages.
            }
        }
    }
}
