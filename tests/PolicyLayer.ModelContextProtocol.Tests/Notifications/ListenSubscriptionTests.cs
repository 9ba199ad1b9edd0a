using System.Text.Json;
using System.Text.Json.Nodes;
using System.Threading.Channels;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using ModelContextProtocol;
using ModelContextProtocol.Client;
using ModelContextProtocol.Protocol;
using ModelContextProtocol.Server;
using PolicyLayer.Reload;

namespace PolicyLayer.ModelContextProtocol.Tests;

/// <summary>
/// From protocol revision 2026-07-28 a client learns of list changes only on the <c>subscriptions/listen</c> requests it
/// holds open, each notification tagged with the request's id: policy changes are told there.
/// </summary>
public sealed class ListenSubscriptionTests
{
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(30);

    [Fact]
    public async Task Reload_HidesListedTool_SubscribedClientIsToldOnItsSubscription()
    {
        await using var server = await StartAsync();
        await using var listener = await Listener.OpenAsync(server.Client, new SubscriptionsListenNotifications { ToolsListChanged = true });
        Assert.Contains("echo", await ToolNamesAsync(server));

        Assert.Equal(PolicyReloadStatus.Applied, Reloader(server).Apply(ToolListChangedTests.HidingEcho).Status);

        var told = await listener.Changes.Reader.ReadAsync().AsTask().WaitAsync(Patience);
        Assert.Equal(listener.SubscriptionId, SubscriptionId(told));
        Assert.DoesNotContain("echo", await ToolNamesAsync(server));
        Assert.Equal(0, listener.Changes.Reader.Count);
    }

    [Fact]
    public async Task Reload_TwoSubscriptions_EachIsToldOnce()
    {
        await using var server = await StartAsync();
        await using var first = await Listener.OpenAsync(server.Client, new SubscriptionsListenNotifications { ToolsListChanged = true });
        await using var second = await Listener.OpenAsync(server.Client, new SubscriptionsListenNotifications { ToolsListChanged = true });
        await ToolNamesAsync(server);

        Reloader(server).Apply(ToolListChangedTests.HidingEcho);

        // Both handlers see every notification on the shared channel: one tagged for each subscription.
        var ids = new[]
        {
            SubscriptionId(await first.Changes.Reader.ReadAsync().AsTask().WaitAsync(Patience)),
            SubscriptionId(await first.Changes.Reader.ReadAsync().AsTask().WaitAsync(Patience)),
        };
        Assert.Equal(new[] { first.SubscriptionId, second.SubscriptionId }.Order(), ids.Order());
        await ToolNamesAsync(server);
        Assert.Equal(0, first.Changes.Reader.Count);
    }

    [Fact]
    public async Task Reload_SubscriptionWithoutToolChanges_IsToldNothing()
    {
        await using var server = await StartAsync();

        await AssertHidingEchoIsToldNothingAsync(server, new SubscriptionsListenNotifications { PromptsListChanged = true });
    }

    [Fact]
    public async Task Reload_HostAnswersSubscriptionsItself_NothingIsAddedToItsStreams()
    {
        // A host's own subscriptions/listen handler owns its streams: it acknowledges (granting tool changes here) and
        // holds the request open, and only it decides what travels there.
        await using var server = await McpTestServer.StartAsync(
            server: mcp => mcp.WithSubscriptionsListenHandler(async (request, cancellationToken) =>
            {
                await request.Server.SendNotificationAsync(
                    NotificationMethods.SubscriptionsAcknowledgedNotification,
                    new SubscriptionsAcknowledgedNotificationParams { Notifications = new SubscriptionsListenNotifications { ToolsListChanged = true } },
                    cancellationToken: cancellationToken);
                await Task.Delay(Timeout.Infinite, cancellationToken);
                return new EmptyResult();
            }),
            clientOptions: new McpClientOptions { ProtocolVersion = "2026-07-28" });

        await AssertHidingEchoIsToldNothingAsync(server, new SubscriptionsListenNotifications { ToolsListChanged = true });
    }

    [Fact]
    public async Task SessionEnds_ItsSubscriptionsAreForgotten()
    {
        var server = await StartAsync();
        await Listener.OpenAsync(server.Client, new SubscriptionsListenNotifications { ToolsListChanged = true });
        var subscriptions = server.Services.GetRequiredService<ListenSubscriptions>();
        var options = server.Services.GetRequiredService<IOptions<McpServerOptions>>().Value;
        Assert.Single(subscriptions.Of(options, null));

        // The session ends, and with it the SDK's handler of the open request, which the filter was holding on to.
        await server.DisposeAsync();

        Assert.Empty(subscriptions.Of(options, null));
    }

