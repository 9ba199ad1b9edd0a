using ModelContextProtocol.Protocol;

namespace PolicyProxy;

/// <summary>Sends the upstream's notifications on to the proxy's client, unchanged.</summary>
/// <param name="downstream">Where the notifications go.</param>
/// <param name="toolsChanged">Runs on the upstream's <c>notifications/tools/list_changed</c>: it gives the new list to
/// the policy's catalog, which tells each client whose visible tools changed (on every protocol revision, and no one
/// when only hidden tools changed), so that notification is not relayed as it is.</param>
/// <param name="signals">The prompt and resource list change signals, once the upstream's capabilities are known:
/// through them the SDK tells clients of every revision (see <see cref="ListChangeSignals"/>).</param>
internal sealed class UpstreamNotificationRelay(DownstreamSessions downstream, Func<CancellationToken, Task> toolsChanged, Func<ListChangeSignals?> signals)
{
    /// <summary>Handlers for the upstream client's options, so that none is missed between connecting and registering.</summary>
    public IEnumerable<KeyValuePair<string, Func<JsonRpcNotification, CancellationToken, ValueTask>>> Handlers() =>
    [
        new(NotificationMethods.LoggingMessageNotification, RelaySessionWideAsync),
        new(NotificationMethods.ResourceUpdatedNotification, RelaySessionWideAsync),
        new(NotificationMethods.ResourceListChangedNotification, (notification, ct) => signals()?.TryAnnounceResources() == true ? ValueTask.CompletedTask : RelaySessionWideAsync(notification, ct)),
        new(NotificationMethods.PromptListChangedNotification, (notification, ct) => signals()?.TryAnnouncePrompts() == true ? ValueTask.CompletedTask : RelaySessionWideAsync(notification, ct)),
        new(NotificationMethods.ToolListChangedNotification, async (_, ct) => await toolsChanged(ct).ConfigureAwait(false)),
    ];

    /// <summary>
    /// Relays one progress notification. It carries the client's own token: forwarded requests keep their
    /// <c>_meta</c>, progress token included. <see cref="ProgressFirstTransport"/> calls this in the upstream's order.
    /// </summary>
    public ValueTask RelayProgressAsync(JsonRpcNotification notification, CancellationToken cancellationToken) =>
        RelayAsync(notification, cancellationToken);

    private async ValueTask RelaySessionWideAsync(JsonRpcNotification notification, CancellationToken cancellationToken)
    {
        // A 2026-07-28 client must not get notifications it did not subscribe to, and the SDK offers a server no way
        // to send on the subscriptions/listen streams it tracks, except for changes to its own collections (see
        // ListChangeSignals): such a client does not get log messages, resource updates, or a list change the
        // upstream did not promise to announce.
        if (downstream.AcceptsSessionNotifications)
        {
            await RelayAsync(notification, cancellationToken).ConfigureAwait(false);
        }
    }

    private async ValueTask RelayAsync(JsonRpcNotification notification, CancellationToken cancellationToken)
    {
        if (downstream.Session is { } session)
        {
            // A new message: the received one carries the upstream transport's context.
            await session.SendMessageAsync(
                new JsonRpcNotification { Method = notification.Method, Params = notification.Params?.DeepClone() },
                cancellationToken).ConfigureAwait(false);
        }
    }
}
