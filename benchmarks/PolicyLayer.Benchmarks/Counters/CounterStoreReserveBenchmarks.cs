using System.Threading.RateLimiting;
using BenchmarkDotNet.Attributes;
using PolicyLayer.Counters;

namespace PolicyLayer.Benchmarks.Counters;

/// <summary>
/// One reservation on a per-grant one-minute budget, 1,000 grants round-robin, against the runtime's partitioned
/// sliding-window limiter with the same keys, window and segment count. The limits are high enough that every call
/// is admitted (the common case); <see cref="CounterStoreRefuseBenchmarks"/> measures exhausted budgets.
/// </summary>
[MemoryDiagnoser]
public class CounterStoreReserveBenchmarks
{
    private const int Grants = 1000;
    private const int PermitsPerMinute = 1_000_000_000;

    private readonly CounterBenchmarkSubjects _subjects = new(Grants, PermitsPerMinute);
    private int _next;

    [GlobalCleanup]
    public void Cleanup() => _subjects.Dispose();

    [Benchmark(Baseline = true)]
    public bool PartitionedSlidingWindowLimiter() => _subjects.AcquireFromLimiter(Next());

    [Benchmark]
    public bool InMemoryCounterStore() => _subjects.ReserveInStore(Next());

    private int Next() => _next = _next == Grants - 1 ? 0 : _next + 1;
}

/// <summary>As <see cref="CounterStoreReserveBenchmarks"/>, but every budget is exhausted, so every call is refused.</summary>
[MemoryDiagnoser]
public class CounterStoreRefuseBenchmarks
{
    private const int Grants = 1000;

    private readonly CounterBenchmarkSubjects _subjects = new(Grants, permitsPerMinute: 1);
    private int _next;

    [GlobalSetup]
    public void Setup()
    {
        for (int grant = 0; grant < Grants; grant++)
        {
            _subjects.AcquireFromLimiter(grant);
            _subjects.ReserveInStore(grant);
        }
    }

    [GlobalCleanup]
    public void Cleanup() => _subjects.Dispose();

    [Benchmark(Baseline = true)]
    public bool PartitionedSlidingWindowLimiter() => _subjects.AcquireFromLimiter(Next());

    [Benchmark]
    public bool InMemoryCounterStore() => _subjects.ReserveInStore(Next());

    private int Next() => _next = _next == Grants - 1 ? 0 : _next + 1;
}

/// <summary>The two subjects over the same grants, built once so that a call allocates only what the subject does.</summary>
internal sealed class CounterBenchmarkSubjects : IDisposable
{
    private readonly string[] _grants;
    private readonly CounterRequest[][] _requests;
    private readonly InMemoryCounterStore _store = new(TimeProvider.System);
    private readonly PartitionedRateLimiter<string> _limiter;

    public CounterBenchmarkSubjects(int grants, int permitsPerMinute)
    {
        var counter = new CounterDefinition("calls", TimeSpan.FromMinutes(1), permitsPerMinute);
        _grants = Enumerable.Range(0, grants).Select(i => $"grant-{i}").ToArray();
        _requests = _grants.Select(grant => new[] { new CounterRequest(new CounterKey(counter, grant), 1) }).ToArray();

        // The store keeps 10 segments a window; so does this limiter. Replenishment is driven by the partitioned
        // limiter's own timer (AutoReplenishment = false), as the runtime recommends for partitions.
        _limiter = PartitionedRateLimiter.Create<string, string>(grant => RateLimitPartition.GetSlidingWindowLimiter(
            grant,
            _ => new SlidingWindowRateLimiterOptions
            {
                PermitLimit = permitsPerMinute,
                Window = TimeSpan.FromMinutes(1),
                SegmentsPerWindow = 10,
                QueueLimit = 0,
                AutoReplenishment = false,
            }));
    }

    public bool AcquireFromLimiter(int grant)
    {
        using RateLimitLease lease = _limiter.AttemptAcquire(_grants[grant]);
        return lease.IsAcquired;
    }

    public bool ReserveInStore(int grant)
    {
        ValueTask<ReservationResult> pending = _store.TryReserveAsync(_requests[grant]);
        return pending.IsCompletedSuccessfully ? pending.Result.IsAdmitted : throw new InvalidOperationException("Answers synchronously.");
    }

    public void Dispose() => _limiter.Dispose();
}
