using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using ModelContextProtocol.Client;
using ModelContextProtocol.Protocol;
using ModelContextProtocol.Server;
using PolicyLayer.Authorization;
using PolicyLayer.Policies;
using PolicyLayer.Reload;

namespace PolicyLayer.ModelContextProtocol.Tests;

/// <summary>A policy change that changes which tools a session sees is told with <c>notifications/tools/list_changed</c>; any other is not.</summary>
public sealed class ToolListChangedTests
{
    internal static readonly string HidingEcho = TestPolicy.Json.Replace("\"hide\": [\"secret_admin\"]", "\"hide\": [\"secret_admin\", \"echo\"]", StringComparison.Ordinal);
    private static readonly string HidingNothing = TestPolicy.Json.Replace("\"hide\": [\"secret_admin\"]", "\"hide\": []", StringComparison.Ordinal);

    [Fact]
    public async Task Server_DeclaresToolsListChanged()
    {
        await using var server = await McpTestServer.StartAsync(clientOptions: Handshake());

        Assert.True(server.Client.ServerCapabilities.Tools?.ListChanged);
    }

    [Fact]
    public async Task Reload_HidesListedTool_ClientIsTold_AndTheNextListLacksIt()
    {
        await using var server = await McpTestServer.StartAsync(clientOptions: Handshake());
        await using var probe = new ListChangedProbe(server.Client);
        Assert.Contains("echo", await ToolNamesAsync(server));

        Assert.Equal(PolicyReloadStatus.Applied, Reloader(server).Apply(HidingEcho).Status);

        await probe.WaitForAsync();
        Assert.DoesNotContain("echo", await ToolNamesAsync(server));
        Assert.Equal(1, await probe.CountAfterRoundTripAsync());
    }

    [Fact]
    public async Task Reload_UnhidesTool_ClientIsTold_AndTheToolIsBack()
    {
        await using var server = await McpTestServer.StartAsync(clientOptions: Handshake());
        await using var probe = new ListChangedProbe(server.Client);
        Assert.DoesNotContain("secret_admin", await ToolNamesAsync(server));

        Reloader(server).Apply(HidingNothing);

        await probe.WaitForAsync();
        Assert.Contains("secret_admin", await ToolNamesAsync(server));
    }

    [Theory]
    [InlineData("\"max\": 30", "\"max\": 31")] // a limit changed
    [InlineData("\"hide\": [\"secret_admin\"]", "\"hide\": [\"secret_admin\", \"not_on_this_server\"]")] // a tool the server does not have hidden
    [InlineData("\"echo\": {}", "\"echo\": { \"action\": \"deny\" }")] // refused from now on, but still listed
    public async Task Reload_NothingVisibleChanges_ClientIsToldNothing(string from, string to)
    {
        await using var server = await McpTestServer.StartAsync(clientOptions: Handshake());
        await using var probe = new ListChangedProbe(server.Client);
        var policy = TestPolicy.Json.Replace(from, to, StringComparison.Ordinal);
        Assert.NotEqual(TestPolicy.Json, policy);
        Assert.Contains("echo", await ToolNamesAsync(server)); // listed, so followed: the silence is a decision

        Assert.Equal(PolicyReloadStatus.Applied, Reloader(server).Apply(policy).Status);

        Assert.Equal(0, await probe.CountAfterRoundTripAsync());
    }

    [Fact]
    public async Task Reload_SessionThatNeverListed_IsToldNothing_AndItsFirstListShowsTheChange()
    {
        // Followed from its first tools/list: a session without a list has nothing that can go stale.
        await using var server = await McpTestServer.StartAsync(clientOptions: Handshake());
        await using var probe = new ListChangedProbe(server.Client);

        Assert.Equal(PolicyReloadStatus.Applied, Reloader(server).Apply(HidingEcho).Status);

        Assert.Equal(0, await probe.CountAfterRoundTripAsync());
        Assert.DoesNotContain("echo", await ToolNamesAsync(server));
    }

