using ModelContextProtocol;
using ModelContextProtocol.Client;
using ModelContextProtocol.Protocol;

namespace PolicyLayer.ModelContextProtocol.Tests;

/// <summary>The PolicyProxy sample over real stdio, in front of the real server-everything (Node.js).</summary>
public sealed class PolicyProxyTests
{
    [ServerEverythingFact]
    public async Task Proxy_InFrontOfServerEverything_ForwardsAllowedCallsAndRefusesOthers()
    {
        var script = ServerEverythingFactAttribute.ServerScript();
        var policy = Path.Combine(AppContext.BaseDirectory, "Proxy", "server-everything.policy.json");
        await using var client = await SampleProcess.StartAsync("PolicyProxy", "--policy", policy, "--", "node", script, "stdio");

        var tools = (await client.ListToolsAsync()).Select(t => t.Name).ToList();
        Assert.Contains("echo", tools);
        Assert.DoesNotContain("get-env", tools);

        var echo = await client.CallToolAsync("echo", new Dictionary<string, object?> { ["message"] = "hello through the proxy" });
        Assert.NotEqual(true, echo.IsError);
        Assert.Contains("hello through the proxy", Text(echo), StringComparison.Ordinal);

        var secret = await client.CallToolAsync("echo", new Dictionary<string, object?> { ["message"] = "my password is hunter2" });
        Assert.True(secret.IsError);
        Assert.Contains("Do not send credentials through echo.", Text(secret), StringComparison.Ordinal);

        var denied = await client.CallToolAsync("simulate-research-query", new Dictionary<string, object?> { ["topic"] = "mcp" });
        Assert.True(denied.IsError);
        Assert.Contains("Research queries are not available through this proxy.", Text(denied), StringComparison.Ordinal);

        // The upstream's declared (draft-07) input schema is enforced by the proxy.
        var badSum = await client.CallToolAsync("get-sum", new Dictionary<string, object?> { ["a"] = "one", ["b"] = 2 });
        Assert.True(badSum.IsError);
        Assert.Contains("- /a:", Text(badSum), StringComparison.Ordinal);
        var sum = await client.CallToolAsync("get-sum", new Dictionary<string, object?> { ["a"] = 1, ["b"] = 2 });
        Assert.Contains("3", Text(sum), StringComparison.Ordinal);

        var hidden = await Assert.ThrowsAsync<McpProtocolException>(() => client.CallToolAsync("get-env").AsTask());
        var unknown = await Assert.ThrowsAsync<McpProtocolException>(() => client.CallToolAsync("get-envs").AsTask());
        Assert.Equal(unknown.ErrorCode, hidden.ErrorCode);
        Assert.Equal(unknown.Message.Replace("get-envs'", "X'", StringComparison.Ordinal), hidden.Message.Replace("get-env'", "X'", StringComparison.Ordinal));

        // Everything else passes through.
        Assert.NotEmpty(await client.ListResourcesAsync());
        var prompts = await client.ListPromptsAsync();
        Assert.NotEmpty(prompts);
    }

    [ServerEverythingFact]
    public async Task Proxy_UpstreamErrors_ReachTheClientAsTheUpstreamSentThem()
    {
        var script = ServerEverythingFactAttribute.ServerScript();
        await using var direct = await McpClient.CreateAsync(new StdioClientTransport(new StdioClientTransportOptions
        {
            Name = "server-everything",
            Command = "node",
            Arguments = [script, "stdio"],
        }));
        await using var proxied = await StartProxyAsync();

        var expected = await Assert.ThrowsAsync<McpProtocolException>(() => direct.GetPromptAsync("no-such-prompt").AsTask());
        var actual = await Assert.ThrowsAsync<McpProtocolException>(() => proxied.GetPromptAsync("no-such-prompt").AsTask());

        Assert.Equal(expected.ErrorCode, actual.ErrorCode);
        Assert.Equal(expected.Message, actual.Message);
    }

    private static Task<McpClient> StartProxyAsync(McpClientOptions? options = null)
    {
        var policy = Path.Combine(AppContext.BaseDirectory, "Proxy", "server-everything.policy.json");
        return SampleProcess.StartAsync("PolicyProxy", options, "--policy", policy, "--", "node", ServerEverythingFactAttribute.ServerScript(), "stdio");
    }

    private static string Text(CallToolResult result) => McpTestServer.Text(result);
}
