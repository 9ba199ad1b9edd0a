using System.Text.Json;
using Microsoft.Extensions.Time.Testing;
using PolicyLayer.Approvals;
using PolicyLayer.Authorization;
using PolicyLayer.Policies;
using PolicyLayer.Redis.Approvals;
using PolicyLayer.Redis.Tests.Infrastructure;

namespace PolicyLayer.Redis.Tests;

/// <summary>
/// The approval workflow end to end on the Redis stores: whole authorizers, as two replicas of one MCP server behind a
/// load balancer would run, sharing budgets and approval requests through one Redis.
/// </summary>
public sealed class RedisApprovalAuthorizerTests
{
    private const string PolicyText = """
        { "version": "1", "default": "deny", "tools": {
            "wire": { "action": "require_approval", "reason": "Wires need a person.",
                      "limits": [ { "counter": "wires", "window": "hour", "max": 100, "scope": "grant" } ] } } }
        """;

    private static readonly TimeSpan ApprovalTimeout = TimeSpan.FromMinutes(10);
    private static readonly TimeSpan ValidFor = TimeSpan.FromMinutes(30);

    private readonly string _prefix = RedisTestServer.UniquePrefix();
    private readonly FakeTimeProvider _time = new(new DateTimeOffset(2026, 3, 14, 15, 9, 26, 535, TimeSpan.Zero));

    [RedisFact]
    public async Task Authorize_ApprovedThroughOperatorApi_RetryAllowedOnceThenAsksAgain()
    {
        Replica replica = CreateReplica();

        AuthorizationDecision pending = await replica.CallAsync();
        ApprovalChange change = await replica.Operator.ApproveAsync(pending.ApprovalId!, "alice");
        AuthorizationDecision allowed = await replica.CallAsync();
        AuthorizationDecision again = await replica.CallAsync();

        Assert.Equal(DecisionOutcome.RequireApproval, pending.Outcome);
        Assert.StartsWith("apr_", pending.ApprovalId, StringComparison.Ordinal);
        Assert.Contains("Wires need a person.", pending.Message, StringComparison.Ordinal);
        Assert.True(change.Succeeded);
        Assert.True(allowed.IsAllowed, allowed.Message);
        Assert.Equal(pending.ApprovalId, allowed.ApprovalId);
        Assert.True(allowed.HasReservation);
        Assert.Equal(DecisionOutcome.RequireApproval, again.Outcome);
        Assert.NotEqual(pending.ApprovalId, again.ApprovalId);
        Assert.Equal(ApprovalState.Used, (await replica.Operator.GetAsync(pending.ApprovalId!))!.State);
        Assert.Equal(again.ApprovalId, Assert.Single(await replica.Operator.GetPendingAsync()).Id);
    }

