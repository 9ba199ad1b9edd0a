using System.Text.Json;
using System.Threading.RateLimiting;
using BenchmarkDotNet.Attributes;
using PolicyLayer.Authorization;

namespace PolicyLayer.Benchmarks.Authorization;

/// <summary>
/// Scenario 2: one grant-scoped minute limit, 1,000 distinct grants round-robin. Baseline: System.Threading.RateLimiting's
/// PartitionedRateLimiter with a sliding-window partition per grant (10 segments, like the store) on the same keys.
/// Both budgets are large enough that every call is admitted, so both measure the admitting path.
/// </summary>
/// <remarks>
/// The runtime's limiter slides its windows on a timer and reads no clock per call; an exact window must read one at
/// every admission (a cached time can lag by any amount, and an admission counted in an earlier segment than its own
/// slides out early: over-admission). <see cref="BaselineAndClockRead"/> is that limiter plus the one clock read any
/// exact window needs, the least this scenario can cost.
/// </remarks>
[MemoryDiagnoser]
public class AuthorizeGrantLimitBenchmarks
{
    private const int Grants = 1000;
    private PolicyAuthorizer _authorizer = null!;
    private PartitionedRateLimiter<string> _limiter = null!;
    private string[] _grants = null!;
    private JsonElement _arguments;
    private int _next;

    [GlobalSetup]
    public void Setup()
    {
        _authorizer = BenchmarkPolicies.Authorizer("""
            { "version": "1", "default": "deny", "tools": { "close_session": { "limits": [
                { "counter": "close_session_rate", "window": "minute", "max": 1000000000000, "scope": "grant" } ] } } }
            """);
        _limiter = PartitionedRateLimiter.Create<string, string>(grant => RateLimitPartition.GetSlidingWindowLimiter(grant, _ => new SlidingWindowRateLimiterOptions
        {
            PermitLimit = int.MaxValue,
            Window = TimeSpan.FromMinutes(1),
            SegmentsPerWindow = 10,
            QueueLimit = 0,
            AutoReplenishment = true,
        }));
        _grants = Enumerable.Range(0, Grants).Select(i => $"grant-{i}").ToArray();
        _arguments = BenchmarkPolicies.Arguments("""{"sessionId": "s-42"}""");

        // Create every partition and budget before measuring, as a long-running host would have.
        for (var i = 0; i < Grants; i++)
        {
            Baseline();
            Authorize();
        }
    }

    [GlobalCleanup]
    public void Cleanup() => _limiter.Dispose();

    [Benchmark(Baseline = true)]
    public bool Baseline()
    {
        using var lease = _limiter.AttemptAcquire(NextGrant());
        return lease.IsAcquired;
    }

    [Benchmark]
    public bool BaselineAndClockRead()
    {
        using var lease = _limiter.AttemptAcquire(NextGrant());
        return lease.IsAcquired && TimeProvider.System.GetTimestamp() != 0;
    }

    [Benchmark]
    public bool Authorize()
    {
        var decision = _authorizer.AuthorizeAsync(new ToolCall("close_session", _arguments, NextGrant(), "session-1")).Result;
        // A host reports how the tool ended; success keeps the budget spent and recycles the reservation.
        decision.ReportOutcomeAsync(ToolCallOutcome.Succeeded).GetAwaiter().GetResult();
        return decision.IsAllowed;
    }

    private string NextGrant()
    {
        var grant = _grants[_next];
        _next = _next == Grants - 1 ? 0 : _next + 1;
        return grant;
    }
}
