using ModelContextProtocol;
using ModelContextProtocol.Protocol;

namespace PolicyLayer.ModelContextProtocol.Tests;

/// <summary>The AcpSessions sample over real stdio, enforcing the policy.json it ships.</summary>
public sealed class AcpSessionsSampleTests
{
    [Fact]
    public async Task Sample_EnforcesItsPolicyOverStdio()
    {
        await using var client = await SampleProcess.StartAsync("AcpSessions.McpServer");

        var tools = (await client.ListToolsAsync()).Select(t => t.Name).ToList();
        Assert.Equal(14, tools.Count);
        Assert.DoesNotContain("agent_uninstall", tools);

        var hidden = await Assert.ThrowsAsync<McpProtocolException>(() => client.CallToolAsync("agent_uninstall", new Dictionary<string, object?> { ["agent"] = "claude-code" }).AsTask());
        var unknown = await Assert.ThrowsAsync<McpProtocolException>(() => client.CallToolAsync("agent_uninstal", new Dictionary<string, object?> { ["agent"] = "claude-code" }).AsTask());
        Assert.Equal(unknown.ErrorCode, hidden.ErrorCode);
        Assert.Equal(unknown.Message.Replace("agent_uninstal'", "X'", StringComparison.Ordinal), hidden.Message.Replace("agent_uninstall'", "X'", StringComparison.Ordinal));

        var noReason = await client.CallToolAsync("agent_install", new Dictionary<string, object?> { ["agent"] = "codex" });
        Assert.True(noReason.IsError);
        Assert.Contains("pass a 'reason'", Text(noReason), StringComparison.Ordinal);

        var shortReason = await client.CallToolAsync("agent_install", new Dictionary<string, object?> { ["agent"] = "codex", ["reason"] = "why" });
        Assert.True(shortReason.IsError);
        Assert.Contains("- /reason:", Text(shortReason), StringComparison.Ordinal);

        var installed = await client.CallToolAsync("agent_install", new Dictionary<string, object?> { ["agent"] = "codex", ["reason"] = "The user asked for a second opinion." });
        Assert.Equal("Installed codex.", Text(installed));

        var shutdown = await client.CallToolAsync("shutdown", new Dictionary<string, object?> { ["agent"] = "codex" });
        Assert.True(shutdown.IsError);
        Assert.Contains("stopped by the operator", Text(shutdown), StringComparison.Ordinal);

        await client.CallToolAsync("initialize", new Dictionary<string, object?> { ["agent"] = "codex" });
        for (var i = 0; i < 30; i++)
        {
            var session = Text(await client.CallToolAsync("new_session", new Dictionary<string, object?> { ["agent"] = "codex" }));
            var closed = await client.CallToolAsync("close_session", new Dictionary<string, object?> { ["sessionId"] = session });
            Assert.NotEqual(true, closed.IsError);
        }

        var last = Text(await client.CallToolAsync("new_session", new Dictionary<string, object?> { ["agent"] = "codex" }));
        var refused = await client.CallToolAsync("close_session", new Dictionary<string, object?> { ["sessionId"] = last });
        Assert.True(refused.IsError);
        Assert.Contains("close_session_rate", Text(refused), StringComparison.Ordinal);
    }

    private static string Text(CallToolResult result) => McpTestServer.Text(result);
}
