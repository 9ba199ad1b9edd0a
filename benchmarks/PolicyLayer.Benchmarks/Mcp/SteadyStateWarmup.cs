using System.Diagnostics;
using System.Runtime;

namespace PolicyLayer.Benchmarks.Mcp;

/// <summary>
/// Runs a workload until the JIT has stopped compiling methods, so that what is measured afterwards is the code a
/// long-running server runs, not code on its way through tiered compilation.
/// </summary>
/// <remarks>
/// <para>The runtime first runs a method as quickly compiled, unoptimized code. It starts counting calls to
/// recompile it optimized (after 30) only once 100 ms have passed without any new method being compiled. An MCP
/// round trip goes through many methods of the SDK, System.Text.Json and the host, so that quiet spell comes late:
/// after a few thousand calls most of the code, the SDK's and the policy's alike, can still be unoptimized, and a
/// round trip then takes several times what it takes in steady state (on the reference machine, about 160 µs
/// against 50 µs; with <c>DOTNET_TC_CallCountingDelayMs=0</c> the gap closes much sooner, which shows the cause).</para>
/// <para>Steady state here means <see cref="JitInfo.GetCompiledMethodCount"/> unchanged over
/// <see cref="QuietPeriod"/> of continuous calls, or <see cref="Limit"/> reached, whichever comes first.</para>
/// </remarks>
internal static class SteadyStateWarmup
{
    /// <summary>How long the workload must run without a single method compiled.</summary>
    public static readonly TimeSpan QuietPeriod = TimeSpan.FromSeconds(2);

    /// <summary>The most the warm-up runs.</summary>
    public static readonly TimeSpan Limit = TimeSpan.FromSeconds(60);

    /// <summary>Calls <paramref name="workload"/> until no method has been compiled for <see cref="QuietPeriod"/>.</summary>
    /// <returns>How long the warm-up took, and whether it reached steady state before <see cref="Limit"/>.</returns>
    public static async Task<(TimeSpan Elapsed, bool Steady)> RunAsync(Func<Task> workload)
    {
        var start = Stopwatch.GetTimestamp();
        var compiled = JitInfo.GetCompiledMethodCount();
        var quietSince = start;
        while (true)
        {
            await workload();
            var now = Stopwatch.GetTimestamp();
            var count = JitInfo.GetCompiledMethodCount();
            if (count != compiled)
            {
                compiled = count;
                quietSince = now;
            }
            else if (Stopwatch.GetElapsedTime(quietSince, now) >= QuietPeriod)
            {
                return (Stopwatch.GetElapsedTime(start, now), true);
            }

            if (Stopwatch.GetElapsedTime(start, now) >= Limit)
            {
                return (Stopwatch.GetElapsedTime(start, now), false);
            }
        }
    }
}