    [Fact]
    public async Task Reload_NothingVisibleChanges_SubscribedClientIsToldNothing()
    {
        await using var server = await StartAsync();
        await using var listener = await Listener.OpenAsync(server.Client, new SubscriptionsListenNotifications { ToolsListChanged = true });
        Assert.Contains("echo", await ToolNamesAsync(server));

        Assert.Equal(PolicyReloadStatus.Applied, Reloader(server).Apply(TestPolicy.Json.Replace("\"max\": 30", "\"max\": 31", StringComparison.Ordinal)).Status);

        await ToolNamesAsync(server);
        Assert.Equal(0, listener.Changes.Reader.Count);
    }

    /// <summary>Opens a subscription, then hides a listed tool: nothing may arrive on it.</summary>
    private static async Task AssertHidingEchoIsToldNothingAsync(McpTestServer server, SubscriptionsListenNotifications asked)
    {
        await using var listener = await Listener.OpenAsync(server.Client, asked);
        Assert.Contains("echo", await ToolNamesAsync(server));

        Reloader(server).Apply(ToolListChangedTests.HidingEcho);

        // The list round trip comes after anything the reload sent.
        Assert.DoesNotContain("echo", await ToolNamesAsync(server));
        Assert.Equal(0, listener.Changes.Reader.Count);
    }

    private static Task<McpTestServer> StartAsync() =>
        McpTestServer.StartAsync(clientOptions: new McpClientOptions { ProtocolVersion = "2026-07-28" });

    internal static string? SubscriptionId(JsonRpcNotification notification) =>
        ((notification.Params as JsonObject)?["_meta"] as JsonObject)?[MetaKeys.SubscriptionId]?.ToJsonString();

    private static PolicyReloader Reloader(McpTestServer server) => server.Services.GetRequiredService<PolicyReloader>();

    private static async Task<List<string>> ToolNamesAsync(McpTestServer server) =>
        (await server.Client.ListToolsAsync()).Select(t => t.Name).ToList();

    /// <summary>An open <c>subscriptions/listen</c> request, and the tool list changes the client received.</summary>
    internal sealed class Listener : IAsyncDisposable
    {
        private readonly CancellationTokenSource _cancel = new();
        private readonly IAsyncDisposable _changeRegistration;
        private Task _request = Task.CompletedTask;

        private Listener(McpClient client, string changeMethod)
        {
            _changeRegistration = client.RegisterNotificationHandler(changeMethod, (notification, _) =>
            {
                Changes.Writer.TryWrite(notification);
                return ValueTask.CompletedTask;
            });
        }

        /// <summary>The list-change notifications the client received (every one of their method, whichever subscription they name).</summary>
        public Channel<JsonRpcNotification> Changes { get; } = Channel.CreateUnbounded<JsonRpcNotification>();

        public string? SubscriptionId { get; private set; }

        /// <summary>Opens a subscription and waits for its acknowledgement; <paramref name="changeMethod"/> is the notification collected.</summary>
        public static async Task<Listener> OpenAsync(McpClient client, SubscriptionsListenNotifications notifications, string changeMethod = NotificationMethods.ToolListChangedNotification)
        {
            var listener = new Listener(client, changeMethod);
            var acknowledged = Channel.CreateUnbounded<JsonRpcNotification>();
            await using (client.RegisterNotificationHandler(NotificationMethods.SubscriptionsAcknowledgedNotification, (notification, _) =>
            {
                acknowledged.Writer.TryWrite(notification);
                return ValueTask.CompletedTask;
            }))
            {
                var request = new JsonRpcRequest
                {
                    Method = RequestMethods.SubscriptionsListen,
                    Params = JsonSerializer.SerializeToNode(new SubscriptionsListenRequestParams { Notifications = notifications }, McpJsonUtilities.DefaultOptions),
                };
                listener._request = client.SendRequestAsync(request, listener._cancel.Token);

                // Each listener has its own acknowledgement handler, but every handler sees every acknowledgement:
                // the one for this request is the first to arrive after it was sent.
                listener.SubscriptionId = ListenSubscriptionTests.SubscriptionId(await acknowledged.Reader.ReadAsync().AsTask().WaitAsync(Patience));
            }

            return listener;
        }

        public async ValueTask DisposeAsync()
        {
            await _cancel.CancelAsync();
            try
            {
                await _request;
            }
            catch (OperationCanceledException)
            {
                // How a cancelled subscription ends.
            }

            await _changeRegistration.DisposeAsync();
            _cancel.Dispose();
        }
    }
}