    [Fact]
    public async Task Reload_AfterTheFirstList_LaterListsDoNotFollowTheSessionTwice()
    {
        await using var server = await McpTestServer.StartAsync(clientOptions: Handshake());
        await using var probe = new ListChangedProbe(server.Client);
        await ToolNamesAsync(server);
        await ToolNamesAsync(server);

        Reloader(server).Apply(HidingEcho);

        await probe.WaitForAsync();
        Assert.Equal(1, await probe.CountAfterRoundTripAsync());
    }

    [Fact]
    public async Task ByDefault_OnlyTheSubscriptionFilterIsAdded()
    {
        // The SDK builds and runs the chain of message filters for every message: by default the policy layer adds one,
        // to see subscriptions/listen requests; holding back the SDK's own notifications adds one each way.
        await using var plain = await McpTestServer.StartAsync(withPolicy: false, clientOptions: Handshake());
        await using var guarded = await McpTestServer.StartAsync(clientOptions: Handshake());
        await using var holding = await McpTestServer.StartAsync(configure: o => o.HoldBackUnseenToolListChanges = true, clientOptions: Handshake());

        var (plainIn, plainOut) = MessageFilterCounts(plain);
        Assert.Equal((plainIn + 1, plainOut), MessageFilterCounts(guarded));
        Assert.Equal((plainIn + 2, plainOut + 1), MessageFilterCounts(holding));
    }

    [Fact]
    public async Task ServerPinnedBeforeSubscriptions_NoMessageFilterIsAdded()
    {
        // No client can open subscriptions/listen on a server that speaks only revisions with the initialize handshake.
        static void Pin(IMcpServerBuilder mcp) => mcp.Services.Configure<McpServerOptions>(o => o.ProtocolVersion = "2025-11-25");
        await using var plain = await McpTestServer.StartAsync(withPolicy: false, server: Pin, clientOptions: Handshake());
        await using var guarded = await McpTestServer.StartAsync(server: Pin, clientOptions: Handshake());

        Assert.Equal(MessageFilterCounts(plain), MessageFilterCounts(guarded));
    }

    [Fact]
    public async Task Reload_ChangeTouchesOnlyAHiddenTool_ClientIsToldNothing()
    {
        // secret_admin stays hidden, but its rules change: the client must not learn that anything about it moved.
        await using var server = await McpTestServer.StartAsync(clientOptions: Handshake());
        await using var probe = new ListChangedProbe(server.Client);
        Assert.DoesNotContain("secret_admin", await ToolNamesAsync(server));

        Reloader(server).Apply(TestPolicy.Json.Replace("\"echo\": {},", "\"echo\": {}, \"secret_admin\": { \"action\": \"deny\" },", StringComparison.Ordinal));

        Assert.Equal(0, await probe.CountAfterRoundTripAsync());
    }

    [Fact]
    public async Task Reload_SwitchToShadowModeAndBack_ClientIsToldEachTime()
    {
        await using var server = await McpTestServer.StartAsync(clientOptions: Handshake());
        await using var probe = new ListChangedProbe(server.Client);
        var reloader = Reloader(server);
        Assert.DoesNotContain("secret_admin", await ToolNamesAsync(server));

        // Shadow mode enforces nothing, hiding included.
        reloader.Apply(TestPolicy.Json.Replace("\"default\": \"deny\",", "\"default\": \"deny\", \"mode\": \"shadow\",", StringComparison.Ordinal));
        await probe.WaitForAsync(1);
        Assert.Contains("secret_admin", await ToolNamesAsync(server));

        reloader.Apply(TestPolicy.Json);
        await probe.WaitForAsync(2);
        Assert.DoesNotContain("secret_admin", await ToolNamesAsync(server));
    }

    [Fact]
    public async Task Reload_ClientOnThe20260728Revision_IsSentNothingItDidNotSubscribeTo()
    {
        // From 2026-07-28 a server must not send a client list changes it did not subscribe to (subscriptions/listen).
        await using var server = await McpTestServer.StartAsync(clientOptions: new McpClientOptions { ProtocolVersion = "2026-07-28" });
        await using var probe = new ListChangedProbe(server.Client);
        Assert.Contains("echo", await ToolNamesAsync(server));

        Reloader(server).Apply(HidingEcho);

        // ping is gone in that revision; a tools/list is the round trip, and shows the change.
        Assert.DoesNotContain("echo", await ToolNamesAsync(server));
        Assert.Equal(0, probe.Count);
    }

