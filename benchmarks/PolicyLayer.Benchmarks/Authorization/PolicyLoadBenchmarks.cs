using System.Text.Json;
using BenchmarkDotNet.Attributes;
using PolicyLayer.Policies;

namespace PolicyLayer.Benchmarks.Authorization;

/// <summary>
/// Scenario 4: loading a 24-tool and a 1,000-tool policy (a quarter each: no rules, a limit, two conditions, a schema).
/// Baseline: parsing the same text into a JsonDocument, the floor of any loader.
/// </summary>
[MemoryDiagnoser]
public class PolicyLoadBenchmarks
{
    private string _text = null!;

    [Params(24, 1000)]
    public int Tools { get; set; }

    [GlobalSetup]
    public void Setup()
    {
        _text = BenchmarkPolicies.Generated(Tools);
        if (!Policy.Load(_text).Succeeded)
        {
            throw new InvalidOperationException("The generated policy does not load.");
        }
    }

    [Benchmark(Baseline = true)]
    public int ParseJsonOnly()
    {
        using var document = JsonDocument.Parse(_text);
        return document.RootElement.GetProperty("tools").GetPropertyCount();
    }

    [Benchmark]
    public int LoadPolicy() => Policy.Load(_text).Policy!.Tools.Count;
}
