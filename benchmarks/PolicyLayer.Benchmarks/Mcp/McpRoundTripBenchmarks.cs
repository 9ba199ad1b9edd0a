using System.IO.Pipelines;
using BenchmarkDotNet.Attributes;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using ModelContextProtocol.Client;
using ModelContextProtocol.Protocol;

namespace PolicyLayer.Benchmarks.Mcp;

/// <summary>
/// One tools/call round trip through the official SDK (client, in-memory pipes, server, tool, back), without
/// and with the policy: a limit and a schema on the tool, plus the tool's declared input schema.
/// </summary>
/// <remarks>
/// <para>Each invocation makes <see cref="CallsPerInvoke"/> sequential calls over a connection opened (and warmed)
/// in setup; the figures are per call. Both servers live in this process with the same setup
/// (<see cref="McpBenchmarkServer"/>), so the policy is the only difference.</para>
/// <para><see cref="PolicyDecisionOnly"/> is the policy's own work for the same call (authorize, with the policy's
/// schema, the declared input schema and the limit, then report the outcome), without the transport: its ratio
/// is the policy's share of a round trip, measured without the scheduling noise of the two round trips.
/// <see cref="McpServerPipelineBenchmarks"/> measures the policy inside the server's pipeline without the transport.</para>
/// <para>Run: dotnet run -c Release --project benchmarks/PolicyLayer.Benchmarks -- --filter '*McpRoundTrip*'</para>
/// </remarks>
[MemoryDiagnoser]
[MedianColumn]
[Config(typeof(McpBenchmarkConfig))]
public class McpRoundTripBenchmarks
{
    /// <summary>Enough calls that one invocation outlasts a scheduling hiccup, few enough for many iterations.</summary>
    public const int CallsPerInvoke = 32;

    private readonly CallToolRequestParams _request = McpBenchmarkServer.Request;

    private McpEndpoint _plain = null!;
    private McpEndpoint _guarded = null!;
    private IToolCallAuthorizer _authorizer = null!;

    [GlobalSetup]
    public async Task SetupAsync()
    {
        _plain = await McpEndpoint.StartAsync(withPolicy: false);
        _guarded = await McpEndpoint.StartAsync(withPolicy: true);
        _authorizer = _guarded.Services.GetRequiredService<IToolCallAuthorizer>();

        // Both connections to steady state (tiered compilation done, caches, the policy's compiled schemas) before
        // BenchmarkDotNet's own warm-up, whose few thousand calls end long before the JIT has optimized a round trip.
        await SteadyStateWarmup.RunAsync(async () =>
        {
            McpBenchmarkServer.EnsureSucceeded(await _plain.Client.CallToolAsync(_request));
            McpBenchmarkServer.EnsureSucceeded(await _guarded.Client.CallToolAsync(_request));
            var decision = await _authorizer.AuthorizeAsync(new ToolCall(_request.Name, new JsonProperties(_request.Arguments)));
            await decision.ReportOutcomeAsync(ToolCallOutcome.Succeeded);
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
            await _plain.Client.CallToolAsync(_request);
        }
    }

    [Benchmark(OperationsPerInvoke = CallsPerInvoke)]
    public async Task WithPolicy()
    {
        for (var i = 0; i < CallsPerInvoke; i++)
        {
            await _guarded.Client.CallToolAsync(_request);
        }
    }

    [Benchmark(OperationsPerInvoke = CallsPerInvoke)]
    public async Task PolicyDecisionOnly()
    {
        for (var i = 0; i < CallsPerInvoke; i++)
        {
            var decision = await _authorizer.AuthorizeAsync(new ToolCall(_request.Name, new JsonProperties(_request.Arguments)));
            await decision.ReportOutcomeAsync(ToolCallOutcome.Succeeded);
        }
    }
}
