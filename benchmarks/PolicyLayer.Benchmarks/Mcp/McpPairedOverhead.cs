using System.Diagnostics;
using System.Globalization;
using ModelContextProtocol.Protocol;

namespace PolicyLayer.Benchmarks.Mcp;

/// <summary>
/// The policy's overhead on a <c>tools/call</c> round trip, measured as a paired difference: calls to the server
/// without and with the policy alternate one by one, so the scheduling noise of this machine (which makes the two
/// separate BenchmarkDotNet runs of <see cref="McpRoundTripBenchmarks"/> overlap) falls on both alike and cancels
/// out of the difference.
/// </summary>
/// <remarks>
/// Run: <c>dotnet run -c Release --project benchmarks/PolicyLayer.Benchmarks -- --mcp-overhead</c>. Both servers are
/// first warmed to steady state (<see cref="SteadyStateWarmup"/>). Each round
/// makes <see cref="PairsPerRound"/> pairs, alternating which server goes first; the report gives each side's
/// median per-call time and the mean per-round difference with its 95% confidence interval.
/// </remarks>
internal static class McpPairedOverhead
{
    private const int Rounds = 40;
    private const int PairsPerRound = 250;

    public static async Task RunAsync(TextWriter output)
    {
        await using var plain = await McpEndpoint.StartAsync(withPolicy: false);
        await using var guarded = await McpEndpoint.StartAsync(withPolicy: true);
        var request = McpBenchmarkServer.Request;
        var warmup = await SteadyStateWarmup.RunAsync(async () =>
        {
            McpBenchmarkServer.EnsureSucceeded(await plain.Client.CallToolAsync(request));
            McpBenchmarkServer.EnsureSucceeded(await guarded.Client.CallToolAsync(request));
        });

        var without = new List<double>(Rounds * PairsPerRound);
        var with = new List<double>(Rounds * PairsPerRound);
        var differences = new double[Rounds];
        for (var round = 0; round < Rounds; round++)
        {
            double withoutSum = 0, withSum = 0;
            for (var i = 0; i < PairsPerRound; i++)
            {
                var plainFirst = (round + i) % 2 == 0;
                var a = await TimeAsync(plainFirst ? plain : guarded, request);
                var b = await TimeAsync(plainFirst ? guarded : plain, request);
                var (plainTime, guardedTime) = plainFirst ? (a, b) : (b, a);
                without.Add(plainTime);
                with.Add(guardedTime);
                withoutSum += plainTime;
                withSum += guardedTime;
            }

            differences[round] = (withSum - withoutSum) / PairsPerRound;
        }

        var meanDifference = differences.Average();
        var standardError = Math.Sqrt(differences.Sum(d => (d - meanDifference) * (d - meanDifference)) / (Rounds - 1) / Rounds);
        var withoutMedian = Median(without);
        var withMedian = Median(with);
        output.WriteLine(string.Create(CultureInfo.InvariantCulture, $"tools/call round trip over in-memory streams, {Rounds} x {PairsPerRound} alternating pairs"));
        output.WriteLine(string.Create(CultureInfo.InvariantCulture, $"  warm-up: {warmup.Elapsed.TotalSeconds:F1} s, {(warmup.Steady ? "until no method was compiled for " + SteadyStateWarmup.QuietPeriod.TotalSeconds + " s" : "stopped at its limit, before the JIT was quiet")}"));
        output.WriteLine(string.Create(CultureInfo.InvariantCulture, $"  without the policy: median {withoutMedian:F1} us, mean {without.Average():F1} us"));
        output.WriteLine(string.Create(CultureInfo.InvariantCulture, $"  with the policy:    median {withMedian:F1} us, mean {with.Average():F1} us"));
        output.WriteLine(string.Create(CultureInfo.InvariantCulture, $"  paired difference:  {meanDifference:F2} us +/- {1.96 * standardError:F2} us (95% CI) = {100 * meanDifference / without.Average():F1}% of the mean round trip"));
    }

    private static async Task<double> TimeAsync(McpEndpoint endpoint, CallToolRequestParams request)
    {
        var start = Stopwatch.GetTimestamp();
        await endpoint.Client.CallToolAsync(request);
        return Stopwatch.GetElapsedTime(start).TotalMicroseconds;
    }

    private static double Median(List<double> values)
    {
        var sorted = values.Order().ToArray();
        return sorted[sorted.Length / 2];
    }
}
