using BenchmarkDotNet.Running;
using PolicyLayer.Benchmarks.Mcp;

// Run all with: dotnet run -c Release --project benchmarks/PolicyLayer.Benchmarks -- --filter '*'
// The MCP overhead as a paired difference (see McpPairedOverhead): ... -- --mcp-overhead
if (args is ["--mcp-overhead"])
{
    await McpPairedOverhead.RunAsync(Console.Out);
    return;
}

BenchmarkSwitcher.FromAssembly(typeof(Program).Assembly).Run(args);
