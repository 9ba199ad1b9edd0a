using System.Text.Json;
using Microsoft.Extensions.DependencyInjection;
using PolicyLayer.Approvals;
using PolicyLayer.Authorization;
using PolicyLayer.Counters;

namespace PolicyLayer.Tests.Production;

public class ApprovalTests
{
    private static readonly string Wire = ProductionFixture.Policy("""{ "wire": { "action": "require_approval", "reason": "Wires need a person." } }""");

    [Fact]
    public async Task Authorize_RequireApprovalWithUnreadableArguments_RefusedNotThrownAndNothingStored()
    {
        var fixture = new ProductionFixture(Wire, approvals: true);
        var disposed = JsonDocument.Parse("""{"amount": 10}""");
        var element = disposed.RootElement;
        disposed.Dispose();

        var calls = new ToolCall[]
        {
            new("wire", new JsonProperties(new Dictionary<string, JsonElement> { ["amount"] = default }), "grant-1"),
            new("wire", element, "grant-1"),
            new("wire", new JsonProperties(new Dictionary<string, JsonElement> { ["amount"] = element }), "grant-1"),
        };

        foreach (var call in calls)
        {
            var decision = await fixture.Authorizer.AuthorizeAsync(call);
            Assert.Equal(DecisionOutcome.Deny, decision.Outcome);
            Assert.StartsWith("The arguments cannot be read", decision.Message, StringComparison.Ordinal);
        }

        Assert.Empty(await fixture.ApprovalService!.GetPendingAsync());
    }

    [Fact]
    public async Task Authorize_RequireApproval_PendingWithIdAndRequestStored()
    {
        var fixture = new ProductionFixture(Wire, approvals: true);

        var decision = fixture.Call("wire", """{"amount": 10, "to": "acct_1"}""", "grant-1");

        Assert.Equal(DecisionOutcome.RequireApproval, decision.Outcome);
        Assert.StartsWith("apr_", decision.ApprovalId, StringComparison.Ordinal);
        Assert.Contains("Wires need a person.", decision.Message, StringComparison.Ordinal);
        Assert.Contains(decision.ApprovalId!, decision.Message, StringComparison.Ordinal);
        var pending = Assert.Single(await fixture.ApprovalService!.GetPendingAsync());
        Assert.Equal(decision.ApprovalId, pending.Id);
        Assert.Equal("wire", pending.Tool);
        Assert.Equal("grant-1", pending.Grant);
        Assert.Equal("""{"amount":10,"to":"acct_1"}""", pending.Arguments);
        Assert.Equal("Wires need a person.", pending.Reason);
        Assert.Equal(fixture.Time.GetUtcNow() + TimeSpan.FromMinutes(10), pending.ExpiresAt);
        Assert.Equal(decision.ApprovalId, fixture.Sink.Last.ApprovalId);
    }

    [Fact]
    public async Task Authorize_RetryWhilePending_SameIdNoDuplicate()
    {
        var fixture = new ProductionFixture(Wire, approvals: true);

        var first = fixture.Call("wire", """{"amount": 10, "to": "acct_1"}""");
        var second = fixture.Call("wire", """{ "to": "acct_1", "amount": 10.0 }""");
        var otherArgs = fixture.Call("wire", """{"amount": 11, "to": "acct_1"}""");
        var otherGrant = fixture.Call("wire", """{"amount": 10, "to": "acct_1"}""", "grant-2");

        Assert.Equal(first.ApprovalId, second.ApprovalId);
        Assert.NotEqual(first.ApprovalId, otherArgs.ApprovalId);
        Assert.NotEqual(first.ApprovalId, otherGrant.ApprovalId);
        Assert.Equal(3, (await fixture.ApprovalService!.GetPendingAsync()).Count);
    }

