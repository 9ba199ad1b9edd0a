using BenchmarkDotNet.Configs;
using BenchmarkDotNet.Jobs;

namespace PolicyLayer.Benchmarks.Mcp;

/// <summary>
/// The job for the MCP benchmarks, whose operations are whole requests through the SDK: their spread comes from
/// thread-pool scheduling and garbage collection rather than from the code measured, so the job keeps both steady.
/// </summary>
/// <remarks>
/// Workstation, non-concurrent GC (no background GC thread competing for the two cores), a full collection before
/// each iteration (so garbage from one benchmark is not collected during the next), a fixed number of invocations
/// per iteration (the pilot stage would size iterations from whatever the machine was doing while it ran), and more
/// warmup and measured iterations than the default picks on its own, so the median rests on enough samples.
/// </remarks>
public sealed class McpBenchmarkConfig : ManualConfig
{
    public McpBenchmarkConfig()
    {
        AddJob(Job.Default
            .WithGcServer(false)
            .WithGcConcurrent(false)
            .WithGcForce(true)
            .WithInvocationCount(32)
            .WithUnrollFactor(1)
            .WithWarmupCount(10)
            .WithIterationCount(40));
    }
}
