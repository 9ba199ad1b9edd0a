using System.Text.Json;
using BenchmarkDotNet.Attributes;
using PolicyLayer.Authorization;
using PolicyLayer.Benchmarks.Schema;

namespace PolicyLayer.Benchmarks.Authorization;

/// <summary>
/// A call whose tool has a typical MCP argument schema (ten properties, a nested array of objects, a pattern, enums,
/// numeric bounds, additionalProperties false) and one grant-scoped limit, with the arguments held as the MCP SDK
/// hands them over (a dictionary) and as a JsonElement. Baseline: the same call to a tool with no rules.
/// </summary>
[MemoryDiagnoser]
public class AuthorizeSchemaAndLimitBenchmarks
{
    private PolicyAuthorizer _authorizer = null!;
    private JsonElement _element;
    private Dictionary<string, JsonElement> _dictionary = null!;

    [GlobalSetup]
    public void Setup()
    {
        _authorizer = BenchmarkPolicies.Authorizer($$"""
            { "version": "1", "default": "deny", "tools": {
                "plain": {},
                "create_refund": {
                  "schema": {{ToolArguments.Schema}},
                  "limits": [ { "counter": "refunds", "window": "minute", "max": 1000000000000, "scope": "grant" } ] } } }
            """);
        _element = ToolArguments.Parse(ToolArguments.Valid);
        _dictionary = ToolArguments.AsDictionary(ToolArguments.Valid);
        if (!SchemaAndLimitDictionary() || !SchemaAndLimitElement())
        {
            throw new InvalidOperationException("The valid arguments must be allowed.");
        }
    }

    [Benchmark(Baseline = true)]
    public bool NoRules() => _authorizer.AuthorizeAsync(new ToolCall("plain", _dictionary, "grant-1")).Result.IsAllowed;

    [Benchmark]
    public bool SchemaAndLimitDictionary() => Authorize(new ToolCall("create_refund", _dictionary, "grant-1"));

    [Benchmark]
    public bool SchemaAndLimitElement() => Authorize(new ToolCall("create_refund", _element, "grant-1"));

    private bool Authorize(ToolCall call)
    {
        var decision = _authorizer.AuthorizeAsync(call).Result;
        decision.ReportOutcomeAsync(ToolCallOutcome.Succeeded).GetAwaiter().GetResult();
        return decision.IsAllowed;
    }
}
