using System.Text.Json;
using BenchmarkDotNet.Attributes;
using PolicyLayer.Authorization;

namespace PolicyLayer.Benchmarks.Authorization;

/// <summary>
/// Scenario 3: three deny_if conditions (a number, a regex, an in) that all have to be evaluated and none matches.
/// Baseline: the same call to a tool with no rules.
/// </summary>
[MemoryDiagnoser]
public class AuthorizeConditionsBenchmarks
{
    private PolicyAuthorizer _authorizer = null!;
    private JsonElement _arguments;

    [GlobalSetup]
    public void Setup()
    {
        _authorizer = BenchmarkPolicies.Authorizer("""
            { "version": "1", "default": "deny", "tools": {
                "plain": {},
                "create_refund": { "deny_if": [
                    { "conditions": [ { "path": "args.amount", "op": "gt", "value": 100 } ], "on_deny": "Refund exceeds the policy limit." },
                    { "conditions": [ { "path": "args.memo", "op": "regex", "value": "(?i)drop\\s+table|rm -rf" } ] },
                    { "conditions": [ { "path": "args.currency", "op": "in", "value": ["BTC", "ETH", "XMR"] } ] } ] } } }
            """);
        _arguments = BenchmarkPolicies.Arguments("""{"amount": 42.5, "currency": "EUR", "memo": "refund for order 1234, damaged in transit", "customer_id": "cus_81"}""");
    }

    [Benchmark(Baseline = true)]
    public bool NoRules() => _authorizer.AuthorizeAsync(new ToolCall("plain", _arguments, "grant-1")).Result.IsAllowed;

    [Benchmark]
    public bool ThreeConditions() => _authorizer.AuthorizeAsync(new ToolCall("create_refund", _arguments, "grant-1")).Result.IsAllowed;
}
