// MCP9005: sampling and logging are deprecated from protocol 2026-07-28; the proxy passes them through for peers on
// earlier revisions, and these tests exercise exactly that.
#pragma warning disable MCP9005
using System.Text.Json;
using System.Text.Json.Nodes;
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

    [ServerEverythingFact]
    public async Task Proxy_RelaysTheUpstreamsProgress_AheadOfTheCallsResult()
    {
        // The raw transport reads the client's messages in wire order; the SDK's client handles each on a task of
        // its own, so it could not tell the order apart (and drops progress that it handles after the result).
        var policy = Path.Combine(AppContext.BaseDirectory, "Proxy", "server-everything.policy.json");
        await using var wire = await new StdioClientTransport(new StdioClientTransportOptions
        {
            Name = "PolicyProxy",
            Command = "dotnet",
            Arguments = [SampleProcess.Assembly("PolicyProxy"), "--policy", policy, "--", "node", ServerEverythingFactAttribute.ServerScript(), "stdio"],
            ShutdownTimeout = TimeSpan.FromSeconds(10),
        }).ConnectAsync();

        await wire.SendMessageAsync(Request(1, RequestMethods.Initialize, """
            {"protocolVersion":"2025-11-25","capabilities":{},"clientInfo":{"name":"wire","version":"1.0.0"}}
            """));
        var initialized = Assert.IsType<JsonRpcResponse>(await NextAsync(wire));
        Assert.Contains("Everything", initialized.Result!["instructions"]!.GetValue<string>(), StringComparison.OrdinalIgnoreCase); // the upstream's
        await wire.SendMessageAsync(new JsonRpcNotification { Method = NotificationMethods.InitializedNotification });

        await wire.SendMessageAsync(Request(2, RequestMethods.ToolsCall, """
            {"name":"trigger-long-running-operation","arguments":{"duration":1,"steps":2},"_meta":{"progressToken":"call-2"}}
            """));

        var progress = new List<JsonNode>();
        JsonRpcMessage message;
        while ((message = await NextAsync(wire)) is not JsonRpcMessageWithId { Id.Id: 2L })
        {
            if (message is JsonRpcNotification { Method: NotificationMethods.ProgressNotification } notification)
            {
                progress.Add(notification.Params!);
            }
        }

        var result = Assert.IsType<JsonRpcResponse>(message);
        Assert.NotEqual(true, result.Result!["isError"]?.GetValue<bool>());
        Assert.Equal([1.0, 2.0], progress.Select(p => p["progress"]!.GetValue<double>()));
        Assert.All(progress, p => Assert.Equal("call-2", p["progressToken"]!.GetValue<string>()));
        Assert.All(progress, p => Assert.Equal(2.0, p["total"]!.GetValue<double>()));
    }

    [ServerEverythingFact]
    public async Task Proxy_PassesSubscriptionsAndLoggingThrough_ForAnInitializeHandshakeClient()
    {
        // resources/subscribe and logging/setLevel exist up to 2025-11-25; from 2026-07-28 they are replaced.
        await using var client = await StartProxyAsync(new McpClientOptions { ProtocolVersion = "2025-11-25" });
        var logged = new TaskCompletionSource<LoggingMessageNotificationParams>(TaskCreationOptions.RunContinuationsAsynchronously);
        await using var handler = client.RegisterNotificationHandler(NotificationMethods.LoggingMessageNotification, (notification, _) =>
        {
            var message = JsonSerializer.Deserialize<LoggingMessageNotificationParams>(notification.Params, McpJsonUtilities.DefaultOptions)!;
            if (message.Data.ToString().Contains("Subscribe", StringComparison.Ordinal))
            {
                logged.TrySetResult(message);
            }

            return ValueTask.CompletedTask;
        });

        Assert.True(client.ServerCapabilities.Resources?.Subscribe);
        await client.SetLoggingLevelAsync(LoggingLevel.Info);
        var uri = (await client.ListResourcesAsync())[0].Uri;
        await client.SubscribeToResourceAsync(uri);

        // server-everything acknowledges a subscription with a log message to its client.
        var message = await logged.Task.WaitAsync(TimeSpan.FromSeconds(30));
        Assert.Contains(uri, message.Data.ToString(), StringComparison.Ordinal);
        await client.UnsubscribeFromResourceAsync(uri);
    }

    [ServerEverythingFact]
    public async Task Proxy_ForwardsTheUpstreamsSamplingRequestToTheClient()
    {
        CreateMessageRequestParams? asked = null;
        var options = new McpClientOptions
        {
            Handlers = new McpClientHandlers
            {
                SamplingHandler = (request, _, _) =>
                {
                    asked = request;
                    return ValueTask.FromResult(new CreateMessageResult
                    {
                        Content = [new TextContentBlock { Text = "sampled by the test client" }],
                        Model = "test-model",
                        Role = Role.Assistant,
                    });
                },
            },
        };
        await using var client = await StartProxyAsync(options);

        var result = await client.CallToolAsync("trigger-sampling-request", new Dictionary<string, object?> { ["prompt"] = "hello", ["maxTokens"] = 10 });

        Assert.NotEqual(true, result.IsError);
        Assert.Contains("sampled by the test client", Text(result), StringComparison.Ordinal);
        Assert.Contains("hello", Assert.Single(Assert.Single(asked!.Messages).Content.OfType<TextContentBlock>()).Text, StringComparison.Ordinal);
    }

    private static Task<McpClient> StartProxyAsync(McpClientOptions? options = null)
    {
        var policy = Path.Combine(AppContext.BaseDirectory, "Proxy", "server-everything.policy.json");
        return SampleProcess.StartAsync("PolicyProxy", options, "--policy", policy, "--", "node", ServerEverythingFactAttribute.ServerScript(), "stdio");
    }

    private static string Text(CallToolResult result) => McpTestServer.Text(result);

    private static JsonRpcRequest Request(long id, string method, string parameters) =>
        new() { Id = new RequestId(id), Method = method, Params = JsonNode.Parse(parameters) };

    private static async Task<JsonRpcMessage> NextAsync(ITransport wire) =>
        await wire.MessageReader.ReadAsync().AsTask().WaitAsync(TimeSpan.FromSeconds(60));
}
