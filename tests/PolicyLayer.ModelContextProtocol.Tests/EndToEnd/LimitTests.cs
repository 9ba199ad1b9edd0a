using System.Text.Json;
using System.Text.Json.Nodes;
using Microsoft.Extensions.DependencyInjection;
using ModelContextProtocol;
using ModelContextProtocol.Protocol;
using PolicyLayer.Counters;

namespace PolicyLayer.ModelContextProtocol.Tests;

public sealed class LimitTests
{
    [Fact]
    public async Task CallTool_ThirtyFirstCloseSessionInAMinute_RefusedAndOtherGrantUnaffected()
    {
        await using var server = await McpTestServer.StartAsync();

        for (var i = 0; i < 30; i++)
        {
            var admitted = await server.CallAsync("close_session", new { sessionId = $"s{i}" }, grant: "alice");
            Assert.NotEqual(true, admitted.IsError);
        }

        var refused = await server.CallAsync("close_session", new { sessionId = "s30" }, grant: "alice");
        var other = await server.CallAsync("close_session", new { sessionId = "b0" }, grant: "bob");

        Assert.True(refused.IsError);
        var text = McpTestServer.Text(refused);
        Assert.Contains("Rule: /tools/close_session/limits/0", text, StringComparison.Ordinal);
        Assert.Matches(@"Retry after: \d+ seconds\.", text);
        Assert.NotEqual(true, other.IsError);
        Assert.Equal(31, server.Log.Count("close_session"));
    }

    [Fact]
    public async Task CallTool_AfterTheWindowSlides_AdmittedAgain()
    {
        await using var server = await McpTestServer.StartAsync();
        for (var i = 0; i < 30; i++)
        {
            await server.CallAsync("close_session", new { sessionId = "s" }, grant: "alice");
        }

        Assert.True((await server.CallAsync("close_session", new { sessionId = "s" }, grant: "alice")).IsError);
        server.Time.Advance(TimeSpan.FromMinutes(1.2));

        Assert.NotEqual(true, (await server.CallAsync("close_session", new { sessionId = "s" }, grant: "alice")).IsError);
    }

    [Theory]
    [InlineData("error")]
    [InlineData("throw")]
    [InlineData("mcp")]
    public async Task CallTool_ToolFails_DoesNotConsumeBudget(string mode)
    {
        // flaky admits one call per hour per grant: failures must give it back.
        await using var server = await McpTestServer.StartAsync();

        var first = await server.CallAsync("flaky", new { mode }, grant: "alice");
        var second = await server.CallAsync("flaky", new { mode }, grant: "alice");
        var success = await server.CallAsync("flaky", new { mode = "ok" }, grant: "alice");
        var afterSuccess = await server.CallAsync("flaky", new { mode = "ok" }, grant: "alice");

        Assert.True(first.IsError);
        Assert.True(second.IsError);
        Assert.DoesNotContain("refused by policy", McpTestServer.Text(second), StringComparison.Ordinal);
        Assert.NotEqual(true, success.IsError);
        Assert.True(afterSuccess.IsError);
        Assert.Contains("Rule: /tools/flaky/limits/0", McpTestServer.Text(afterSuccess), StringComparison.Ordinal);
        Assert.Equal(3, server.Log.Count("flaky"));
    }

    [Fact]
    public async Task CallTool_CancelledByTheClient_KeepsItsReservation()
    {
        // Whether a cancelled tool's effect happened is unknown (a proxy's upstream carries on regardless): a refund
        // would let a client that cancels every call after sending it get past the limit.
        await using var server = await McpTestServer.StartAsync();
        var id = new RequestId("cancelled-call");
        var call = new JsonRpcRequest
        {
            Id = id,
            Method = RequestMethods.ToolsCall,
            Params = JsonSerializer.SerializeToNode(
                new CallToolRequestParams
                {
                    Name = "flaky",
                    Arguments = new Dictionary<string, JsonElement> { ["mode"] = JsonSerializer.SerializeToElement("wait") },
                    Meta = new JsonObject { [McpTestServer.GrantMeta] = "alice" },
                },
                McpJsonUtilities.DefaultOptions),
        };
        using var abandon = new CancellationTokenSource();
        var pending = server.Client.SendRequestAsync(call, abandon.Token);

        await server.Log.StartedAsync("flaky").WaitAsync(TimeSpan.FromSeconds(30));
        await server.Client.SendNotificationAsync(NotificationMethods.CancelledNotification, new CancelledNotificationParams { RequestId = id });
        await server.Log.StartedAsync("flaky cancelled").WaitAsync(TimeSpan.FromSeconds(30));
        var next = await server.CallAsync("flaky", new { mode = "ok" }, grant: "alice");
        await abandon.CancelAsync();
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => pending);

        Assert.True(next.IsError);
        Assert.Contains("Rule: /tools/flaky/limits/0", McpTestServer.Text(next), StringComparison.Ordinal);
        Assert.Equal(1, server.Log.Count("flaky"));
    }

    [Fact]
    public async Task CallTool_NoSessionId_SessionLimitCountsAgainstAnonymous()
    {
        // Two servers without session ids (as stdio and stateless HTTP are) share one store: the session-scoped
        // budget of 2 is shared, because both count against the session "anonymous".
        var store = new InMemoryCounterStore(new Microsoft.Extensions.Time.Testing.FakeTimeProvider());
        await using var first = await McpTestServer.StartAsync(services: s => s.AddSingleton<ICounterStore>(store));
        await using var second = await McpTestServer.StartAsync(services: s => s.AddSingleton<ICounterStore>(store));

        Assert.Null(first.Client.SessionId);
        Assert.NotEqual(true, (await first.CallAsync("per_session")).IsError);
        Assert.NotEqual(true, (await second.CallAsync("per_session")).IsError);
        var refused = await second.CallAsync("per_session");

        Assert.True(refused.IsError);
        Assert.Contains("per_session_rate", McpTestServer.Text(refused), StringComparison.Ordinal);
    }

    [Fact]
    public async Task CallTool_SessionResolver_GivesEachSessionItsOwnBudget()
    {
        var store = new InMemoryCounterStore(new Microsoft.Extensions.Time.Testing.FakeTimeProvider());
        await using var first = await McpTestServer.StartAsync(configure: o => o.SessionResolver = _ => "one", services: s => s.AddSingleton<ICounterStore>(store));
        await using var second = await McpTestServer.StartAsync(configure: o => o.SessionResolver = _ => "two", services: s => s.AddSingleton<ICounterStore>(store));

        await first.CallAsync("per_session");
        await first.CallAsync("per_session");

        Assert.True((await first.CallAsync("per_session")).IsError);
        Assert.NotEqual(true, (await second.CallAsync("per_session")).IsError);
    }
}