    [Fact]
    public async Task Approve_ThenSameCall_AllowedExactlyOnceThenAsksAgain()
    {
        var fixture = new ProductionFixture(Wire, approvals: true);
        var id = fixture.Call("wire", """{"amount": 10}""").ApprovalId!;

        var change = await fixture.ApprovalService!.ApproveAsync(id, "alice");
        var allowed = fixture.Call("wire", """{"amount": 10}""");
        var again = fixture.Call("wire", """{"amount": 10}""");

        Assert.True(change.Succeeded);
        Assert.Equal("alice", change.Request!.DecidedBy);
        Assert.True(allowed.IsAllowed);
        Assert.Equal(id, allowed.ApprovalId);
        Assert.Equal(DecisionOutcome.RequireApproval, again.Outcome);
        Assert.NotEqual(id, again.ApprovalId);
        Assert.Equal(ApprovalState.Used, (await fixture.ApprovalService.GetAsync(id))!.State);
    }

    [Fact]
    public async Task Approve_DifferentArgumentsOrGrant_NotAllowed()
    {
        var fixture = new ProductionFixture(Wire, approvals: true);
        var id = fixture.Call("wire", """{"amount": 10}""").ApprovalId!;
        await fixture.ApprovalService!.ApproveAsync(id, "alice");

        Assert.Equal(DecisionOutcome.RequireApproval, fixture.Call("wire", """{"amount": 1000}""").Outcome);
        Assert.Equal(DecisionOutcome.RequireApproval, fixture.Call("wire", """{"amount": 10}""", "grant-2").Outcome);
        Assert.True(fixture.Call("wire", """{"amount": 10}""").IsAllowed);
    }

    [Fact]
    public async Task Approve_CallWithoutAGrant_NotSharedWithAGrantNamedAnonymous()
    {
        var fixture = new ProductionFixture(Wire, approvals: true);

        var id = fixture.Call("wire", """{"amount": 10}""", grant: null).ApprovalId!;
        await fixture.ApprovalService!.ApproveAsync(id, "alice");

        Assert.Equal(DecisionOutcome.RequireApproval, fixture.Call("wire", """{"amount": 10}""", "anonymous").Outcome);
        Assert.True(fixture.Call("wire", """{"amount": 10}""", grant: null).IsAllowed);
    }

    [Fact]
    public async Task Approve_ConcurrentRetries_ExactlyOneAllow()
    {
        for (var round = 0; round < 20; round++)
        {
            var fixture = new ProductionFixture(Wire, approvals: true);
            var id = fixture.Call("wire", """{"amount": 10}""").ApprovalId!;
            await fixture.ApprovalService!.ApproveAsync(id, "alice");
            using var start = new Barrier(16);

            var decisions = await Task.WhenAll(Enumerable.Range(0, 16).Select(_ => Task.Run(() =>
            {
                start.SignalAndWait();
                return fixture.Call("wire", """{"amount": 10}""");
            })));

            Assert.Single(decisions, d => d.IsAllowed);
            Assert.All(decisions.Where(d => !d.IsAllowed), d => Assert.Equal(DecisionOutcome.RequireApproval, d.Outcome));

            // The losers asked again: one new pending request between them, not one each.
            Assert.Single(await fixture.ApprovalService.GetPendingAsync());
        }
    }

    // An approved call to "wire" whose budget (one call per window, shared with "other") "other" has just spent.
    private static async Task<(ProductionFixture Fixture, string Id)> ApprovedWithItsBudgetSpentAsync(string window)
    {
        var policy = ProductionFixture.Policy($$"""{ "wire": { "action": "require_approval", "limits": [ { "counter": "w", "window": "{{window}}", "max": 1 } ] }, "other": { "limits": [ { "counter": "w", "window": "{{window}}", "max": 1 } ] } }""");
        var fixture = new ProductionFixture(policy, approvals: true);
        var id = fixture.Call("wire").ApprovalId!;
        await fixture.ApprovalService!.ApproveAsync(id, "alice");
        var other = fixture.Call("other");
        Assert.True(other.IsAllowed, other.Message);
        return (fixture, id);
    }

    [Fact]
    public async Task Approve_LimitRefuses_ApprovalKeptForLaterRetry()
    {
        var (fixture, id) = await ApprovedWithItsBudgetSpentAsync("minute");

        var refused = fixture.Call("wire");
        fixture.Time.Advance(TimeSpan.FromMinutes(2));
        var allowed = fixture.Call("wire");

        Assert.False(refused.IsAllowed);
        Assert.Equal("/tools/wire/limits/0", refused.Rule);
        Assert.Equal(id, refused.ApprovalId);
        Assert.Equal(id, fixture.Sink.Records[^2].ApprovalId);
        Assert.EndsWith($"Approval request {id} stays approved until 2026-01-01T12:30:00Z; make the same call again before then.", refused.Message, StringComparison.Ordinal);
        Assert.True(allowed.IsAllowed);
        Assert.Equal(id, allowed.ApprovalId);
        Assert.True(allowed.HasReservation);
    }

