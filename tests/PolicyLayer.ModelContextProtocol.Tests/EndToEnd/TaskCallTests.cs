using System.Text.Json;
using System.Text.Json.Nodes;
using ModelContextProtocol;
using ModelContextProtocol.Protocol;

namespace PolicyLayer.ModelContextProtocol.Tests;

/// <summary>
/// Task-augmented <c>tools/call</c>: the policy decides before a task is created, and a task-backed call that
/// fails in the background gives its budget back.
/// </summary>
public sealed class TaskCallTests
{
    private static Task<McpTestServer> StartAsync(Action<PolicyLayerMcpOptions>? configure = null, bool withPolicy = true) =>
        McpTestServer.StartAsync(configure: configure, server: mcp => mcp.WithBackgroundTasks(), withPolicy: withPolicy);

    [Fact]
    public async Task CallTool_AllowedTaskAugmentedCall_TaskCompletesWithTheToolsResult()
    {
        await using var server = await StartAsync();

        var answer = await server.CallAsTaskAsync("echo", new { text = "hi" });
        var task = await server.GetEndedTaskAsync(answer.TaskId);

        Assert.True(answer.CreatedTask);
        Assert.Equal(1, server.TaskCount());
        Assert.Equal(BackgroundTaskProtocol.Completed, task["status"]?.GetValue<string>());
        var result = ToolResult(task);
        Assert.NotEqual(true, result.IsError);
        Assert.Equal("hi", McpTestServer.Text(result));
        Assert.Equal(1, server.Log.Count("echo"));
    }

    [Theory]
    [InlineData("drop_database", null, "Never from an agent.")]
    [InlineData("wire_money", 10, "Payments need a person's approval.")]
    [InlineData("create_refund", 500, "/amount")]
    public async Task CallTool_RefusedTaskAugmentedCall_ReturnsTheRefusalAndCreatesNoTask(string tool, int? amount, string reason)
    {
        await using var server = await StartAsync();

        var answer = await server.CallAsTaskAsync(tool, amount is null ? null : new { amount });

        Assert.False(answer.CreatedTask);
        Assert.True(answer.Result.IsError);
        Assert.Contains(reason, McpTestServer.Text(answer.Result), StringComparison.Ordinal);
        Assert.Equal(0, server.TaskCount());
        Assert.Equal(0, server.Log.Count(tool));
    }

    [Fact]
    public async Task CallTool_RefusedTaskAugmentedCallAsProtocolError_CreatesNoTask()
    {
        await using var server = await StartAsync(o => o.RefusalStyle = PolicyRefusalStyle.ProtocolError);

        var error = await Assert.ThrowsAsync<McpProtocolException>(() => server.CallAsTaskAsync("drop_database"));

        Assert.Equal(McpErrorCode.InvalidRequest, error.ErrorCode);
        Assert.Contains("Never from an agent.", error.Message, StringComparison.Ordinal);
        Assert.Equal(0, server.TaskCount());
        Assert.Equal(0, server.Log.Count("drop_database"));
    }

    [Fact]
    public async Task CallTool_TaskAugmentedCallOverTheLimit_ReturnsTheRefusalAndCreatesNoTask()
    {
        // flaky admits one call per hour per grant.
        await using var server = await StartAsync();
        var first = await server.CallAsTaskAsync("flaky", new { mode = "ok" }, grant: "alice");
        await server.GetEndedTaskAsync(first.TaskId);

        var refused = await server.CallAsTaskAsync("flaky", new { mode = "ok" }, grant: "alice");

        Assert.False(refused.CreatedTask);
        Assert.True(refused.Result.IsError);
        Assert.Contains("Rule: /tools/flaky/limits/0", McpTestServer.Text(refused.Result), StringComparison.Ordinal);
        Assert.Equal(1, server.TaskCount());
        Assert.Equal(1, server.Log.Count("flaky"));
    }

    [Fact]
    public async Task CallTool_TaskSucceeds_ReservationStaysCharged()
    {
        await using var server = await StartAsync();

        var answer = await server.CallAsTaskAsync("flaky", new { mode = "ok" }, grant: "alice");
        var task = await server.GetEndedTaskAsync(answer.TaskId);
        var next = await server.CallAsync("flaky", new { mode = "ok" }, grant: "alice");

        Assert.Equal("ok", McpTestServer.Text(ToolResult(task)));
        Assert.True(next.IsError);
        Assert.Contains("Rule: /tools/flaky/limits/0", McpTestServer.Text(next), StringComparison.Ordinal);
        Assert.Equal(1, server.Log.Count("flaky"));
    }

