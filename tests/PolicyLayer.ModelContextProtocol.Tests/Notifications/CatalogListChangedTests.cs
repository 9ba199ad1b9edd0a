using Microsoft.Extensions.DependencyInjection;
using ModelContextProtocol.Client;
using ModelContextProtocol.Protocol;

namespace PolicyLayer.ModelContextProtocol.Tests;

/// <summary>
/// A server with its own <c>tools/list</c> handler (a proxy, a gateway) gives its tools to the catalog: a new list is
/// told to each session whose visible tools changed, on every protocol revision, and to no one when only hidden tools
/// changed.
/// </summary>
public sealed class CatalogListChangedTests
{
    private static readonly Tool Echo = new() { Name = "echo", Description = "Echoes." };
    private static readonly Tool Typed = new() { Name = "typed" };

    [Fact]
    public async Task SetTools_AddsATool_ClientIsTold_AndItsListHasTheTool()
    {
        await using var gateway = await Gateway.StartAsync(ToolListChangedTests.Handshake());
        await using var probe = new ListChangedProbe(gateway.Server.Client);
        Assert.DoesNotContain("added", await gateway.ToolNamesAsync());

        gateway.Serve([Echo, Typed, new Tool { Name = "added" }]);

        await probe.WaitForAsync();
        Assert.Contains("added", await gateway.ToolNamesAsync());
        Assert.Equal(1, await probe.CountAfterRoundTripAsync());
    }

    [Fact]
    public async Task SetTools_RedefinesAVisibleTool_ClientIsTold()
    {
        await using var gateway = await Gateway.StartAsync(ToolListChangedTests.Handshake());
        await using var probe = new ListChangedProbe(gateway.Server.Client);
        await gateway.ToolNamesAsync();

        gateway.Serve([new Tool { Name = "echo", Description = "Echoes, differently." }, Typed]);

        await probe.WaitForAsync();
    }

    [Theory]
    [InlineData(true)]  // the policy hides the added tool
    [InlineData(false)] // the same list again
    public async Task SetTools_NothingVisibleChanges_ClientIsToldNothing(bool addHidden)
    {
        await using var gateway = await Gateway.StartAsync(ToolListChangedTests.Handshake());
        await using var probe = new ListChangedProbe(gateway.Server.Client);
        await gateway.ToolNamesAsync();

        gateway.Serve(addHidden ? [Echo, Typed, new Tool { Name = "secret_admin" }] : [Echo, Typed]);

        Assert.Equal(0, await probe.CountAfterRoundTripAsync());
    }

    [Fact]
    public async Task SetTools_AddsATool_SubscribedClientOn20260728IsToldOnItsSubscription()
    {
        await using var gateway = await Gateway.StartAsync(new McpClientOptions { ProtocolVersion = "2026-07-28" });
        await using var listener = await ListenSubscriptionTests.Listener.OpenAsync(gateway.Server.Client, new SubscriptionsListenNotifications { ToolsListChanged = true });
        await gateway.ToolNamesAsync();

        gateway.Serve([Echo, Typed, new Tool { Name = "added" }]);

        var told = await listener.Changes.Reader.ReadAsync().AsTask().WaitAsync(TimeSpan.FromSeconds(30));
        Assert.Equal(listener.SubscriptionId, ListenSubscriptionTests.SubscriptionId(told));
    }

    /// <summary>A server whose tools/list answers what it last gave the catalog, as a proxy answers its upstream's.</summary>
    private sealed class Gateway : IAsyncDisposable
    {
        private volatile Tool[] _tools = [Echo, Typed];

        private Gateway(McpTestServer server) => Server = server;

        public McpTestServer Server { get; }

        public static async Task<Gateway> StartAsync(McpClientOptions clientOptions)
        {
            Gateway? gateway = null;
            var server = await McpTestServer.StartAsync(
                withTestTools: false,
                server: mcp => mcp
                    .WithListToolsHandler((_, _) => ValueTask.FromResult(new ListToolsResult { Tools = [.. gateway!._tools] }))
                    .WithCallToolHandler((_, _) => ValueTask.FromResult(new CallToolResult())),
                clientOptions: clientOptions);
            gateway = new Gateway(server);
            gateway.Serve(gateway._tools);
            return gateway;
        }

        /// <summary>Serves a new list: the handler answers it from now on, and the catalog is given it.</summary>
        public void Serve(Tool[] tools)
        {
            _tools = tools;
            Server.Services.GetRequiredService<PolicyToolCatalog>().SetTools(tools);
        }

        public async Task<List<string>> ToolNamesAsync() => (await Server.Client.ListToolsAsync()).Select(t => t.Name).ToList();

        public ValueTask DisposeAsync() => Server.DisposeAsync();
    }
}
