using System.IO.Pipelines;
using Microsoft.Extensions.DependencyInjection;
using ModelContextProtocol.Protocol;
using Microsoft.Extensions.Hosting;
using ModelContextProtocol.Client;

namespace PolicyLayer.Benchmarks.Mcp;

/// <summary>An MCP server with or without the policy, and the SDK's client connected to it over in-memory pipes.</summary>
internal sealed class McpEndpoint(IHost host, McpClient client) : IAsyncDisposable
{
    public McpClient Client { get; } = client;

    public IServiceProvider Services => host.Services;

    public static async Task<McpEndpoint> StartAsync(bool withPolicy)
    {
        var clientToServer = new Pipe();
        var serverToClient = new Pipe();
        var builder = Host.CreateEmptyApplicationBuilder(new HostApplicationBuilderSettings());
        McpBenchmarkServer.Configure(
            builder.Services.AddMcpServer().WithStreamServerTransport(clientToServer.Reader.AsStream(), serverToClient.Writer.AsStream()),
            withPolicy);

        var host = builder.Build();
        await host.StartAsync();
        var client = await McpClient.CreateAsync(new StreamClientTransport(clientToServer.Writer.AsStream(), serverToClient.Reader.AsStream()));
        return new McpEndpoint(host, client);
    }

    public async ValueTask DisposeAsync()
    {
        await Client.DisposeAsync();
        await host.StopAsync();
        host.Dispose();
    }
}