    [Fact]
    public async Task Approve_LimitRetryAfterTheApprovalLapses_RefusalSaysTheApprovalLapsesFirst()
    {
        var (fixture, id) = await ApprovedWithItsBudgetSpentAsync("hour");

        var refused = fixture.Call("wire");

        Assert.Equal(DecisionOutcome.Deny, refused.Outcome);
        Assert.Equal(id, refused.ApprovalId);
        Assert.True(refused.RetryAfter > TimeSpan.FromMinutes(30), refused.Message);
        Assert.EndsWith($" s. Approval request {id} expires at 2026-01-01T12:30:00Z, before the limit admits the call; a call after that asks for approval again.", refused.Message, StringComparison.Ordinal);
        Assert.Equal(ApprovalState.Approved, (await fixture.ApprovalService!.GetAsync(id))!.State);
    }

    [Fact]
    public async Task Approved_StoreFailsWhileUsing_RefusedAndBudgetGivenBack()
    {
        var policy = ProductionFixture.Policy("""{ "wire": { "action": "require_approval", "limits": [ { "counter": "w", "window": "minute", "max": 1 } ] } }""");
        var fixture = new ProductionFixture(policy, approvals: true);
        var store = new FailingUseStore(fixture.Approvals!, new InvalidOperationException("connection lost"));
        var authorizer = new PolicyAuthorizer(PolicyLayer.Policies.Policy.Parse(policy), fixture.Store, new PolicyAuthorizerOptions { TimeProvider = fixture.Time, ApprovalStore = store });
        var id = ProductionFixture.Sync(authorizer, new ToolCall("wire")).ApprovalId!;
        await fixture.ApprovalService!.ApproveAsync(id, "alice");

        var refused = ProductionFixture.Sync(authorizer, new ToolCall("wire"));
        var allowed = ProductionFixture.Sync(authorizer, new ToolCall("wire"));

        Assert.Equal(DecisionOutcome.Deny, refused.Outcome);
        Assert.Contains("approval store is unavailable", refused.Message, StringComparison.Ordinal);
        Assert.True(allowed.IsAllowed, allowed.Message);
        Assert.Equal(id, allowed.ApprovalId);
    }

    [Fact]
    public async Task Approved_OtherRetriesUseItFirstEveryTime_RefusedAfterThreeTriesAndEveryBudgetGivenBack()
    {
        var policy = ProductionFixture.Policy("""{ "wire": { "action": "require_approval", "limits": [ { "counter": "w", "window": "minute", "max": 1 } ] } }""");
        var fixture = new ProductionFixture(policy, approvals: true);
        var store = new RaceLosingStore(fixture.Approvals!);
        var authorizer = new PolicyAuthorizer(PolicyLayer.Policies.Policy.Parse(policy), fixture.Store, new PolicyAuthorizerOptions { TimeProvider = fixture.Time, ApprovalStore = store });
        var id = ProductionFixture.Sync(authorizer, new ToolCall("wire")).ApprovalId!;
        await fixture.ApprovalService!.ApproveAsync(id, "alice");

        var refused = ProductionFixture.Sync(authorizer, new ToolCall("wire"));
        store.Loses = false;
        var allowed = ProductionFixture.Sync(authorizer, new ToolCall("wire"));

        Assert.Equal(DecisionOutcome.Deny, refused.Outcome);
        Assert.Equal("Calling 'wire' needs a person's approval, and other identical calls used the approvals given so far; call again to ask for approval again.", refused.Message);
        Assert.Equal(3, store.LostRaces);
        Assert.True(allowed.IsAllowed, allowed.Message); // the limit (one call a minute) was given back after each lost race
        Assert.Equal(id, allowed.ApprovalId);
    }

