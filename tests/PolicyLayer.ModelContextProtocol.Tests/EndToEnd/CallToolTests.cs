using ModelContextProtocol;

namespace PolicyLayer.ModelContextProtocol.Tests;

public sealed class CallToolTests
{
    [Fact]
    public async Task CallTool_Allowed_ReachesTheTool()
    {
        await using var server = await McpTestServer.StartAsync();

        var result = await server.CallAsync("echo", new { text = "hello" });

        Assert.NotEqual(true, result.IsError);
        Assert.Equal("hello", McpTestServer.Text(result));
        Assert.Equal(1, server.Log.Count("echo"));
    }

    [Fact]
    public async Task CallTool_HiddenTool_AnswersExactlyAsAnUnknownTool()
    {
        await using var server = await McpTestServer.StartAsync();

        var unknown = await Assert.ThrowsAsync<McpProtocolException>(() => server.CallAsync("no_such_tool").AsTask());
        var hidden = await Assert.ThrowsAsync<McpProtocolException>(() => server.CallAsync("secret_admin").AsTask());

        Assert.Equal(unknown.ErrorCode, hidden.ErrorCode);
        Assert.Equal(McpErrorCode.InvalidParams, hidden.ErrorCode);
        Assert.Equal(unknown.Message.Replace("no_such_tool", "NAME", StringComparison.Ordinal), hidden.Message.Replace("secret_admin", "NAME", StringComparison.Ordinal));
        Assert.Equal(0, server.Log.Count("secret_admin"));
    }

    [Theory]
    [InlineData("grant")]
    [InlineData("session")]
    [InlineData("caller")]
    public async Task CallTool_HiddenToolWhenAResolverThrows_AnswersExactlyAsAnUnknownTool(string resolver)
    {
        // A resolver that fails for this caller must not make a hidden tool answer differently from a missing one.
        await using var server = await McpTestServer.StartAsync(configure: o =>
        {
            switch (resolver)
            {
                case "grant": o.GrantResolver = _ => throw new McpException("no grant"); break;
                case "session": o.SessionResolver = _ => throw new McpException("no session"); break;
                default: o.CallerResolver = _ => throw new McpException("no caller"); break;
            }
        });

        var unknown = await Assert.ThrowsAsync<McpProtocolException>(() => server.CallAsync("no_such_tool").AsTask());
        var hidden = await Assert.ThrowsAsync<McpProtocolException>(() => server.CallAsync("secret_admin").AsTask());

        Assert.Equal(McpErrorCode.InvalidParams, unknown.ErrorCode);
        Assert.Equal(unknown.ErrorCode, hidden.ErrorCode);
        Assert.Equal(unknown.Message.Replace("no_such_tool", "NAME", StringComparison.Ordinal), hidden.Message.Replace("secret_admin", "NAME", StringComparison.Ordinal));
        Assert.Equal(0, server.Log.Count("secret_admin"));
    }

    [Fact]
    public async Task CallTool_UnknownToolWithPolicy_AnswersAsTheSdkDoesWithoutOne()
    {
        // The SDK's own answer, with no policy at all, is the reference the hidden tool must match.
        await using var plain = await McpTestServer.StartAsync(withPolicy: false);
        await using var guarded = await McpTestServer.StartAsync();

        var sdk = await Assert.ThrowsAsync<McpProtocolException>(() => plain.CallAsync("no_such_tool").AsTask());
        var hidden = await Assert.ThrowsAsync<McpProtocolException>(() => guarded.CallAsync("secret_admin").AsTask());

        Assert.Equal(sdk.ErrorCode, hidden.ErrorCode);
        Assert.Equal(sdk.Message.Replace("no_such_tool", "NAME", StringComparison.Ordinal), hidden.Message.Replace("secret_admin", "NAME", StringComparison.Ordinal));
    }

    [Fact]
    public async Task CallTool_DeniedTool_NeverRunsAndGivesTheReasonAndRule()
    {
        await using var server = await McpTestServer.StartAsync();

        var result = await server.CallAsync("drop_database");

        Assert.True(result.IsError);
        var text = McpTestServer.Text(result);
        Assert.Contains("Never from an agent.", text, StringComparison.Ordinal);
        Assert.Contains("Rule: /tools/drop_database", text, StringComparison.Ordinal);
        Assert.Equal(0, server.Log.Count("drop_database"));
    }

    [Fact]
    public async Task CallTool_UnlistedToolUnderDefaultDeny_IsRefused()
    {
        var policy = TestPolicy.Json.Replace("\"echo\": {},", string.Empty, StringComparison.Ordinal);
        await using var server = await McpTestServer.StartAsync(policy);

        var result = await server.CallAsync("echo", new { text = "hi" });

        Assert.True(result.IsError);
        Assert.Contains(RuleIds.DefaultDeny, McpTestServer.Text(result), StringComparison.Ordinal);
        Assert.Equal(0, server.Log.Count("echo"));
    }

