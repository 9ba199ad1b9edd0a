using System.IO.Pipelines;
using System.Text.Json;
using BenchmarkDotNet.Attributes;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using ModelContextProtocol.Client;
using ModelContextProtocol.Protocol;
using ModelContextProtocol.Server;

namespace PolicyLayer.Benchmarks.Mcp;

/// <summary>
/// One tools/call round trip through the official SDK (client, in-memory pipes, server, tool, back), without
/// and with the policy: a limit and a schema on the tool, plus the tool's declared input schema.
/// </summary>
/// <remarks>
/// <para><see cref="PolicyDecisionOnly"/> is the policy's own work for the same call (authorize, with the policy's
/// schema, the declared input schema and the limit, then report the outcome), without the transport: its ratio
/// is the policy's share of a round trip, measured without the scheduling noise of the two round trips.</para>
/// <para>Run: dotnet run -c Release --project benchmarks/PolicyLayer.Benchmarks -- --filter '*McpRoundTrip*'</para>
/// </remarks>
[MemoryDiagnoser]
[MedianColumn]
public class McpRoundTripBenchmarks
{
    private const string Policy = """
        {
          "version": "1",
          "default": "deny",
          "tools": {
            "close_session": {
              "schema": { "type": "object", "required": ["sessionId"], "properties": { "sessionId": { "type": "string", "maxLength": 64 } } },
              "limits": [ { "counter": "close_session_rate", "window": "day", "max": 1000000000000, "scope": "grant" } ]
            }
          }
        }
        """;

    private readonly CallToolRequestParams _request = new()
    {
        Name = "close_session",
        Arguments = new Dictionary<string, JsonElement> { ["sessionId"] = JsonSerializer.SerializeToElement("sess-42") },
    };

    private Endpoint _plain = null!;
    private Endpoint _guarded = null!;
    private IToolCallAuthorizer _authorizer = null!;

    [GlobalSetup]
    public async Task SetupAsync()
    {
        _plain = await Endpoint.StartAsync(withPolicy: false);
        _guarded = await Endpoint.StartAsync(withPolicy: true);
        _authorizer = _guarded.Services.GetRequiredService<IToolCallAuthorizer>();

        // Fail the run, rather than measure refusals, if the policy refuses the call.
        var check = await _guarded.Client.CallToolAsync(_request);
        if (check.IsError == true)
        {
            throw new InvalidOperationException("The benchmark call was refused: " + string.Join(" ", check.Content.OfType<TextContentBlock>().Select(b => b.Text)));
        }
    }

    [GlobalCleanup]
    public async Task CleanupAsync()
    {
        await _plain.DisposeAsync();
        await _guarded.DisposeAsync();
    }

    [Benchmark(Baseline = true)]
    public ValueTask<CallToolResult> WithoutPolicy() => _plain.Client.CallToolAsync(_request);

    [Benchmark]
    public ValueTask<CallToolResult> WithPolicy() => _guarded.Client.CallToolAsync(_request);

    [Benchmark]
    public async ValueTask<bool> PolicyDecisionOnly()
    {
        var decision = await _authorizer.AuthorizeAsync(new ToolCall(_request.Name, new JsonProperties(_request.Arguments)));
        await decision.ReportOutcomeAsync(ToolCallOutcome.Succeeded);
        return decision.IsAllowed;
    }

    private sealed class Endpoint(IHost host, McpClient client) : IAsyncDisposable
    {
        public McpClient Client { get; } = client;

        public IServiceProvider Services => host.Services;

        public static async Task<Endpoint> StartAsync(bool withPolicy)
        {
            var clientToServer = new Pipe();
            var serverToClient = new Pipe();
            var builder = Host.CreateEmptyApplicationBuilder(new HostApplicationBuilderSettings());
            var mcp = builder.Services.AddMcpServer()
                .WithStreamServerTransport(clientToServer.Reader.AsStream(), serverToClient.Writer.AsStream())
                .WithTools([McpServerTool.Create((string sessionId) => "closed " + sessionId, new() { Name = "close_session" })]);
            if (withPolicy)
            {
                mcp.AddPolicyLayer(o => o.PolicyJson = Policy);
            }

            var host = builder.Build();
            await host.StartAsync();
            var client = await McpClient.CreateAsync(new StreamClientTransport(clientToServer.Writer.AsStream(), serverToClient.Reader.AsStream()));
            return new Endpoint(host, client);
        }

        public async ValueTask DisposeAsync()
        {
            await Client.DisposeAsync();
            await host.StopAsync();
            host.Dispose();
        }
    }
}