    [Fact]
    public async Task Approved_CancelledWhileUsing_ThrowsCancellationAndBudgetGivenBack()
    {
        var policy = ProductionFixture.Policy("""{ "wire": { "action": "require_approval", "limits": [ { "counter": "w", "window": "minute", "max": 1 } ] } }""");
        var fixture = new ProductionFixture(policy, approvals: true);
        var store = new FailingUseStore(fixture.Approvals!, new OperationCanceledException());
        var authorizer = new PolicyAuthorizer(PolicyLayer.Policies.Policy.Parse(policy), fixture.Store, new PolicyAuthorizerOptions { TimeProvider = fixture.Time, ApprovalStore = store });
        var id = ProductionFixture.Sync(authorizer, new ToolCall("wire")).ApprovalId!;
        await fixture.ApprovalService!.ApproveAsync(id, "alice");

        await Assert.ThrowsAnyAsync<OperationCanceledException>(async () => await authorizer.AuthorizeAsync(new ToolCall("wire")));
        var allowed = ProductionFixture.Sync(authorizer, new ToolCall("wire"));

        Assert.True(allowed.IsAllowed, allowed.Message);
        Assert.Equal(id, allowed.ApprovalId);
    }

    [Fact]
    public async Task Deny_ThenSameCall_RefusedWithApproversReason()
    {
        var fixture = new ProductionFixture(Wire, approvals: true);
        var id = fixture.Call("wire", """{"amount": 10}""").ApprovalId!;

        var change = await fixture.ApprovalService!.DenyAsync(id, "bob", "Not to that account.");
        var refused = fixture.Call("wire", """{"amount": 10}""");
        var stillRefused = fixture.Call("wire", """{"amount": 10}""");

        Assert.True(change.Succeeded);
        Assert.Equal(DecisionOutcome.Deny, refused.Outcome);
        Assert.Contains("denied by bob: Not to that account.", refused.Message, StringComparison.Ordinal);
        Assert.Equal(id, refused.ApprovalId);
        Assert.Equal(refused.Message, stillRefused.Message);
        Assert.False((await fixture.ApprovalService.ApproveAsync(id, "carol")).Succeeded);
    }

    [Fact]
    public async Task Deny_ThenDenialLapses_StillRefusedAsDeniedOnceThenAsksAgain()
    {
        var fixture = new ProductionFixture(Wire, approvals: true);
        var id = fixture.Call("wire", """{"amount": 10}""").ApprovalId!;
        await fixture.ApprovalService!.DenyAsync(id, "carol", "not today");

        fixture.Time.Advance(TimeSpan.FromMinutes(30));
        var lapsed = fixture.Call("wire", """{"amount": 10}""");
        var askedAgain = fixture.Call("wire", """{"amount": 10}""");

        Assert.Equal(DecisionOutcome.Deny, lapsed.Outcome);
        Assert.Equal($"Approval request {id} to call 'wire' was denied by carol: not today. Do not make this call again.", lapsed.Message);
        Assert.DoesNotContain("call again to ask", lapsed.Message, StringComparison.Ordinal);
        Assert.Equal(id, lapsed.ApprovalId);
        Assert.Equal(DecisionOutcome.RequireApproval, askedAgain.Outcome);
        Assert.NotEqual(id, askedAgain.ApprovalId);
    }

    [Fact]
    public async Task Pending_Expires_RefusedWithAskAgainThenNewRequest()
    {
        var fixture = new ProductionFixture(Wire, approvals: true);
        var id = fixture.Call("wire").ApprovalId!;

        fixture.Time.Advance(TimeSpan.FromMinutes(10));
        var expired = fixture.Call("wire");
        var askedAgain = fixture.Call("wire");

        Assert.Equal(DecisionOutcome.Deny, expired.Outcome);
        Assert.Contains("expired", expired.Message, StringComparison.Ordinal);
        Assert.Contains("call again to ask for approval again", expired.Message, StringComparison.Ordinal);
        Assert.Equal(DecisionOutcome.RequireApproval, askedAgain.Outcome);
        Assert.NotEqual(id, askedAgain.ApprovalId);
        Assert.Equal(ApprovalChangeStatus.Expired, (await fixture.ApprovalService!.ApproveAsync(id, "alice")).Status);
    }