    [RedisFact]
    public async Task Authorize_ApprovedOnOneReplica_ConcurrentRetriesOnBoth_ExactlyOneAllowed()
    {
        Replica first = CreateReplica();
        Replica second = CreateReplica();
        for (int round = 0; round < 5; round++)
        {
            string amount = $$"""{"amount": {{round}}}""";
            string id = (await first.CallAsync(amount)).ApprovalId!;
            Assert.Equal(id, (await second.CallAsync(amount)).ApprovalId);
            Assert.True((await second.Operator.ApproveAsync(id, "alice")).Succeeded);
            var gate = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);

            Task<AuthorizationDecision>[] retries = Enumerable.Range(0, 32).Select(i => Task.Run(async () =>
            {
                await gate.Task;
                return await (i % 2 == 0 ? first : second).CallAsync(amount);
            })).ToArray();
            gate.SetResult();
            AuthorizationDecision[] decisions = await Task.WhenAll(retries);

            AuthorizationDecision allowed = Assert.Single(decisions, d => d.IsAllowed);
            Assert.Equal(id, allowed.ApprovalId);
            Assert.All(decisions.Where(d => !d.IsAllowed), d => Assert.Equal(DecisionOutcome.RequireApproval, d.Outcome));

            // The losers asked again: one new pending request between them, on either replica.
            string asked = Assert.Single(decisions.Where(d => !d.IsAllowed).Select(d => d.ApprovalId).Distinct())!;
            Assert.NotEqual(id, asked);
            Assert.Equal(ApprovalState.Pending, (await first.Operator.GetAsync(asked))!.State);
        }
    }

    [RedisFact]
    public async Task Authorize_Denied_RefusedWithApproversReasonOnEveryReplica()
    {
        Replica first = CreateReplica();
        Replica second = CreateReplica();
        string id = (await first.CallAsync()).ApprovalId!;

        await second.Operator.DenyAsync(id, "bob", "Not to that account.");
        AuthorizationDecision refused = await first.CallAsync();
        AuthorizationDecision refusedElsewhere = await second.CallAsync();

        Assert.Equal(DecisionOutcome.Deny, refused.Outcome);
        Assert.Equal(id, refused.ApprovalId);
        Assert.Contains($"Approval request {id} to call 'wire' was denied by bob: Not to that account.", refused.Message, StringComparison.Ordinal);
        Assert.Equal(refused.Message, refusedElsewhere.Message);
        Assert.Equal(ApprovalChangeStatus.NotPending, (await first.Operator.ApproveAsync(id, "carol")).Status);
    }

    [RedisFact]
    public async Task Authorize_PendingExpired_RefusedSayingSoThenAsksAgain()
    {
        Replica replica = CreateReplica();
        string id = (await replica.CallAsync()).ApprovalId!;

        _time.Advance(ApprovalTimeout);
        AuthorizationDecision expired = await replica.CallAsync();
        AuthorizationDecision askedAgain = await replica.CallAsync();

        Assert.Equal(DecisionOutcome.Deny, expired.Outcome);
        Assert.Contains($"Approval request {id} to call 'wire' expired at 2026-03-14T15:19:26Z before it was used; call again to ask for approval again.", expired.Message, StringComparison.Ordinal);
        Assert.Equal(DecisionOutcome.RequireApproval, askedAgain.Outcome);
        Assert.NotEqual(id, askedAgain.ApprovalId);
        Assert.Equal(ApprovalChangeStatus.Expired, (await replica.Operator.ApproveAsync(id, "alice")).Status);
    }

    [RedisFact]
    public async Task Authorize_ApprovalNotUsedInTime_RefusedAsExpired()
    {
        Replica replica = CreateReplica();
        string id = (await replica.CallAsync()).ApprovalId!;
        await replica.Operator.ApproveAsync(id, "alice");

        _time.Advance(ValidFor);
        AuthorizationDecision late = await replica.CallAsync();

        Assert.Equal(DecisionOutcome.Deny, late.Outcome);
        Assert.Contains("expired", late.Message, StringComparison.Ordinal);
        Assert.Equal(id, late.ApprovalId);
    }

    [RedisFact]
    public async Task Authorize_ArgumentsOverTheStoresBound_RefusedSayingWhyAndNothingStored()
    {
        Replica replica = CreateReplica(options => options.MaxRequestBytes = 1024);
        string memo = JsonSerializer.Serialize(new string('x', 2000));

        AuthorizationDecision refused = await replica.CallAsync($$"""{"memo": {{memo}}}""");

        Assert.Equal(DecisionOutcome.Deny, refused.Outcome);
        Assert.StartsWith("Refused: the approval store cannot keep this request (", refused.Message, StringComparison.Ordinal);
        Assert.Contains("more than the 1,024 the Redis approval store keeps per request (RedisApprovalStoreOptions.MaxRequestBytes)", refused.Message, StringComparison.Ordinal);
        Assert.Empty(await replica.Operator.GetPendingAsync());
        Assert.Empty(RedisTestServer.KeysUnder(_prefix + "{approvals}"));
    }

    [RedisFact]
    public async Task Authorize_StoredRequestCorrupted_RefusedNotThrownAndOperatorToldWhatIsWrong()
    {
        // Something else wrote to the approval keys (another application on the same prefix, a hand edit).
        Replica replica = CreateReplica();
        string id = (await replica.CallAsync()).ApprovalId!;
        await RedisTestServer.Shared.GetDatabase().HashSetAsync(_prefix + "{approvals}:requests", id, "not json");

        AuthorizationDecision retried = await replica.CallAsync();

        Assert.Equal(DecisionOutcome.Deny, retried.Outcome);
        Assert.StartsWith("Refused because the approval store is unavailable (Redis answered with an error:", retried.Message, StringComparison.Ordinal);
        Assert.Contains("approvals fail closed", retried.Message, StringComparison.Ordinal);
        var read = await Assert.ThrowsAsync<FormatException>(() => replica.Operator.GetAsync(id).AsTask());
        Assert.StartsWith("The approval store holds a request that is not valid JSON", read.Message, StringComparison.Ordinal);
    }

    private Replica CreateReplica(Action<RedisApprovalStoreOptions>? configure = null)
    {
        RedisCounterStore counters = RedisTestServer.CreateStore(options => options.KeyPrefix = _prefix);
        RedisApprovalStore approvals = RedisTestServer.CreateApprovalStore(_prefix, _time, configure);
        var authorizer = new PolicyAuthorizer(Policy.Parse(PolicyText), counters, new PolicyAuthorizerOptions
        {
            TimeProvider = _time,
            ApprovalStore = approvals,
            ApprovalTimeout = ApprovalTimeout,
        });
        return new Replica(authorizer, new ApprovalService(approvals, ValidFor));
    }

    private sealed record Replica(PolicyAuthorizer Authorizer, ApprovalService Operator)
    {
        public async Task<AuthorizationDecision> CallAsync(string arguments = """{"amount": 10, "to": "acct_1"}""") =>
            await Authorizer.AuthorizeAsync(new ToolCall("wire", JsonDocument.Parse(arguments).RootElement, "grant-1", "session-1"));
    }
}
