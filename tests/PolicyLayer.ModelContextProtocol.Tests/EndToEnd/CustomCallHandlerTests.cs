using ModelContextProtocol;
using ModelContextProtocol.Protocol;
using ModelContextProtocol.Server;

namespace PolicyLayer.ModelContextProtocol.Tests;

/// <summary>
/// A server that serves its tools through its own list and call handlers and never tells the integration which
/// tools it has (no <see cref="PolicyToolCatalog.SetTools"/>).
/// </summary>
public sealed class CustomCallHandlerTests
{
    private static readonly string[] Served = ["echo", "secret_admin", "drop_database"];

    [Fact]
    public async Task CallTool_DefaultDenyWithoutAToolList_HiddenAndMissingNamesAnswerAlike_OtherAnswersUnchanged()
    {
        await using var server = await StartAsync();

        var missing = await Assert.ThrowsAsync<McpProtocolException>(() => server.CallAsync("no_such_tool").AsTask());
        var hidden = await Assert.ThrowsAsync<McpProtocolException>(() => server.CallAsync("secret_admin").AsTask());

        Assert.Equal(McpErrorCode.InvalidParams, missing.ErrorCode);
        Assert.Equal(missing.ErrorCode, hidden.ErrorCode);
        Assert.Equal(missing.Message.Replace("no_such_tool", "NAME", StringComparison.Ordinal), hidden.Message.Replace("secret_admin", "NAME", StringComparison.Ordinal));
        Assert.Equal(0, server.Log.Count("no_such_tool"));
        Assert.Equal(0, server.Log.Count("secret_admin"));

        // Only the default-deny answer, which any unlisted name gets whether or not it exists, is answered as
        // unknown: other refusals keep their reason and rule, and allowed calls reach the handler.
        var allowed = await server.CallAsync("echo", new { text = "hi" });
        var denied = await server.CallAsync("drop_database");

        Assert.Equal("echo", McpTestServer.Text(allowed));
        Assert.True(denied.IsError);
        Assert.Contains("Rule: /tools/drop_database", McpTestServer.Text(denied), StringComparison.Ordinal);
        Assert.Equal(0, server.Log.Count("drop_database"));
    }

    private static Task<McpTestServer> StartAsync() => McpTestServer.StartAsync(
        withTestTools: false,
        server: mcp => mcp
            .WithListToolsHandler((_, _) => ValueTask.FromResult(new ListToolsResult
            {
                Tools = [.. Served.Select(name => new Tool { Name = name })],
            }))
            .WithCallToolHandler((context, _) =>
            {
                var name = context.Params!.Name;
                context.Services!.GetRequiredService<InvocationLog>().Record(name);
                if (!Served.Contains(name))
                {
                    // As the SDK answers a tool it does not have.
                    throw new McpProtocolException($"Unknown tool: '{name}'", McpErrorCode.InvalidParams);
                }

                return ValueTask.FromResult(new CallToolResult { Content = [new TextContentBlock { Text = name }] });
            }));
}