    [Fact]
    public async Task Approved_NotUsedInTime_Expires()
    {
        var fixture = new ProductionFixture(Wire, approvals: true);
        var id = fixture.Call("wire").ApprovalId!;
        fixture.Time.Advance(TimeSpan.FromMinutes(9));
        await fixture.ApprovalService!.ApproveAsync(id, "alice");

        fixture.Time.Advance(TimeSpan.FromMinutes(29));
        Assert.Equal(ApprovalState.Approved, (await fixture.ApprovalService.GetAsync(id))!.State);
        fixture.Time.Advance(TimeSpan.FromMinutes(1));
        var late = fixture.Call("wire");

        Assert.Equal(DecisionOutcome.Deny, late.Outcome);
        Assert.Contains("expired", late.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task ApproveAsync_UnknownId_NotFound()
    {
        var fixture = new ProductionFixture(Wire, approvals: true);

        Assert.Equal(ApprovalChangeStatus.NotFound, (await fixture.ApprovalService!.ApproveAsync("apr_nope", "alice")).Status);
    }

    [Fact]
    public async Task Authorize_RequireApprovalWithArgumentsOverTheBound_RefusedAndNotStored()
    {
        var store = new InMemoryApprovalStore();
        var authorizer = new PolicyAuthorizer(
            PolicyLayer.Policies.Policy.Parse(Wire),
            new InMemoryCounterStore(),
            new PolicyAuthorizerOptions { ApprovalStore = store, MaxArgumentBytes = 64 });
        var big = JsonDocument.Parse("{\"memo\": \"" + new string('x', 100) + "\"}").RootElement;

        var decision = ProductionFixture.Sync(authorizer, new ToolCall("wire", big));

        Assert.Equal(DecisionOutcome.Deny, decision.Outcome);
        Assert.Contains("bytes allowed", decision.Message, StringComparison.Ordinal);
        Assert.Empty(await store.GetPendingAsync());
    }

    [Fact]
    public async Task Authorize_RequireApprovalWithArgumentsNestedBeyondTheBound_RefusedAndNotStored()
    {
        var fixture = new ProductionFixture(Wire, approvals: true);
        var ls = Nested(70, "\"ls\"");
        var rm = Nested(70, "\"rm -rf /\"");

        var first = ProductionFixture.Sync(fixture.Authorizer, new ToolCall("wire", ls, "grant-1"));
        var second = ProductionFixture.Sync(fixture.Authorizer, new ToolCall("wire", rm, "grant-1"));

        Assert.Equal(DecisionOutcome.Deny, first.Outcome);
        Assert.Equal(RuleIds.Error, first.Rule);
        Assert.Equal("Calling 'wire' needs a person's approval, but its arguments are nested more than 64 levels deep, too deep to show the person deciding exactly; send arguments nested at most 64 levels deep.", first.Message);
        Assert.Null(first.ApprovalId);
        Assert.Equal(DecisionOutcome.Deny, second.Outcome);
        Assert.Empty(await fixture.ApprovalService!.GetPendingAsync());
    }

    [Fact]
    public async Task Authorize_RequireApprovalWithArgumentsAtTheDepthBound_ApprovedForThatCallOnly()
    {
        var fixture = new ProductionFixture(Wire, approvals: true);
        var ls = Nested(60, "\"ls\"");
        var rm = Nested(60, "\"rm -rf /\"");
        var id = ProductionFixture.Sync(fixture.Authorizer, new ToolCall("wire", ls, "grant-1")).ApprovalId!;
        await fixture.ApprovalService!.ApproveAsync(id, "alice");

        var other = ProductionFixture.Sync(fixture.Authorizer, new ToolCall("wire", rm, "grant-1"));
        var same = ProductionFixture.Sync(fixture.Authorizer, new ToolCall("wire", ls, "grant-1"));

        Assert.Equal(DecisionOutcome.RequireApproval, other.Outcome);
        Assert.NotEqual(id, other.ApprovalId);
        Assert.Contains("rm -rf /", (await fixture.ApprovalService.GetAsync(other.ApprovalId!))!.Arguments, StringComparison.Ordinal);
        Assert.True(same.IsAllowed, same.Message);
        Assert.Equal(id, same.ApprovalId);
    }

    [Fact]
    public async Task Authorize_RequireApprovalWithArgumentsOverTheStoresBound_RefusedSayingSoAndNotStored()
    {
        var fixture = new ProductionFixture(Wire, approvals: true);
        var memo = new string('\u00e9', 500_000);

        var decisions = Enumerable.Range(0, 20)
            .Select(i => ProductionFixture.Sync(fixture.Authorizer, new ToolCall("wire", JsonDocument.Parse($$"""{"memo":"{{memo}}","n":{{i}}}""").RootElement, "grant-1")))
            .ToArray();

        Assert.All(decisions, d => Assert.Equal(DecisionOutcome.Deny, d.Outcome));
        Assert.All(decisions, d => Assert.Null(d.ApprovalId));
        Assert.Contains("more than the 65,536 the in-memory approval store keeps per request (InMemoryApprovalStoreOptions.MaxRequestBytes)", decisions[0].Message, StringComparison.Ordinal);
        Assert.StartsWith("Refused: the approval store cannot keep this request", decisions[0].Message, StringComparison.Ordinal);
        Assert.Empty(await fixture.ApprovalService!.GetPendingAsync());
    }

    [Fact]
    public async Task InMemoryStore_TotalBytesReached_RefusesNewRequestsUntilLapsedOnesAreRemoved()
    {
        var time = new Microsoft.Extensions.Time.Testing.FakeTimeProvider(new DateTimeOffset(2026, 1, 1, 12, 0, 0, TimeSpan.Zero));
        var store = new InMemoryApprovalStore(time, new InMemoryApprovalStoreOptions { MaxRequestBytes = 4096, MaxTotalBytes = 10_000, Retention = TimeSpan.Zero });
        ApprovalRequest Request(int n) => new("apr_" + n, "key-" + n, "wire", "grant-1", $$"""{"memo":"{{new string('x', 3000)}}"}""", "Wires need a person.", time.GetUtcNow(), time.GetUtcNow() + TimeSpan.FromMinutes(10));

        var first = await store.GetOrAddAsync(Request(1));
        var second = await store.GetOrAddAsync(Request(2));
        var third = await store.GetOrAddAsync(Request(3));
        var fourth = await store.GetOrAddAsync(Request(4));
        time.Advance(TimeSpan.FromMinutes(10));
        var afterLapse = await store.GetOrAddAsync(Request(5));

        Assert.NotNull(first);
        Assert.NotNull(second);
        Assert.NotNull(third);
        Assert.Null(fourth);
        Assert.Equal("apr_5", afterLapse?.Id);
        Assert.Null(await store.GetAsync("apr_1"));
    }

    [Fact]
    public async Task Authorize_ApprovalStoreFull_RefusedSayingSoWhileTheWaitingRequestStays()
    {
        var time = new Microsoft.Extensions.Time.Testing.FakeTimeProvider(new DateTimeOffset(2026, 1, 1, 12, 0, 0, TimeSpan.Zero));
        var approvals = new InMemoryApprovalStore(time, new InMemoryApprovalStoreOptions { MaxRequests = 1 });
        var authorizer = new PolicyAuthorizer(PolicyLayer.Policies.Policy.Parse(Wire), new InMemoryCounterStore(time), new PolicyAuthorizerOptions { TimeProvider = time, ApprovalStore = approvals });
        ToolCall WireOf(int amount) => new("wire", JsonDocument.Parse($$"""{"amount": {{amount}}}""").RootElement, "grant-1");

        var waiting = await authorizer.AuthorizeAsync(WireOf(10));
        var another = await authorizer.AuthorizeAsync(WireOf(20));
        var sameAgain = await authorizer.AuthorizeAsync(WireOf(10));

        Assert.Equal(DecisionOutcome.RequireApproval, waiting.Outcome);
        Assert.Equal(DecisionOutcome.Deny, another.Outcome);
        Assert.Equal("/tools/wire", another.Rule);
        Assert.Equal("Calling 'wire' needs a person's approval, but too many approval requests are waiting; try again later.", another.Message);
        Assert.Null(another.ApprovalId);
        Assert.Equal((DecisionOutcome.RequireApproval, waiting.ApprovalId), (sameAgain.Outcome, sameAgain.ApprovalId));
    }

    [Fact]
    public void InMemoryStoreOptions_BoundsOutOfRange_Rejected()
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => new InMemoryApprovalStore(null, new InMemoryApprovalStoreOptions { MaxRequestBytes = 10 }));
        Assert.Throws<ArgumentOutOfRangeException>(() => new InMemoryApprovalStore(null, new InMemoryApprovalStoreOptions { MaxRequestBytes = 4096, MaxTotalBytes = 4095 }));
    }

