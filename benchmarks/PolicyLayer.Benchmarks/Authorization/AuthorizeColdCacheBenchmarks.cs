using System.Runtime.InteropServices;
using System.Text.Json;
using BenchmarkDotNet.Attributes;
using BenchmarkDotNet.Engines;
using PolicyLayer.Authorization;
using PolicyLayer.Benchmarks.Schema;

namespace PolicyLayer.Benchmarks.Authorization;

/// <summary>
/// One call at a time with the processor's caches flushed before it, as a server sees calls between sparse requests:
/// the policy, the compiled schema and the code are fetched from memory. Warm benchmarks never show this cost, and it
/// is most of what a real MCP round trip pays for the policy.
/// </summary>
/// <remarks>
/// The baseline walks the same arguments with System.Text.Json alone (every value's raw text, every container
/// entered), so the ratios say how much the policy adds to what touching the instance costs anyway.
/// Run with: <c>dotnet run -c Release --project benchmarks/PolicyLayer.Benchmarks -- --filter '*ColdCache*'</c>
/// (no iteration options: the job below sets them).
/// </remarks>
[MemoryDiagnoser]
[SimpleJob(RunStrategy.Monitoring, launchCount: 1, warmupCount: 50, iterationCount: 400, invocationCount: 1)]
public class AuthorizeColdCacheBenchmarks
{
    // Larger than the last-level cache of common servers, so nothing of the previous call stays cached.
    private const int FlushBytes = 64 << 20;
    private const int CacheLine = 64;

    private readonly byte[] _flush = new byte[FlushBytes];
    private PolicyAuthorizer _authorizer = null!;
    private PolicyLayer.Schema.JsonSchema _schema = null!;
    private Dictionary<string, JsonElement> _dictionary = null!;

    [GlobalSetup]
    public void Setup()
    {
        _authorizer = BenchmarkPolicies.Authorizer($$"""
            { "version": "1", "default": "deny", "tools": {
                "create_refund": {
                  "schema": {{ToolArguments.Schema}},
                  "limits": [ { "counter": "refunds", "window": "minute", "max": 1000000000000, "scope": "grant" } ] } } }
            """);
        _schema = PolicyLayer.Schema.JsonSchema.Compile(ToolArguments.Parse(ToolArguments.Schema));
        _dictionary = ToolArguments.AsDictionary(ToolArguments.Valid);
        if (!SchemaAndLimitDictionary() || !IsValid_Dictionary())
        {
            throw new InvalidOperationException("The valid arguments must be allowed.");
        }
    }

    [IterationSetup]
    public void FlushCaches()
    {
        for (var i = 0; i < _flush.Length; i += CacheLine)
        {
            _flush[i]++;
        }
    }

    [Benchmark(Baseline = true)]
    public int WalkArguments()
    {
        var bytes = 0;
        foreach (var (_, value) in _dictionary)
        {
            bytes += Walk(value);
        }

        return bytes;
    }

    [Benchmark]
    public bool IsValid_Dictionary() => _schema.IsValid(new JsonProperties(_dictionary));

    [Benchmark]
    public bool SchemaAndLimitDictionary()
    {
        var decision = _authorizer.AuthorizeAsync(new ToolCall("create_refund", _dictionary, "grant-1")).Result;
        decision.ReportOutcomeAsync(ToolCallOutcome.Succeeded).GetAwaiter().GetResult();
        return decision.IsAllowed;
    }

    private static int Walk(JsonElement value)
    {
        var raw = JsonMarshal.GetRawUtf8Value(value);
        var bytes = raw.Length;
        switch (raw[0])
        {
            case (byte)'[':
                foreach (var item in value.EnumerateArray())
                {
                    bytes += Walk(item);
                }

                break;
            case (byte)'{':
                foreach (var property in value.EnumerateObject())
                {
                    bytes += JsonMarshal.GetRawUtf8PropertyName(property).Length + Walk(property.Value);
                }

                break;
        }

        return bytes;
    }
}
