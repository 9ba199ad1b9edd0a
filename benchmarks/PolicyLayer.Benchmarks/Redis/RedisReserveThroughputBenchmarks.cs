using BenchmarkDotNet.Attributes;
using PolicyLayer.Counters;
using PolicyLayer.Redis;
using StackExchange.Redis;

namespace PolicyLayer.Benchmarks.Redis;

/// <summary>
/// 64 concurrent callers, each reserving one limit of its own grant, on one store (one connection, pipelined by the
/// client). Reported per reservation (OperationsPerInvoke = 64): ops/s = 1 s / Mean. The baseline is 64 concurrent
/// bare EVALSHAs of <c>return 1</c>.
/// </summary>
[MemoryDiagnoser]
[SimpleJob(launchCount: 1, warmupCount: 3, iterationCount: 10)]
public class RedisReserveThroughputBenchmarks
{
    private const int Callers = 64;

    private readonly Task[] _pending = new Task[Callers];
    private RedisCounterStore _store = null!;
    private IDatabase _database = null!;
    private byte[] _trivialScript = null!;
    private CounterRequest[][] _requests = null!;

    [GlobalSetup]
    public void Setup()
    {
        _store = RedisBenchmarkServer.CreateStore();
        IConnectionMultiplexer connection = _store.Connection.GetAwaiter().GetResult();
        _database = connection.GetDatabase();
        _trivialScript = RedisBenchmarkServer.LoadTrivialScript(connection);
        var counter = new CounterDefinition("bench-throughput", TimeSpan.FromMinutes(1), 1_000_000_000m);
        _requests = Enumerable.Range(0, Callers)
            .Select(i => new[] { new CounterRequest(new CounterKey(counter, $"grant-{i}"), 1) })
            .ToArray();
    }

    [GlobalCleanup]
    public void Cleanup()
    {
        RedisBenchmarkServer.DeleteKeys(_store.Connection.Result, "plbench:*");
        _store.Dispose();
    }

    [Benchmark(Baseline = true, OperationsPerInvoke = Callers, Description = "64 x EVALSHA return 1")]
    public Task BareEvalSha()
    {
        for (int i = 0; i < Callers; i++)
        {
            _pending[i] = _database.ScriptEvaluateAsync(_trivialScript);
        }

        return Task.WhenAll(_pending);
    }

    [Benchmark(OperationsPerInvoke = Callers, Description = "64 x TryReserveAsync, one limit")]
    public Task TryReserve()
    {
        for (int i = 0; i < Callers; i++)
        {
            _pending[i] = _store.TryReserveAsync(_requests[i]).AsTask();
        }

        return Task.WhenAll(_pending);
    }
}