    [Fact]
    public async Task AddApprovals_RegistersServiceSharingTheAuthorizersStore()
    {
        var services = new ServiceCollection();
        services.AddPolicyLayer(o =>
        {
            o.PolicyJson = Wire;
            o.ReloadOnChange = false;
        }).AddApprovals(o => o.Timeout = TimeSpan.FromMinutes(5));
        await using var provider = services.BuildServiceProvider();
        var authorizer = provider.GetRequiredService<IToolCallAuthorizer>();
        var approvals = provider.GetRequiredService<IApprovalService>();

        var pending = await authorizer.AuthorizeAsync(new ToolCall("wire"));
        await approvals.ApproveAsync(pending.ApprovalId!, "alice");
        var allowed = await authorizer.AuthorizeAsync(new ToolCall("wire"));

        Assert.True(allowed.IsAllowed);
    }

    /// <summary>An approval store whose first <see cref="IApprovalStore.TryUseAsync"/> throws, then heals.</summary>
    internal sealed class FailingUseStore(IApprovalStore inner, Exception failure) : IApprovalStore
    {
        private int _failures = 1;

        public ValueTask<ApprovalRequest?> GetOrAddAsync(ApprovalRequest request, CancellationToken cancellationToken = default) => inner.GetOrAddAsync(request, cancellationToken);

