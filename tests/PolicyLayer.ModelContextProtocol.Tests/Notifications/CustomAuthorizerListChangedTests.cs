using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using ModelContextProtocol.Server;

namespace PolicyLayer.ModelContextProtocol.Tests;

/// <summary>A host's own authorizer is listened to when it implements <see cref="IPolicyChangeNotifier"/>, and cannot break a session by failing.</summary>
public sealed class CustomAuthorizerListChangedTests
{
    [Fact]
    public async Task OwnAuthorizer_RaisesPolicyChanged_SessionWhoseToolsChangedIsTold()
    {
        var authorizer = new SwitchableAuthorizer();
        await using var server = await StartAsync(authorizer);
        await using var probe = new ListChangedProbe(server.Client);
        Assert.Contains("echo", (await server.Client.ListToolsAsync()).Select(t => t.Name));

        authorizer.Hide("echo");

        await probe.WaitForAsync();
        Assert.DoesNotContain("echo", (await server.Client.ListToolsAsync()).Select(t => t.Name));
    }

    [Fact]
    public async Task OwnAuthorizer_VisibilityThrows_PolicyChangeAndSdkNotificationsDoNotBreakTheSession()
    {
        var authorizer = new SwitchableAuthorizer();
        await using var server = await StartAsync(authorizer);
        await using var probe = new ListChangedProbe(server.Client);
        await server.Client.ListToolsAsync();

        authorizer.Broken = true;
        authorizer.Hide("echo"); // the notifier cannot tell what changed: logged, nothing sent
        Assert.Equal(0, await probe.CountAfterRoundTripAsync());

        // A change to the collection it cannot judge is passed on, as the SDK sends it.
        server.Services.GetRequiredService<IOptions<McpServerOptions>>().Value.ToolCollection!
            .Add(McpServerTool.Create(() => "x", new McpServerToolCreateOptions { Name = "added" }));
        await probe.WaitForAsync();
    }

    [Fact]
    public async Task OwnAuthorizerWithoutChanges_SubscriptionFilterOnlyWhereTheCatalogCanChangeTheList()
    {
        // Nothing announces policy changes, so only a server with its own tools/list handler, whose list the host gives
        // the catalog, can have something to tell a subscribed client; a server with a tool collection adds no filter.
        static Action<IServiceCollection> Quiet() => s => s.AddSingleton<IToolCallAuthorizer>(new QuietAuthorizer());
        await using var plain = await McpTestServer.StartAsync(withPolicy: false, clientOptions: ToolListChangedTests.Handshake());
        await using var collection = await McpTestServer.StartAsync(
            withPolicy: false, services: Quiet(), server: mcp => mcp.AddPolicyLayerEnforcement(), clientOptions: ToolListChangedTests.Handshake());
        await using var ownList = await McpTestServer.StartAsync(
            withPolicy: false,
            withTestTools: false,
            services: Quiet(),
            server: mcp => mcp.AddPolicyLayerEnforcement()
                .WithListToolsHandler((_, _) => ValueTask.FromResult(new global::ModelContextProtocol.Protocol.ListToolsResult()))
                .WithCallToolHandler((_, _) => ValueTask.FromResult(new global::ModelContextProtocol.Protocol.CallToolResult())),
            clientOptions: ToolListChangedTests.Handshake());

        Assert.Equal(IncomingFilterCount(plain), IncomingFilterCount(collection));
        Assert.Equal(IncomingFilterCount(plain) + 1, IncomingFilterCount(ownList));
    }

    private static int IncomingFilterCount(McpTestServer server) =>
        server.Services.GetRequiredService<IOptions<McpServerOptions>>().Value.Filters.Message.IncomingFilters.Count;

    private static Task<McpTestServer> StartAsync(SwitchableAuthorizer authorizer) => McpTestServer.StartAsync(
        withPolicy: false,
        services: s => s.AddSingleton<IToolCallAuthorizer>(authorizer),
        server: mcp => mcp.AddPolicyLayerEnforcement(),
        clientOptions: ToolListChangedTests.Handshake());

    /// <summary>Shows every tool and never announces a change.</summary>
    private sealed class QuietAuthorizer : IToolCallAuthorizer
    {
        // Not called: these tests only start servers.
        public ValueTask<AuthorizationDecision> AuthorizeAsync(ToolCall call, CancellationToken cancellationToken = default) =>
            throw new NotSupportedException();

        public bool IsToolVisible(string toolName) => true;
    }

    /// <summary>Hides what it is told to, and says so through <see cref="PolicyChanged"/>.</summary>
    private sealed class SwitchableAuthorizer : IToolCallAuthorizer, IPolicyChangeNotifier
    {
        private readonly HashSet<string> _hidden = new(StringComparer.Ordinal);

        public event EventHandler<PolicyChangedEventArgs>? PolicyChanged;

        public bool Broken { get; set; }

        public void Hide(string tool)
        {
            lock (_hidden)
            {
                _hidden.Add(tool);
            }

            PolicyChanged?.Invoke(this, new PolicyChangedEventArgs(null, Policies.Policy.Parse("""{ "version": "1", "default": "allow" }""")));
        }

        // Not called: these tests only list tools.
        public ValueTask<AuthorizationDecision> AuthorizeAsync(ToolCall call, CancellationToken cancellationToken = default) =>
            throw new NotSupportedException();

        public bool IsToolVisible(string toolName)
        {
            if (Broken)
            {
                throw new InvalidOperationException("The visibility source is down.");
            }

            lock (_hidden)
            {
                return !_hidden.Contains(toolName);
            }
        }
    }
}