    [Fact]
    public async Task CallTool_SchemaViolation_RefusedWithTheInstancePath()
    {
        await using var server = await McpTestServer.StartAsync();

        var result = await server.CallAsync("create_refund", new { amount = 150 });

        Assert.True(result.IsError);
        var text = McpTestServer.Text(result);
        Assert.Contains("- /amount:", text, StringComparison.Ordinal);
        Assert.Contains("Rule: /tools/create_refund/schema", text, StringComparison.Ordinal);
        Assert.Equal(0, server.Log.Count("create_refund"));

        var allowed = await server.CallAsync("create_refund", new { amount = 50 });
        Assert.NotEqual(true, allowed.IsError);
        Assert.Equal(1, server.Log.Count("create_refund"));
    }

    [Fact]
    public async Task CallTool_ArgumentsAgainstTheDeclaredInputSchema_RefusedWithTheInstancePath()
    {
        // The policy gives "typed" no schema: the tool's own declared inputSchema was registered by the integration.
        await using var server = await McpTestServer.StartAsync();

        var result = await server.CallAsync("typed", new { count = "many" });

        Assert.True(result.IsError);
        var text = McpTestServer.Text(result);
        Assert.Contains("- /count:", text, StringComparison.Ordinal);
        Assert.Contains(RuleIds.InputSchema, text, StringComparison.Ordinal);
        Assert.Equal(0, server.Log.Count("typed"));
    }

    [Fact]
    public async Task CallTool_ToolAddedAfterStart_ItsDeclaredSchemaIsEnforced()
    {
        await using var server = await McpTestServer.StartAsync(TestPolicy.Json.Replace("\"echo\": {},", "\"echo\": {}, \"late\": {},", StringComparison.Ordinal));
        var options = server.Services.GetRequiredService<Microsoft.Extensions.Options.IOptions<global::ModelContextProtocol.Server.McpServerOptions>>().Value;
        options.ToolCollection!.Add(global::ModelContextProtocol.Server.McpServerTool.Create((int size) => $"size {size}", new() { Name = "late" }));

        var refused = await server.CallAsync("late", new { size = "big" });
        var allowed = await server.CallAsync("late", new { size = 3 });

        Assert.True(refused.IsError);
        Assert.Contains("- /size:", McpTestServer.Text(refused), StringComparison.Ordinal);
        Assert.Equal("size 3", McpTestServer.Text(allowed));
    }

    [Fact]
    public async Task CallTool_RequireApprovalWithoutApprovals_SaysItCannotRunUntilThePolicyChanges()
    {
        // No AddApprovals(): nothing can approve the call, so the model must not be told to wait for an approval.
        await using var server = await McpTestServer.StartAsync();

        var result = await server.CallAsync("wire_money", new { amount = 10 });
        var retried = await server.CallAsync("wire_money", new { amount = 10 });

        Assert.True(result.IsError);
        var text = McpTestServer.Text(result);
        Assert.Contains("needs a person's approval", text, StringComparison.Ordinal);
        Assert.Contains("Payments need a person's approval.", text, StringComparison.Ordinal);
        Assert.Contains("cannot run on this server until an operator changes the policy", text, StringComparison.Ordinal);
        Assert.Contains("Do not retry it", text, StringComparison.Ordinal);
        Assert.DoesNotContain("ask them to approve", text, StringComparison.Ordinal);
        Assert.DoesNotContain("Approval id", text, StringComparison.Ordinal);
        Assert.Contains("Rule: /tools/wire_money", text, StringComparison.Ordinal);
        Assert.Equal(text, McpTestServer.Text(retried));
        Assert.Equal(0, server.Log.Count("wire_money"));
    }

    [Fact]
    public async Task CallTool_ProtocolErrorStyle_RefusesWithAJsonRpcError()
    {
        await using var server = await McpTestServer.StartAsync(configure: o => o.RefusalStyle = PolicyRefusalStyle.ProtocolError);

        var error = await Assert.ThrowsAsync<McpProtocolException>(() => server.CallAsync("drop_database").AsTask());

        Assert.Equal(McpErrorCode.InvalidRequest, error.ErrorCode);
        Assert.Contains("Never from an agent.", error.Message, StringComparison.Ordinal);
        Assert.Equal(0, server.Log.Count("drop_database"));
    }

    [Fact]
    public async Task CallTool_ProtocolErrorStyleHiddenTool_StillAnswersAsUnknown()
    {
        await using var server = await McpTestServer.StartAsync(configure: o => o.RefusalStyle = PolicyRefusalStyle.ProtocolError);

        var unknown = await Assert.ThrowsAsync<McpProtocolException>(() => server.CallAsync("no_such_tool").AsTask());
        var hidden = await Assert.ThrowsAsync<McpProtocolException>(() => server.CallAsync("secret_admin").AsTask());

        Assert.Equal(unknown.ErrorCode, hidden.ErrorCode);
        Assert.Equal(unknown.Message.Replace("no_such_tool", "NAME", StringComparison.Ordinal), hidden.Message.Replace("secret_admin", "NAME", StringComparison.Ordinal));
    }
}
