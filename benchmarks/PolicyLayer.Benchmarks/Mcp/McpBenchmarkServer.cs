using System.Text.Json;
using Microsoft.Extensions.DependencyInjection;
using ModelContextProtocol.Protocol;
using ModelContextProtocol.Server;

namespace PolicyLayer.Benchmarks.Mcp;

/// <summary>What every MCP benchmark serves and calls, so that with and without the policy differ in nothing else.</summary>
internal static class McpBenchmarkServer
{
    /// <summary>A limit and a schema on the tool (plus the tool's declared input schema); the limit is never reached.</summary>
    public const string Policy = """
        {
          "version": "1",
          "default": "deny",
          "tools": {
            "close_session": {
              "schema": { "type": "object", "required": ["sessionId"], "properties": { "sessionId": { "type": "string", "maxLength": 64 } } },
              "limits": [ { "counter": "close_session_rate", "window": "day", "max": 1000000000000, "scope": "grant" } ]
            }
          }
        }
        """;

    public const string ToolName = "close_session";

    public static CallToolRequestParams Request { get; } = new()
    {
        Name = ToolName,
        Arguments = new Dictionary<string, JsonElement> { ["sessionId"] = JsonSerializer.SerializeToElement("sess-42") },
    };

    /// <summary>The same server on every endpoint; the policy is the only thing added.</summary>
    public static IMcpServerBuilder Configure(IMcpServerBuilder mcp, bool withPolicy)
    {
        mcp.WithTools([McpServerTool.Create((string sessionId) => "closed " + sessionId, new() { Name = ToolName })]);
        if (withPolicy)
        {
            mcp.AddPolicyLayer(o => o.PolicyJson = Policy);
        }

        return mcp;
    }

    /// <summary>Fails the run, rather than measure refusals, if a call was refused or failed.</summary>
    public static void EnsureSucceeded(CallToolResult result)
    {
        if (result.IsError == true)
        {
            throw new InvalidOperationException("The benchmark call failed: " + string.Join(" ", result.Content.OfType<TextContentBlock>().Select(b => b.Text)));
        }
    }
}
