using System.Collections.Concurrent;
using ModelContextProtocol.Protocol;
using PolicyLayer.Approvals;
using static PolicyLayer.ModelContextProtocol.Tests.ApprovalElicitationServer;

namespace PolicyLayer.ModelContextProtocol.Tests;

public sealed class ApprovalElicitationTests
{
    // A value that cannot occur by chance in the question (approval ids are hex, without a dot).
    private const double Amount = 12.345678;

    [Theory]
    [MemberData(nameof(Protocols), MemberType = typeof(ApprovalElicitationServer))]
    public async Task CallTool_PersonAccepts_ApprovesInTheirNameAndRunsTheToolOnce(string protocol)
    {
        var questions = new ConcurrentQueue<ElicitRequestParams>();
        await using var server = await StartAsync(protocol, (_, _) => Answer("accept"), questions);

        var result = await server.CallAsync("wire_money", new { amount = Amount }, grant: "alice");

        Assert.NotEqual(true, result.IsError);
        Assert.Equal("sent", McpTestServer.Text(result));
        Assert.Equal(1, server.Log.Count("wire_money"));
        var question = Assert.Single(questions);
        var request = await server.Approvals().GetAsync(ApprovalId(question.Message));
        Assert.NotNull(request);
        Assert.Equal(ApprovalState.Used, request.State);
        Assert.StartsWith("elicitation: person at MCP client", request.DecidedBy, StringComparison.Ordinal);
    }

    [Theory]
    [MemberData(nameof(Protocols), MemberType = typeof(ApprovalElicitationServer))]
    public async Task CallTool_PersonAccepts_TheApprovalCoversOnlyThatCall(string protocol)
    {
        var questions = new ConcurrentQueue<ElicitRequestParams>();
        await using var server = await StartAsync(protocol, (_, _) => Answer("accept"), questions);

        await server.CallAsync("wire_money", new { amount = Amount }, grant: "alice");
        await server.CallAsync("wire_money", new { amount = Amount }, grant: "alice");

        // Each call needs its own approval: the person is asked again, about a new request.
        Assert.Equal(2, questions.Count);
        Assert.Equal(2, questions.Select(q => ApprovalId(q.Message)).Distinct(StringComparer.Ordinal).Count());
        Assert.Equal(2, server.Log.Count("wire_money"));
    }

    [Theory]
    [MemberData(nameof(Protocols), MemberType = typeof(ApprovalElicitationServer))]
    public async Task CallTool_Question_NamesToolGrantReasonAndArgumentsButNotTheirValues(string protocol)
    {
        var questions = new ConcurrentQueue<ElicitRequestParams>();
        await using var server = await StartAsync(protocol, (_, _) => Answer("decline"), questions);

        await server.CallAsync("wire_money", new { amount = Amount }, grant: "alice");

        var question = Assert.Single(questions);
        Assert.Contains("Tool: wire_money", question.Message, StringComparison.Ordinal);
        Assert.Contains("Grant: alice", question.Message, StringComparison.Ordinal);
        Assert.Contains("Reason: Payments need a person's approval.", question.Message, StringComparison.Ordinal);
        Assert.Contains("Arguments: amount (values not shown)", question.Message, StringComparison.Ordinal);
        Assert.DoesNotContain("12.345678", question.Message, StringComparison.Ordinal);
        Assert.NotNull(question.RequestedSchema);
        Assert.Empty(question.RequestedSchema.Properties);
    }

    [Theory]
    [MemberData(nameof(Protocols), MemberType = typeof(ApprovalElicitationServer))]
    public async Task CallTool_ShowArgumentValues_QuestionShowsThem(string protocol)
    {
        var questions = new ConcurrentQueue<ElicitRequestParams>();
        await using var server = await StartAsync(protocol, (_, _) => Answer("decline"), questions, o => o.ShowArgumentValues = true);

        await server.CallAsync("wire_money", new { amount = Amount }, grant: "alice");

        Assert.Contains("amount: 12.345678", Assert.Single(questions).Message, StringComparison.Ordinal);
    }