    [Theory]
    [InlineData("error")]
    [InlineData("throw")]
    [InlineData("mcp")]
    public async Task CallTool_TaskToolFails_RefundsTheReservation(string mode)
    {
        // flaky admits one call per hour per grant: a task whose tool fails in the background must give it back.
        await using var server = await StartAsync();

        var failed = await server.CallAsTaskAsync("flaky", new { mode }, grant: "alice");
        var failedTask = await server.GetEndedTaskAsync(failed.TaskId);
        var success = await server.CallAsync("flaky", new { mode = "ok" }, grant: "alice");
        var afterSuccess = await server.CallAsync("flaky", new { mode = "ok" }, grant: "alice");

        Assert.Equal(BackgroundTaskProtocol.Completed, failedTask["status"]?.GetValue<string>());
        Assert.True(ToolResult(failedTask).IsError);
        Assert.NotEqual(true, success.IsError);
        Assert.True(afterSuccess.IsError);
        Assert.Contains("Rule: /tools/flaky/limits/0", McpTestServer.Text(afterSuccess), StringComparison.Ordinal);
        Assert.Equal(2, server.Log.Count("flaky"));
    }

    [Fact]
    public async Task CallTool_SeveralFailedTasks_NoneCountsAgainstTheLimit()
    {
        await using var server = await StartAsync();

        for (var i = 0; i < 3; i++)
        {
            var failed = await server.CallAsTaskAsync("flaky", new { mode = "error" }, grant: "alice");
            await server.GetEndedTaskAsync(failed.TaskId);
        }

        var success = await server.CallAsTaskAsync("flaky", new { mode = "ok" }, grant: "alice");
        await server.GetEndedTaskAsync(success.TaskId);
        var refused = await server.CallAsTaskAsync("flaky", new { mode = "ok" }, grant: "alice");

        Assert.True(success.CreatedTask);
        Assert.False(refused.CreatedTask);
        Assert.Equal(4, server.TaskCount());
        Assert.Equal(4, server.Log.Count("flaky"));
    }

    [Fact]
    public async Task CallTool_HiddenToolInTaskAugmentedCall_AnswersAsAnUnknownToolAndCreatesNoTask()
    {
        await using var server = await StartAsync();

        var unknown = await Assert.ThrowsAsync<McpProtocolException>(() => server.CallAsTaskAsync("no_such_tool"));
        var hidden = await Assert.ThrowsAsync<McpProtocolException>(() => server.CallAsTaskAsync("secret_admin"));

        Assert.Equal(McpErrorCode.InvalidParams, hidden.ErrorCode);
        Assert.Equal(unknown.ErrorCode, hidden.ErrorCode);
        Assert.Equal(unknown.Message.Replace("no_such_tool", "NAME", StringComparison.Ordinal), hidden.Message.Replace("secret_admin", "NAME", StringComparison.Ordinal));
        Assert.Equal(0, server.TaskCount());
        Assert.Equal(0, server.Log.Count("secret_admin"));
    }

    [Fact]
    public async Task CallTool_HiddenToolInTaskAugmentedCall_AnswersAsTheSdkAnswersAnOrdinaryUnknownTool()
    {
        // Without a policy an unknown tool is answered by the SDK's own dispatch: that answer is the reference.
        await using var plain = await McpTestServer.StartAsync(withPolicy: false);
        await using var guarded = await StartAsync();

        var sdk = await Assert.ThrowsAsync<McpProtocolException>(() => plain.CallAsync("no_such_tool").AsTask());
        var hidden = await Assert.ThrowsAsync<McpProtocolException>(() => guarded.CallAsTaskAsync("secret_admin"));

        Assert.Equal(sdk.ErrorCode, hidden.ErrorCode);
        Assert.Equal(sdk.Message.Replace("no_such_tool", "NAME", StringComparison.Ordinal), hidden.Message.Replace("secret_admin", "NAME", StringComparison.Ordinal));
    }

    [Fact]
    public async Task CallTool_WithoutPolicy_TheSameCallsCreateTasks()
    {
        // The harness really runs refused-looking calls as tasks when nothing refuses them, so "no task" above
        // is the policy's doing.
        await using var server = await StartAsync(withPolicy: false);

        var answer = await server.CallAsTaskAsync("drop_database");
        await server.GetEndedTaskAsync(answer.TaskId);

        Assert.True(answer.CreatedTask);
        Assert.Equal(1, server.TaskCount());
        Assert.Equal(1, server.Log.Count("drop_database"));
    }

    private static CallToolResult ToolResult(JsonObject task) =>
        task["result"].Deserialize<CallToolResult>(McpJsonUtilities.DefaultOptions)
        ?? throw new InvalidOperationException("The task has no result: " + task.ToJsonString());
}
