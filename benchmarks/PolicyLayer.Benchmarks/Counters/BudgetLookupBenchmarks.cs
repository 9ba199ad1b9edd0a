using System.Collections.Concurrent;
using BenchmarkDotNet.Attributes;
using Microsoft.Extensions.Caching.Memory;
using PolicyLayer.Counters;

namespace PolicyLayer.Benchmarks.Counters;

/// <summary>
/// Finding a budget by its <see cref="CounterKey"/>, 1,000 keys round-robin: <see cref="MemoryCache"/> (entries with
/// a sliding expiration, which is how it would drop idle budgets) against the <see cref="ConcurrentDictionary{TKey, TValue}"/>
/// the in-memory store uses (it drops idle budgets with its own sweep).
/// </summary>
[MemoryDiagnoser]
public class BudgetLookupBenchmarks
{
    private const int Keys = 1000;

    private readonly CounterKey[] _keys;
    private readonly MemoryCache _cache = new(new MemoryCacheOptions());
    private readonly ConcurrentDictionary<CounterKey, SlidingWindowBudget> _dictionary = new();
    private int _next;

    public BudgetLookupBenchmarks()
    {
        var counter = new CounterDefinition("calls", TimeSpan.FromMinutes(1), 100);
        _keys = Enumerable.Range(0, Keys).Select(i => new CounterKey(counter, $"grant-{i}")).ToArray();
        long now = TimeProvider.System.GetUtcNow().UtcTicks;
        for (int i = 0; i < Keys; i++)
        {
            var budget = new SlidingWindowBudget(counter.Window.Ticks, counter.Max, i, now);
            _dictionary[_keys[i]] = budget;
            _cache.Set(_keys[i], budget, new MemoryCacheEntryOptions { SlidingExpiration = counter.Window });
        }
    }

    [GlobalCleanup]
    public void Cleanup() => _cache.Dispose();

    [Benchmark(Baseline = true)]
    public object? MemoryCacheTryGetValue() =>
        _cache.TryGetValue(_keys[Next()], out SlidingWindowBudget? budget) ? budget : null;

    [Benchmark]
    public object? ConcurrentDictionaryTryGetValue() =>
        _dictionary.TryGetValue(_keys[Next()], out SlidingWindowBudget? budget) ? budget : null;

    private int Next() => _next = _next == Keys - 1 ? 0 : _next + 1;
}