    [Theory]
    [MemberData(nameof(Protocols), MemberType = typeof(ApprovalElicitationServer))]
    public async Task CallTool_PersonDeclines_RefusesSayingSoAndNeverRuns(string protocol)
    {
        await using var server = await StartAsync(protocol, (_, _) => Answer("decline"));

        var result = await server.CallAsync("wire_money", new { amount = Amount }, grant: "alice");

        Assert.True(result.IsError);
        var text = McpTestServer.Text(result);
        Assert.Contains("the person was asked to approve it and declined", text, StringComparison.Ordinal);
        Assert.Contains("Rule: /tools/wire_money", text, StringComparison.Ordinal);
        Assert.Equal(0, server.Log.Count("wire_money"));
        var request = await server.Approvals().GetAsync(ApprovalId(text));
        Assert.Equal(ApprovalState.Denied, request?.State);
    }

    [Theory]
    [MemberData(nameof(Protocols), MemberType = typeof(ApprovalElicitationServer))]
    public async Task CallTool_RetryAfterDecline_RefusedWithoutAskingAgain(string protocol)
    {
        var questions = new ConcurrentQueue<ElicitRequestParams>();
        await using var server = await StartAsync(protocol, (_, _) => Answer("decline"), questions);

        await server.CallAsync("wire_money", new { amount = Amount }, grant: "alice");
        var retry = await server.CallAsync("wire_money", new { amount = Amount }, grant: "alice");

        Assert.True(retry.IsError);
        Assert.Contains("was denied by elicitation: person at MCP client", McpTestServer.Text(retry), StringComparison.Ordinal);
        Assert.Single(questions);
        Assert.Equal(0, server.Log.Count("wire_money"));
    }

    [Theory]
    [MemberData(nameof(Protocols), MemberType = typeof(ApprovalElicitationServer))]
    public async Task CallTool_PersonDismisses_RefusesAndLeavesTheRequestPending(string protocol)
    {
        await using var server = await StartAsync(protocol, (_, _) => Answer("cancel"));

        var result = await server.CallAsync("wire_money", new { amount = Amount }, grant: "alice");

        Assert.True(result.IsError);
        var text = McpTestServer.Text(result);
        Assert.Contains("dismissed the question without approving it", text, StringComparison.Ordinal);
        Assert.Equal(0, server.Log.Count("wire_money"));
        var pending = Assert.Single(await server.Approvals().GetPendingAsync());
        Assert.Equal(ApprovalId(text), pending.Id);
    }

    [Theory]
    [MemberData(nameof(Protocols), MemberType = typeof(ApprovalElicitationServer))]
    public async Task CallTool_ClientWithoutElicitation_AnswersWithTheApprovalId(string protocol)
    {
        await using var server = await StartAsync(protocol, handler: null);

        var result = await server.CallAsync("wire_money", new { amount = Amount }, grant: "alice");

        AssertApprovalIdAnswer(result);
        Assert.Equal(0, server.Log.Count("wire_money"));
    }

    [Fact]
    public async Task CallTool_HandlerThrows_AnswersWithTheApprovalIdAndNeverRuns()
    {
        // The server sends elicitation/create; the client answers it with an error.
        await using var server = await StartAsync(Legacy, (_, _) => throw new InvalidOperationException("the client's prompt broke"));

        var result = await server.CallAsync("wire_money", new { amount = Amount }, grant: "alice");

        AssertApprovalIdAnswer(result);
        Assert.Equal(0, server.Log.Count("wire_money"));
        Assert.Single(await server.Approvals().GetPendingAsync());
    }

