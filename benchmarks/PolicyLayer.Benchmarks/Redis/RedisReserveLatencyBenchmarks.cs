using BenchmarkDotNet.Attributes;
using PolicyLayer.Counters;
using PolicyLayer.Redis;
using StackExchange.Redis;

namespace PolicyLayer.Benchmarks.Redis;

/// <summary>
/// One reservation of one limit against a bare EVALSHA of <c>return 1</c> on the same connection: what the store
/// adds to the unavoidable round trip (the script's work, key building, result handling).
/// </summary>
[MemoryDiagnoser]
[SimpleJob(launchCount: 1, warmupCount: 3, iterationCount: 10)]
public class RedisReserveLatencyBenchmarks
{
    private RedisCounterStore _store = null!;
    private IDatabase _database = null!;
    private byte[] _trivialScript = null!;
    private CounterRequest[] _requests = null!;
    private PolicyLayer.Authorization.PolicyAuthorizer _authorizer = null!;

    [GlobalSetup]
    public void Setup()
    {
        _store = RedisBenchmarkServer.CreateStore();
        IConnectionMultiplexer connection = _store.Connection.GetAwaiter().GetResult();
        _database = connection.GetDatabase();
        _trivialScript = RedisBenchmarkServer.LoadTrivialScript(connection);

        // A budget that never runs out, so every call takes the admitting path (check, then write).
        var counter = new CounterDefinition("bench-latency", TimeSpan.FromMinutes(1), 1_000_000_000m);
        _requests = [new CounterRequest(new CounterKey(counter, "grant-bench"), 1)];
        _authorizer = new(
            PolicyLayer.Policies.Policy.Parse("""
                { "version": "1", "default": "deny", "tools": { "close_session": { "limits": [
                    { "counter": "close_session_rate", "window": "minute", "max": 1000000000, "scope": "grant" } ] } } }
                """),
            _store);
    }

    [GlobalCleanup]
    public void Cleanup()
    {
        RedisBenchmarkServer.DeleteKeys(_store.Connection.Result, "plbench:*");
        _store.Dispose();
    }

    [Benchmark(Baseline = true, Description = "EVALSHA return 1")]
    public Task<RedisResult> BareEvalSha() => _database.ScriptEvaluateAsync(_trivialScript);

    [Benchmark(Description = "TryReserveAsync, one limit")]
    public async Task<ReservationResult> TryReserve() => await _store.TryReserveAsync(_requests);

    [Benchmark(Description = "Authorize, one limit")]
    public async Task<bool> Authorize()
    {
        var decision = await _authorizer.AuthorizeAsync(new ToolCall("close_session", grantId: "grant-bench"));
        await decision.ReportOutcomeAsync(ToolCallOutcome.Succeeded);
        return decision.IsAllowed;
    }
}