    [Fact]
    public async Task UpdatePolicy_ByTheHost_ClientIsTold()
    {
        await using var server = await McpTestServer.StartAsync(clientOptions: Handshake());
        await using var probe = new ListChangedProbe(server.Client);
        Assert.Contains("echo", await ToolNamesAsync(server));

        server.Services.GetRequiredService<PolicyAuthorizer>().UpdatePolicy(Policy.Parse(HidingEcho));

        await probe.WaitForAsync();
        Assert.DoesNotContain("echo", await ToolNamesAsync(server));
    }

    [Fact]
    public async Task OwnListHandler_DeclaresListChanged_ReloadHidesACatalogTool_ClientIsTold()
    {
        // A proxy: tools served by its own handlers, their names given to the catalog.
        await using var server = await StartProxyLikeAsync(capabilities: null);
        await using var probe = new ListChangedProbe(server.Client);
        Assert.True(server.Client.ServerCapabilities.Tools?.ListChanged);
        Assert.Contains("echo", await ToolNamesAsync(server));

        Reloader(server).Apply(HidingEcho);

        await probe.WaitForAsync();
        Assert.DoesNotContain("echo", await ToolNamesAsync(server));
    }

    [Fact]
    public async Task OwnListHandler_HostDeclaredNoListChanged_ClientIsToldNothing()
    {
        await using var server = await StartProxyLikeAsync(new ServerCapabilities { Tools = new ToolsCapability { ListChanged = false } });
        await using var probe = new ListChangedProbe(server.Client);
        Assert.NotEqual(true, server.Client.ServerCapabilities.Tools?.ListChanged);
        Assert.Contains("echo", await ToolNamesAsync(server));

        Reloader(server).Apply(HidingEcho);

        Assert.Equal(0, await probe.CountAfterRoundTripAsync());
    }

    [Fact]
    public async Task ToolCollection_HiddenToolAdded_SdkNotificationHeldBack_VisibleToolAdded_Told()
    {
        await using var server = await McpTestServer.StartAsync(HidingAddedTool, o => o.HoldBackUnseenToolListChanges = true, clientOptions: Handshake());
        await using var probe = new ListChangedProbe(server.Client);
        var tools = server.Services.GetRequiredService<IOptions<McpServerOptions>>().Value.ToolCollection!;
        Assert.DoesNotContain("added_visible", await ToolNamesAsync(server));

        tools.Add(Tool("added_hidden"));
        Assert.Equal(0, await probe.CountAfterRoundTripAsync());

        tools.Add(Tool("added_visible"));
        await probe.WaitForAsync();
        Assert.Contains("added_visible", await ToolNamesAsync(server));
    }

    [Fact]
    public async Task ToolCollection_HiddenToolAdded_ByDefault_TheSdkNotificationGoesOn()
    {
        // Holding it back costs a filter on every outgoing message, so it is opt-in; the notification names nothing.
        await using var server = await McpTestServer.StartAsync(HidingAddedTool, clientOptions: Handshake());
        await using var probe = new ListChangedProbe(server.Client);
        var tools = server.Services.GetRequiredService<IOptions<McpServerOptions>>().Value.ToolCollection!;
        await ToolNamesAsync(server);

        tools.Add(Tool("added_hidden"));

        await probe.WaitForAsync();
        Assert.DoesNotContain("added_hidden", await ToolNamesAsync(server));
    }

    [Fact]
    public async Task ToolCollection_HiddenToolAdded_BeforeTheSessionListed_SdkNotificationHeldBack()
    {
        // Judging the SDK's notifications needs what the session could see from its start: followed from initialized.
        // The server handles messages concurrently: its own handler of initialized runs inside the message filters,
        // so once it has run, the session is followed.
        var initialized = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        await using var server = await McpTestServer.StartAsync(
            HidingAddedTool,
            o => o.HoldBackUnseenToolListChanges = true,
            server: mcp => mcp.Services.Configure<McpServerOptions>(o => o.Handlers.NotificationHandlers =
                [new(NotificationMethods.InitializedNotification, (_, _) => { initialized.TrySetResult(); return ValueTask.CompletedTask; })]),
            clientOptions: Handshake());
        await using var probe = new ListChangedProbe(server.Client);
        var tools = server.Services.GetRequiredService<IOptions<McpServerOptions>>().Value.ToolCollection!;
        await initialized.Task.WaitAsync(TimeSpan.FromSeconds(30));

        tools.Add(Tool("added_hidden"));

        Assert.Equal(0, await probe.CountAfterRoundTripAsync());
    }