    [Fact]
    public async Task CallTool_HandlerThrowsUnderMrtr_ClientCallFailsAndToolNeverRuns()
    {
        // The client answers questions itself, inside its call: its handler's failure is its own call's failure,
        // and it never comes back with an answer.
        var questions = new ConcurrentQueue<ElicitRequestParams>();
        await using var server = await StartAsync(Mrtr, (_, _) => throw new InvalidOperationException("the client's prompt broke"), questions);

        await Assert.ThrowsAnyAsync<Exception>(() => server.CallAsync("wire_money", new { amount = Amount }, grant: "alice").AsTask());

        Assert.Single(questions);
        Assert.Equal(0, server.Log.Count("wire_money"));
        Assert.Single(await server.Approvals().GetPendingAsync());
    }

    [Fact]
    public async Task CallTool_NoAnswerWithinTheTimeout_AnswersWithTheApprovalIdAndNeverRuns()
    {
        var asked = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var answer = new TaskCompletionSource<ElicitResult>(TaskCreationOptions.RunContinuationsAsynchronously);
        await using var server = await StartAsync(
            Legacy,
            async (_, _) =>
            {
                asked.TrySetResult();
                return await answer.Task;
            },
            configure: o => o.Timeout = TimeSpan.FromMinutes(3));

        var call = server.CallAsync("wire_money", new { amount = Amount }, grant: "alice").AsTask();
        await asked.Task;
        server.Time.Advance(TimeSpan.FromMinutes(3));
        var result = await call;
        answer.SetResult(new ElicitResult { Action = "accept" }); // too late: nobody is waiting for it

        AssertApprovalIdAnswer(result);
        Assert.Equal(0, server.Log.Count("wire_money"));
        Assert.Single(await server.Approvals().GetPendingAsync());
    }

    [Fact]
    public async Task CallTool_AcceptAfterTheTimeoutUnderMrtr_AnswersWithTheApprovalIdAndNeverRuns()
    {
        // Under MRTR a question cannot be withdrawn: the client answers late, and the late answer does not count.
        var asked = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var answer = new TaskCompletionSource<ElicitResult>(TaskCreationOptions.RunContinuationsAsynchronously);
        await using var server = await StartAsync(
            Mrtr,
            async (_, _) =>
            {
                asked.TrySetResult();
                return await answer.Task;
            },
            configure: o => o.Timeout = TimeSpan.FromMinutes(3));

        var call = server.CallAsync("wire_money", new { amount = Amount }, grant: "alice").AsTask();
        await asked.Task;
        server.Time.Advance(TimeSpan.FromMinutes(3));
        answer.SetResult(new ElicitResult { Action = "accept" });
        var result = await call;

        AssertApprovalIdAnswer(result);
        Assert.Equal(0, server.Log.Count("wire_money"));
        Assert.Single(await server.Approvals().GetPendingAsync());
    }

    [Theory]
    [MemberData(nameof(Protocols), MemberType = typeof(ApprovalElicitationServer))]
    public async Task CallTool_RetryWhileThePersonIsAsked_IsNotAskedTwice(string protocol)
    {
        var questions = new ConcurrentQueue<ElicitRequestParams>();
        var asked = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var answer = new TaskCompletionSource<ElicitResult>(TaskCreationOptions.RunContinuationsAsynchronously);
        await using var server = await StartAsync(protocol, 
            async (_, _) =>
            {
                asked.TrySetResult();
                return await answer.Task;
            },
            questions);

        var first = server.CallAsync("wire_money", new { amount = Amount }, grant: "alice").AsTask();
        await asked.Task;
        var retry = await server.CallAsync("wire_money", new { amount = Amount }, grant: "alice");
        answer.SetResult(new ElicitResult { Action = "accept" });
        var result = await first;

        AssertApprovalIdAnswer(retry);
        Assert.Equal(ApprovalId(Assert.Single(questions).Message), ApprovalId(McpTestServer.Text(retry)));
        Assert.Equal("sent", McpTestServer.Text(result));
        Assert.Equal(1, server.Log.Count("wire_money"));
    }

