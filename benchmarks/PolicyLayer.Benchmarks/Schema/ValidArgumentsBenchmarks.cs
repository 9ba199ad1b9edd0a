using System.Text.Json;
using BenchmarkDotNet.Attributes;
using Newtonsoft.Json.Linq;
using PolicyLayer.Schema;

namespace PolicyLayer.Benchmarks.Schema;

/// <summary>A valid tool argument object: NJsonSchema (baseline) against IsValid and Validate, element and dictionary roots.</summary>
[MemoryDiagnoser]
public class ValidArgumentsBenchmarks
{
    private NJsonSchema.JsonSchema _nJsonSchema = null!;
    private JToken _token = null!;
    private PolicyLayer.Schema.JsonSchema _schema = null!;
    private JsonElement _element;
    private Dictionary<string, JsonElement> _dictionary = null!;

    [GlobalSetup]
    public void Setup()
    {
        _nJsonSchema = NJsonSchema.JsonSchema.FromJsonAsync(ToolArguments.Schema).GetAwaiter().GetResult();
        _token = JToken.Parse(ToolArguments.Valid);
        _schema = PolicyLayer.Schema.JsonSchema.Compile(ToolArguments.Parse(ToolArguments.Schema));
        _element = ToolArguments.Parse(ToolArguments.Valid);
        _dictionary = ToolArguments.AsDictionary(ToolArguments.Valid);
        if (_nJsonSchema.Validate(_token).Count != 0 || !_schema.IsValid(_element) || !_schema.IsValid(new JsonProperties(_dictionary)))
        {
            throw new InvalidOperationException("The valid instance must be valid for both validators.");
        }
    }

    [Benchmark(Baseline = true)]
    public int NJsonSchema_Validate() => _nJsonSchema.Validate(_token).Count;

    [Benchmark]
    public bool IsValid_Element() => _schema.IsValid(_element);

    [Benchmark]
    public bool IsValid_Dictionary() => _schema.IsValid(new JsonProperties(_dictionary));

    [Benchmark]
    public int Validate_Element() => _schema.Validate(_element).Count;
}
