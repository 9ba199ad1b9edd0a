using ModelContextProtocol.Client;
using ModelContextProtocol.Protocol;

namespace PolicyLayer.ModelContextProtocol.Tests;

/// <summary>Counts the <c>notifications/tools/list_changed</c> a client receives, and waits for them without sleeping.</summary>
public sealed class ListChangedProbe : IAsyncDisposable
{
    // Long enough for a loaded CI machine; a notification that is sent arrives in milliseconds.
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(30);

    private readonly McpClient _client;
    private readonly IAsyncDisposable _registration;
    private readonly object _gate = new();
    private TaskCompletionSource _next = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private int _count;

    public ListChangedProbe(McpClient client)
    {
        _client = client;
        _registration = client.RegisterNotificationHandler(NotificationMethods.ToolListChangedNotification, (_, _) =>
        {
            TaskCompletionSource arrived;
            lock (_gate)
            {
                _count++;
                arrived = _next;
                _next = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
            }

            arrived.TrySetResult();
            return ValueTask.CompletedTask;
        });
    }

    /// <summary>How many arrived so far.</summary>
    public int Count
    {
        get
        {
            lock (_gate)
            {
                return _count;
            }
        }
    }

    /// <summary>Waits until at least <paramref name="count"/> have arrived.</summary>
    public async Task WaitForAsync(int count = 1)
    {
        while (true)
        {
            Task next;
            lock (_gate)
            {
                if (_count >= count)
                {
                    return;
                }

                next = _next.Task;
            }

            await next.WaitAsync(Patience);
        }
    }

    /// <summary>
    /// How many have arrived once everything the server sent before now has been read: a ping's answer comes after
    /// any notification the server wrote before it, and the client handles messages in the order they come.
    /// </summary>
    public async Task<int> CountAfterRoundTripAsync()
    {
        await _client.PingAsync();
        return Count;
    }

    public ValueTask DisposeAsync() => _registration.DisposeAsync();
}