    [Theory]
    [MemberData(nameof(Protocols), MemberType = typeof(ApprovalElicitationServer))]
    public async Task CallTool_ElicitationOffByDefault_DoesNotAsk(string protocol)
    {
        var questions = new ConcurrentQueue<ElicitRequestParams>();
        await using var server = await StartAsync(protocol, (_, _) => Answer("accept"), questions, enabled: false);

        var result = await server.CallAsync("wire_money", new { amount = Amount }, grant: "alice");

        AssertApprovalIdAnswer(result);
        Assert.Empty(questions);
        Assert.Equal(0, server.Log.Count("wire_money"));
    }

    [Fact]
    public void ApprovalElicitation_Default_IsOff()
    {
        Assert.False(new PolicyLayerMcpOptions().ApprovalElicitation.Enabled);
    }

    [Theory]
    [MemberData(nameof(Protocols), MemberType = typeof(ApprovalElicitationServer))]
    public async Task CallTool_AcceptCannotBeRecorded_AnswersWithTheApprovalIdAndNeverRuns(string protocol)
    {
        // The store fails as the person's answer is written: without a recorded approval the call must not run.
        await using var server = await StartAsync(protocol, (_, _) => Answer("accept"), store: DecisionsFail);

        var result = await server.CallAsync("wire_money", new { amount = Amount }, grant: "alice");

        AssertApprovalIdAnswer(result);
        Assert.Equal(0, server.Log.Count("wire_money"));
        Assert.Equal(ApprovalState.Pending, Assert.Single(await server.Approvals().GetPendingAsync()).State);
    }

    [Theory]
    [MemberData(nameof(Protocols), MemberType = typeof(ApprovalElicitationServer))]
    public async Task CallTool_DeclineCannotBeRecorded_StillRefusedAsDeclinedAndNeverRuns(string protocol)
    {
        await using var server = await StartAsync(protocol, (_, _) => Answer("decline"), store: DecisionsFail);

        var result = await server.CallAsync("wire_money", new { amount = Amount }, grant: "alice");

        // The person's answer stands for this call; with nothing recorded, a retry would ask again.
        Assert.True(result.IsError);
        Assert.Contains("the person was asked to approve it and declined", McpTestServer.Text(result), StringComparison.Ordinal);
        Assert.Equal(0, server.Log.Count("wire_money"));
        Assert.Equal(ApprovalState.Pending, Assert.Single(await server.Approvals().GetPendingAsync()).State);
    }

    private static IApprovalStore DecisionsFail(IServiceProvider services) =>
        new FailingDecisions(new InMemoryApprovalStore(services.GetRequiredService<TimeProvider>()));

    private static void AssertApprovalIdAnswer(CallToolResult result)
    {
        Assert.True(result.IsError);
        var text = McpTestServer.Text(result);
        Assert.Contains("needs a person's approval and has not run", text, StringComparison.Ordinal);
        Assert.Contains("Approval id: " + ApprovalId(text), text, StringComparison.Ordinal);
        Assert.Contains("retry exactly the same call", text, StringComparison.Ordinal);
    }

    /// <summary>An approval store whose writes of a person's answer fail, as a store that goes down mid-call.</summary>
    private sealed class FailingDecisions(IApprovalStore inner) : IApprovalStore
    {
        public ValueTask<ApprovalRequest?> GetOrAddAsync(ApprovalRequest request, CancellationToken cancellationToken = default) => inner.GetOrAddAsync(request, cancellationToken);

        public ValueTask<bool> TryUseAsync(string id, CancellationToken cancellationToken = default) => inner.TryUseAsync(id, cancellationToken);

        public ValueTask<ApprovalChange> DecideAsync(string id, ApprovalVerdict verdict, CancellationToken cancellationToken = default) =>
            throw new InvalidOperationException("the approval store is down");

        public ValueTask<ApprovalRequest?> GetAsync(string id, CancellationToken cancellationToken = default) => inner.GetAsync(id, cancellationToken);

        public ValueTask<IReadOnlyList<ApprovalRequest>> GetPendingAsync(CancellationToken cancellationToken = default) => inner.GetPendingAsync(cancellationToken);
    }
}
