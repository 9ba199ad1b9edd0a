namespace PolicyLayer.ModelContextProtocol.Tests;

public sealed class ToolsListTests
{
    [Fact]
    public async Task ListTools_HiddenTool_IsAbsentAndOthersRemain()
    {
        await using var server = await McpTestServer.StartAsync();

        var names = (await server.Client.ListToolsAsync()).Select(t => t.Name).ToList();

        Assert.DoesNotContain("secret_admin", names);
        Assert.Contains("echo", names);
        Assert.Contains("close_session", names);
        Assert.Contains("drop_database", names); // denied, but not hidden: the model may learn why it is refused
    }

    [Fact]
    public async Task ListTools_WithoutPolicy_ListsTheHiddenToolToo()
    {
        // Control for the test above: the tool is there until the policy hides it.
        await using var server = await McpTestServer.StartAsync(withPolicy: false);

        var names = (await server.Client.ListToolsAsync()).Select(t => t.Name).ToList();

        Assert.Contains("secret_admin", names);
    }

    [Fact]
    public async Task ListTools_HideStar_ListsNothing()
    {
        var policy = TestPolicy.Json.Replace("\"hide\": [\"secret_admin\"]", "\"hide\": [\"*\"]", StringComparison.Ordinal);
        await using var server = await McpTestServer.StartAsync(policy);

        Assert.Empty(await server.Client.ListToolsAsync());
    }
}
