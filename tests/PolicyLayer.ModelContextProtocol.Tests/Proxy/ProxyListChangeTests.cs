using System.Threading.Channels;
using ModelContextProtocol;
using ModelContextProtocol.Client;
using ModelContextProtocol.Protocol;

namespace PolicyLayer.ModelContextProtocol.Tests;

/// <summary>
/// The upstream's resource list changes reach the proxy's client whatever its protocol revision: on a 2026-07-28
/// client's <c>subscriptions/listen</c> request, tagged with its id, and once to a client of the initialize handshake.
/// server-everything's <c>gzip-file-as-resource</c> registers a new resource, which it announces.
/// </summary>
public sealed class ProxyListChangeTests
{
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(30);

    [ServerEverythingFact]
    public async Task UpstreamResourceListChanges_SubscribedClientIsToldOnItsSubscription()
    {
        await using var proxy = await AllowAllProxy.StartAsync(new McpClientOptions());
        await using var listener = await ListenSubscriptionTests.Listener.OpenAsync(
            proxy.Client, new SubscriptionsListenNotifications { ResourcesListChanged = true }, NotificationMethods.ResourceListChangedNotification);
        Assert.Equal("2026-07-28", proxy.Client.NegotiatedProtocolVersion);

        await AddUpstreamResourceAsync(proxy.Client);

        var change = await listener.Changes.Reader.ReadAsync().AsTask().WaitAsync(Patience);
        Assert.NotNull(listener.SubscriptionId);
        Assert.Equal(listener.SubscriptionId, ListenSubscriptionTests.SubscriptionId(change));
    }

    [ServerEverythingFact]
    public async Task UpstreamResourceListChanges_InitializeHandshakeClientIsToldOnce()
    {
        await using var proxy = await AllowAllProxy.StartAsync(new McpClientOptions { ProtocolVersion = "2025-11-25" });
        var told = Changes(proxy.Client, out var registration);
        await using (registration)
        {
            await AddUpstreamResourceAsync(proxy.Client);

            var change = await told.Reader.ReadAsync().AsTask().WaitAsync(Patience);
            Assert.Null(ListenSubscriptionTests.SubscriptionId(change));

            // A round trip after it: a second copy (relayed as well as announced) would have come before the answer.
            var resources = await proxy.Client.ListResourcesAsync();
            Assert.Equal(0, told.Reader.Count);

            // The empty collection that announces the change answers nothing itself: reads still reach the upstream.
            var read = await proxy.Client.ReadResourceAsync(resources[0].Uri);
            Assert.NotEmpty(read.Contents);
        }
    }

    private static Channel<JsonRpcNotification> Changes(McpClient client, out IAsyncDisposable registration)
    {
        var told = Channel.CreateUnbounded<JsonRpcNotification>();
        registration = client.RegisterNotificationHandler(NotificationMethods.ResourceListChangedNotification, (notification, _) =>
        {
            told.Writer.TryWrite(notification);
            return ValueTask.CompletedTask;
        });
        return told;
    }

    private static async Task AddUpstreamResourceAsync(McpClient client)
    {
        var result = await client.CallToolAsync(
            "gzip-file-as-resource",
            new Dictionary<string, object?> { ["name"] = $"note-{Guid.NewGuid():N}.gz", ["data"] = "data:text/plain;base64,aGVsbG8=" });
        Assert.NotEqual(true, result.IsError);
    }

    /// <summary>The proxy in front of server-everything under a policy that allows every tool.</summary>
    private sealed class AllowAllProxy(McpClient client, string policyFile) : IAsyncDisposable
    {
        public McpClient Client { get; } = client;

        public static async Task<AllowAllProxy> StartAsync(McpClientOptions options)
        {
            var policy = Path.Combine(Path.GetTempPath(), $"policylayer-proxy-{Guid.NewGuid():N}.json");
            await File.WriteAllTextAsync(policy, """{ "version": "1", "default": "allow" }""");
            try
            {
                return new AllowAllProxy(await SampleProcess.StartAsync("PolicyProxy", options, "--policy", policy, "--", "node", ServerEverythingFactAttribute.ServerScript(), "stdio"), policy);
            }
            catch
            {
                File.Delete(policy);
                throw;
            }
        }

        public async ValueTask DisposeAsync()
        {
            await Client.DisposeAsync();
            File.Delete(policyFile);
        }
    }
}
