using System.Text.Json;
using BenchmarkDotNet.Attributes;
using Newtonsoft.Json.Linq;

namespace PolicyLayer.Benchmarks.Schema;

/// <summary>An invalid tool argument object (four errors): NJsonSchema (baseline) against IsValid and Validate.</summary>
[MemoryDiagnoser]
public class InvalidArgumentsBenchmarks
{
    private NJsonSchema.JsonSchema _nJsonSchema = null!;
    private JToken _token = null!;
    private PolicyLayer.Schema.JsonSchema _schema = null!;
    private JsonElement _element;

    [GlobalSetup]
    public void Setup()
    {
        _nJsonSchema = NJsonSchema.JsonSchema.FromJsonAsync(ToolArguments.Schema).GetAwaiter().GetResult();
        _token = JToken.Parse(ToolArguments.Invalid);
        _schema = PolicyLayer.Schema.JsonSchema.Compile(ToolArguments.Parse(ToolArguments.Schema));
        _element = ToolArguments.Parse(ToolArguments.Invalid);
        if (_nJsonSchema.Validate(_token).Count == 0 || _schema.IsValid(_element) || _schema.Validate(_element).Count != 4)
        {
            throw new InvalidOperationException("The invalid instance must be invalid for both validators, with four errors here.");
        }
    }

    [Benchmark(Baseline = true)]
    public int NJsonSchema_Validate() => _nJsonSchema.Validate(_token).Count;

    [Benchmark]
    public bool IsValid_Element() => _schema.IsValid(_element);

    [Benchmark]
    public int Validate_Element() => _schema.Validate(_element).Count;
}