        public ValueTask<bool> TryUseAsync(string id, CancellationToken cancellationToken = default) =>
            Interlocked.Exchange(ref _failures, 0) == 1 ? throw failure : inner.TryUseAsync(id, cancellationToken);

        public ValueTask<ApprovalChange> DecideAsync(string id, ApprovalVerdict verdict, CancellationToken cancellationToken = default) => inner.DecideAsync(id, verdict, cancellationToken);

        public ValueTask<ApprovalRequest?> GetAsync(string id, CancellationToken cancellationToken = default) => inner.GetAsync(id, cancellationToken);

        public ValueTask<IReadOnlyList<ApprovalRequest>> GetPendingAsync(CancellationToken cancellationToken = default) => inner.GetPendingAsync(cancellationToken);
    }

    /// <summary>An approval store where another retry of the same call always uses the approval first, until told otherwise.</summary>
    private sealed class RaceLosingStore(IApprovalStore inner) : IApprovalStore
    {
        public bool Loses { get; set; } = true;

        public int LostRaces { get; private set; }

        public ValueTask<ApprovalRequest?> GetOrAddAsync(ApprovalRequest request, CancellationToken cancellationToken = default) => inner.GetOrAddAsync(request, cancellationToken);

        public ValueTask<bool> TryUseAsync(string id, CancellationToken cancellationToken = default)
        {
            if (!Loses)
            {
                return inner.TryUseAsync(id, cancellationToken);
            }

            LostRaces++;
            return new(false);
        }

        public ValueTask<ApprovalChange> DecideAsync(string id, ApprovalVerdict verdict, CancellationToken cancellationToken = default) => inner.DecideAsync(id, verdict, cancellationToken);

        public ValueTask<ApprovalRequest?> GetAsync(string id, CancellationToken cancellationToken = default) => inner.GetAsync(id, cancellationToken);

        public ValueTask<IReadOnlyList<ApprovalRequest>> GetPendingAsync(CancellationToken cancellationToken = default) => inner.GetPendingAsync(cancellationToken);
    }

    /// <summary><c>{"cmd": [[…[value]…]]}</c> with <paramref name="depth"/> arrays, parsed without the default depth bound.</summary>
    private static JsonElement Nested(int depth, string value) =>
        JsonDocument.Parse("{\"cmd\":" + new string('[', depth) + value + new string(']', depth) + "}", new JsonDocumentOptions { MaxDepth = 1000 }).RootElement;
}
