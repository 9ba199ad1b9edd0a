using System.IO.Pipelines;
using System.Text.Json;
using System.Text.Json.Nodes;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Time.Testing;
using ModelContextProtocol.Client;
using ModelContextProtocol.Protocol;
using ModelContextProtocol.Server;
using PolicyLayer.DependencyInjection;

namespace PolicyLayer.ModelContextProtocol.Tests;

/// <summary>
/// A real MCP server (the SDK's hosting, tools and filters) and the SDK's own client, joined by in-memory pipes.
/// </summary>
public sealed class McpTestServer : IAsyncDisposable
{
    /// <summary>The request metadata field the tests' grant resolver reads.</summary>
    public const string GrantMeta = "grant";

    private readonly IHost _host;

    private McpTestServer(IHost host, McpClient client)
    {
        _host = host;
        Client = client;
    }

    public McpClient Client { get; }

    public IServiceProvider Services => _host.Services;

    public InvocationLog Log => Services.GetRequiredService<InvocationLog>();

    public FakeTimeProvider Time => (FakeTimeProvider)Services.GetRequiredService<TimeProvider>();

    public static async Task<McpTestServer> StartAsync(
        string policyJson = TestPolicy.Json,
        Action<PolicyLayerMcpOptions>? configure = null,
        Action<IServiceCollection>? services = null,
        Action<IMcpServerBuilder>? server = null,
        bool withPolicy = true,
        McpClientOptions? clientOptions = null,
        bool withTestTools = true)
    {
        var clientToServer = new Pipe();
        var serverToClient = new Pipe();

        var builder = Host.CreateEmptyApplicationBuilder(new HostApplicationBuilderSettings());
        builder.Services.AddSingleton<InvocationLog>();
        builder.Services.AddSingleton<TimeProvider>(new FakeTimeProvider(new DateTimeOffset(2026, 1, 1, 0, 0, 0, TimeSpan.Zero)));
        services?.Invoke(builder.Services);

        var mcp = builder.Services.AddMcpServer()
            .WithStreamServerTransport(clientToServer.Reader.AsStream(), serverToClient.Writer.AsStream());
        if (withTestTools)
        {
            mcp.WithTools<TestTools>();
        }

        server?.Invoke(mcp);
        if (withPolicy)
        {
            mcp.AddPolicyLayer(
                o => o.PolicyJson = policyJson,
                o =>
                {
                    o.GrantResolver = ReadGrantFromMeta;
                    configure?.Invoke(o);
                });
        }

        var host = builder.Build();
        await host.StartAsync();

        var transport = new StreamClientTransport(clientToServer.Writer.AsStream(), serverToClient.Reader.AsStream());
        var client = await McpClient.CreateAsync(transport, clientOptions);
        return new McpTestServer(host, client);
    }

    /// <summary>Calls a tool as the given grant (sent in the request's <c>_meta</c>).</summary>
    public ValueTask<CallToolResult> CallAsync(string tool, object? arguments = null, string? grant = null)
    {
        var request = new CallToolRequestParams
        {
            Name = tool,
            Arguments = arguments is null ? null : JsonSerializer.SerializeToElement(arguments).EnumerateObject().ToDictionary(p => p.Name, p => p.Value.Clone()),
            Meta = grant is null ? null : new JsonObject { [GrantMeta] = grant },
        };
        return Client.CallToolAsync(request);
    }

    public static string Text(CallToolResult result) =>
        string.Join("\n", result.Content.OfType<TextContentBlock>().Select(b => b.Text));

    public async ValueTask DisposeAsync()
    {
        await Client.DisposeAsync();
        await _host.StopAsync();
        _host.Dispose();
    }

    private static string? ReadGrantFromMeta(RequestContext<CallToolRequestParams> context) =>
        context.Params?.Meta?[GrantMeta]?.GetValue<string>();
}