    private static string HidingAddedTool => TestPolicy.Json
        .Replace("\"hide\": [\"secret_admin\"]", "\"hide\": [\"secret_admin\", \"added_hidden\"]", StringComparison.Ordinal)
        .Replace("\"echo\": {},", "\"echo\": {}, \"added_visible\": {},", StringComparison.Ordinal);

    [Fact]
    public async Task ToolCollection_HiddenToolAdded_WithoutThePolicyLayer_TheSdkTellsTheClient()
    {
        // Control for the test above: the SDK itself announces every change to its collection.
        await using var server = await McpTestServer.StartAsync(withPolicy: false, clientOptions: Handshake());
        await using var probe = new ListChangedProbe(server.Client);
        var tools = server.Services.GetRequiredService<IOptions<McpServerOptions>>().Value.ToolCollection!;

        tools.Add(Tool("added_hidden"));

        await probe.WaitForAsync();
    }

    [Fact]
    public async Task ToolCollection_VisibleToolReplacedUnderTheSameName_Told()
    {
        // The same names, a new definition: the client must list again to see it.
        await using var server = await McpTestServer.StartAsync(clientOptions: Handshake());
        await using var probe = new ListChangedProbe(server.Client);
        var tools = server.Services.GetRequiredService<IOptions<McpServerOptions>>().Value.ToolCollection!;
        var echo = tools.Single(t => t.ProtocolTool.Name == "echo");
        Assert.Contains("echo", await ToolNamesAsync(server));

        tools.Remove(echo);
        tools.Add(McpServerTool.Create((string text) => text, new McpServerToolCreateOptions { Name = "echo", Description = "Echoes, differently." }));

        await probe.WaitForAsync();
        Assert.Equal("Echoes, differently.", (await server.Client.ListToolsAsync()).Single(t => t.Name == "echo").Description);
    }

    /// <summary>
    /// A client on the last revision with the initialize handshake. From 2026-07-28 on, list changes reach only a client
    /// that subscribed to them (subscriptions/listen): see <see cref="ListenSubscriptionTests"/>.
    /// </summary>
    internal static McpClientOptions Handshake() => new() { ProtocolVersion = "2025-11-25" };

    private static async Task<McpTestServer> StartProxyLikeAsync(ServerCapabilities? capabilities)
    {
        Tool[] upstream = [new() { Name = "echo" }, new() { Name = "typed" }];
        var server = await McpTestServer.StartAsync(
            withTestTools: false,
            server: mcp =>
            {
                mcp.Services.Configure<McpServerOptions>(o => o.Capabilities = capabilities);
                mcp.WithListToolsHandler((_, _) => ValueTask.FromResult(new ListToolsResult { Tools = [.. upstream] }))
                    .WithCallToolHandler((_, _) => ValueTask.FromResult(new CallToolResult()));
            },
            clientOptions: Handshake());
        server.Services.GetRequiredService<PolicyToolCatalog>().SetTools(upstream);
        return server;
    }

    private static McpServerTool Tool(string name) =>
        McpServerTool.Create(() => name, new McpServerToolCreateOptions { Name = name });

    private static (int Incoming, int Outgoing) MessageFilterCounts(McpTestServer server)
    {
        var filters = server.Services.GetRequiredService<IOptions<McpServerOptions>>().Value.Filters.Message;
        return (filters.IncomingFilters.Count, filters.OutgoingFilters.Count);
    }

    private static PolicyReloader Reloader(McpTestServer server) => server.Services.GetRequiredService<PolicyReloader>();

    private static async Task<List<string>> ToolNamesAsync(McpTestServer server) =>
        (await server.Client.ListToolsAsync()).Select(t => t.Name).ToList();
}
