using System.Text.Json;
using System.Text.Json.Nodes;
using BenchmarkDotNet.Attributes;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using ModelContextProtocol;
using ModelContextProtocol.Protocol;
using ModelContextProtocol.Server;

namespace PolicyLayer.Benchmarks.Mcp;

/// <summary>
/// One tools/call through the SDK server's request handling (dispatch, parameter binding, filters, tool, result),
/// without and with the policy's filters, and without a transport: the policy's added work inside the pipeline.
/// </summary>
/// <remarks>
/// <para>The same server as <see cref="McpRoundTripBenchmarks"/> (<see cref="McpBenchmarkServer"/>), built from the
/// same DI registrations, is driven through <see cref="DirectServerTransport"/>: requests go in as JSON-RPC message
/// objects and answers come back the same way. Without the pipes, the client and the framing, the spread left is
/// the server's own hop to the thread pool, so the ratio shows the policy's share of the server's work per call.</para>
/// <para>Run: dotnet run -c Release --project benchmarks/PolicyLayer.Benchmarks -- --filter '*McpServerPipeline*'</para>
/// </remarks>
[MemoryDiagnoser]
[MedianColumn]
[Config(typeof(McpBenchmarkConfig))]
public class McpServerPipelineBenchmarks
{
    private const int CallsPerInvoke = McpRoundTripBenchmarks.CallsPerInvoke;

    private DirectServer _plain = null!;
    private DirectServer _guarded = null!;

    [GlobalSetup]
    public async Task SetupAsync()
    {
        _plain = await DirectServer.StartAsync(withPolicy: false);
        _guarded = await DirectServer.StartAsync(withPolicy: true);

        // To steady state first (see SteadyStateWarmup): BenchmarkDotNet's warm-up alone ends with unoptimized code.
        await SteadyStateWarmup.RunAsync(async () =>
        {
            McpBenchmarkServer.EnsureSucceeded(await _plain.CallAsync());
            McpBenchmarkServer.EnsureSucceeded(await _guarded.CallAsync());
        });
    }

    [GlobalCleanup]
    public async Task CleanupAsync()
    {
        await _plain.DisposeAsync();
        await _guarded.DisposeAsync();
    }

    [Benchmark(Baseline = true, OperationsPerInvoke = CallsPerInvoke)]
    public async Task WithoutPolicy()
    {
        for (var i = 0; i < CallsPerInvoke; i++)
        {
            await _plain.CallRawAsync();
        }
    }

    [Benchmark(OperationsPerInvoke = CallsPerInvoke)]
    public async Task WithPolicy()
    {
        for (var i = 0; i < CallsPerInvoke; i++)
        {
            await _guarded.CallRawAsync();
        }
    }

    private sealed class DirectServer(ServiceProvider services, DirectServerTransport transport, McpServer server, Task running) : IAsyncDisposable
    {
        private static readonly JsonNode CallParameters = JsonSerializer.SerializeToNode(McpBenchmarkServer.Request, McpJsonUtilities.DefaultOptions)!;

        private long _nextId;

        public static async Task<DirectServer> StartAsync(bool withPolicy)
        {
            var collection = new ServiceCollection();
            McpBenchmarkServer.Configure(collection.AddMcpServer(), withPolicy);
            var services = collection.BuildServiceProvider();

            // The options the hosted server would use, with every configure and post-configure step applied.
            var options = services.GetRequiredService<IOptions<McpServerOptions>>().Value;
            var transport = new DirectServerTransport();
            var server = McpServer.Create(transport, options, loggerFactory: null, services);
            var direct = new DirectServer(services, transport, server, server.RunAsync());

            await transport.RequestAsync(new JsonRpcRequest
            {
                Id = direct.NextId(),
                Method = RequestMethods.Initialize,
                Params = JsonSerializer.SerializeToNode(
                    new InitializeRequestParams
                    {
                        ProtocolVersion = "2025-11-25",
                        Capabilities = new ClientCapabilities(),
                        ClientInfo = new Implementation { Name = "benchmark", Version = "1.0" },
                    },
                    McpJsonUtilities.DefaultOptions),
            });
            await transport.NotifyAsync(new JsonRpcNotification { Method = NotificationMethods.InitializedNotification });
            return direct;
        }

        /// <summary>One call, its answer left as the server sent it (a JSON node).</summary>
        public Task<JsonRpcResponse> CallRawAsync() =>
            transport.RequestAsync(new JsonRpcRequest { Id = NextId(), Method = RequestMethods.ToolsCall, Params = CallParameters });

        public async Task<CallToolResult> CallAsync()
        {
            var response = await CallRawAsync();
            return response.Result.Deserialize<CallToolResult>(McpJsonUtilities.DefaultOptions)!;
        }

        public async ValueTask DisposeAsync()
        {
            await server.DisposeAsync();
            await transport.DisposeAsync();
            try
            {
                await running;
            }
            catch (OperationCanceledException)
            {
            }

            await services.DisposeAsync();
        }

        private RequestId NextId() => new(Interlocked.Increment(ref _nextId));
    }
}
