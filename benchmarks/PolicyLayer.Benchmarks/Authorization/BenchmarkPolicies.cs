using System.Text;
using System.Text.Json;
using PolicyLayer.Authorization;
using PolicyLayer.Counters;
using PolicyLayer.Policies;

namespace PolicyLayer.Benchmarks.Authorization;

/// <summary>Policies and calls shared by the authorization benchmarks.</summary>
internal static class BenchmarkPolicies
{
    public static PolicyAuthorizer Authorizer(string policyJson) =>
        new(Policy.Parse(policyJson), new InMemoryCounterStore(TimeProvider.System));

    public static JsonElement Arguments(string json) => JsonDocument.Parse(json).RootElement;

    /// <summary>A policy with <paramref name="toolCount"/> tools of realistic variety: limits, conditions, schemas.</summary>
    public static string Generated(int toolCount)
    {
        var text = new StringBuilder("""{ "version": "1", "default": "deny", "hide": ["internal_debug"], "tools": {""");
        for (var i = 0; i < toolCount; i++)
        {
            text.Append(i == 0 ? "\n" : ",\n");
            text.Append($"\"tool_{i}\": ");
            text.Append((i % 4) switch
            {
                0 => "{}",
                1 => $$"""{ "limits": [ { "counter": "rate_{{i}}", "window": "minute", "max": 30, "scope": "grant" } ] }""",
                2 => """{ "deny_if": [ { "conditions": [ { "path": "args.amount", "op": "gt", "value": 100 }, { "path": "args.env", "op": "in", "value": ["prod", "staging"] } ], "on_deny": "Too much in production." } ] }""",
                _ => """{ "schema": { "type": "object", "required": ["id"], "properties": { "id": { "type": "string", "pattern": "^[a-z0-9-]+$" }, "count": { "type": "integer", "minimum": 1, "maximum": 50 } }, "additionalProperties": false } }""",
            });
        }

        return text.Append("\n} }").ToString();
    }
}
