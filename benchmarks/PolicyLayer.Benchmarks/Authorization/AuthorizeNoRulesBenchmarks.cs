using System.Text.Json;
using BenchmarkDotNet.Attributes;
using PolicyLayer.Authorization;

namespace PolicyLayer.Benchmarks.Authorization;

/// <summary>
/// Scenario 1: a call to a tool with no rules. Baseline: the hash lookup of the tool's name that any allow-list
/// must do, so the ratio shows what the policy adds on top of the floor.
/// </summary>
[MemoryDiagnoser]
public class AuthorizeNoRulesBenchmarks
{
    private PolicyAuthorizer _authorizer = null!;
    private HashSet<string> _allowList = null!;
    private JsonElement _arguments;

    [GlobalSetup]
    public void Setup()
    {
        _authorizer = BenchmarkPolicies.Authorizer("""{ "version": "1", "default": "deny", "tools": { "list_sessions": {}, "new_session": {} } }""");
        _allowList = ["list_sessions", "new_session"];
        _arguments = BenchmarkPolicies.Arguments("""{"cwd": "/work", "limit": 20}""");
    }

    [Benchmark(Baseline = true)]
    public bool AllowListLookup() => _allowList.Contains("list_sessions");

    [Benchmark]
    public bool Authorize() => _authorizer.AuthorizeAsync(new ToolCall("list_sessions", _arguments, "grant-1", "session-1")).Result.IsAllowed;
}
