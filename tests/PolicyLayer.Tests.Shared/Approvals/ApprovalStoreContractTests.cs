using Microsoft.Extensions.Time.Testing;
using PolicyLayer.Approvals;

namespace PolicyLayer.Tests.Approvals;

/// <summary>
/// The behaviour every <see cref="IApprovalStore"/> must have. An implementation's test project derives a class from
/// this one and overrides <see cref="CreateStore"/>; xunit runs every test below against it.
/// </summary>
/// <remarks>
/// <para><b>Time.</b> Expiry is decided by the store's injected clock: <see cref="CreateStore"/> must give the store
/// <see cref="Time"/>, which the tests move forward. They never sleep, and a remote store's server clock plays no
/// part.</para>
/// <para><b>Retention.</b> The store keeps a request for <see cref="Retention"/> after it expires (for
/// <see cref="IApprovalStore.GetAsync"/>); beyond that it may remove it, and must before refusing a new request
/// because it is full.</para>
/// <para>xunit creates one instance of the derived class per test, so each test has a clock and a store of its own;
/// stores of different tests may share a server (the derived class keeps them apart, with a key prefix say).</para>
/// </remarks>
public abstract class ApprovalStoreContractTests
{
    /// <summary>How long the store keeps a request after it expires; <see cref="CreateStore"/> must configure it.</summary>
    protected static readonly TimeSpan Retention = TimeSpan.FromHours(1);

    private static readonly TimeSpan Timeout = TimeSpan.FromMinutes(10);
    private static readonly TimeSpan ValidFor = TimeSpan.FromMinutes(30);

    /// <summary>The store's clock. Not aligned to any second, as a real clock would not be.</summary>
    protected FakeTimeProvider Time { get; } = new(new DateTimeOffset(2026, 3, 14, 15, 9, 26, 535, TimeSpan.Zero).AddTicks(8979));

    /// <summary>Creates the store under test, with <see cref="Time"/> as its clock and <see cref="Retention"/>.</summary>
    /// <param name="maxRequests">The most requests it holds at once.</param>
    /// <param name="maxRequestBytes">The most bytes one request may take (its <c>MaxRequestBytes</c> option).</param>
    /// <returns>An empty store.</returns>
    protected abstract IApprovalStore CreateStore(int maxRequests = 10_000, int maxRequestBytes = 64 * 1024);

    [Fact]
    public async Task GetOrAdd_NewCall_AddedPendingAndFoundById()
    {
        IApprovalStore store = CreateStore();
        ApprovalRequest candidate = NewRequest("call-1");

        ApprovalRequest? added = await store.GetOrAddAsync(candidate);

        Assert.Equal(candidate, added);
        Assert.Equal(ApprovalState.Pending, added!.State);
        Assert.Equal(candidate, await store.GetAsync(candidate.Id));
        Assert.Equal([candidate], await store.GetPendingAsync());
    }

    [Fact]
    public async Task GetOrAdd_CandidateCarriesDecision_StoredAsPendingWithoutIt()
    {
        IApprovalStore store = CreateStore();
        ApprovalRequest candidate = NewRequest("call-1") with
        {
            State = ApprovalState.Approved,
            DecidedBy = "mallory",
            DecidedAt = Time.GetUtcNow(),
            DenialReason = "no",
        };

        ApprovalRequest? added = await store.GetOrAddAsync(candidate);

        ApprovalRequest expected = candidate with { State = ApprovalState.Pending, DecidedBy = null, DecidedAt = null, DenialReason = null };
        Assert.Equal(expected, added);
        Assert.Equal(expected, await store.GetAsync(candidate.Id));
        Assert.False(await store.TryUseAsync(candidate.Id));
    }

    [Fact]
    public async Task GetOrAdd_SameCallAgain_ReturnsTheLiveRequestNotTheCandidate()
    {
        IApprovalStore store = CreateStore();
        ApprovalRequest first = NewRequest("call-1");
        await store.GetOrAddAsync(first);
        Time.Advance(TimeSpan.FromMinutes(1));

        ApprovalRequest? again = await store.GetOrAddAsync(NewRequest("call-1"));

        Assert.Equal(first, again);
        Assert.Null(await store.GetAsync(NewId()));
        Assert.Single(await store.GetPendingAsync());
    }

    [Fact]
    public async Task GetOrAdd_DifferentCalls_OneRequestEach()
    {
        IApprovalStore store = CreateStore();

        ApprovalRequest? first = await store.GetOrAddAsync(NewRequest("call-1"));
        ApprovalRequest? second = await store.GetOrAddAsync(NewRequest("call-2"));

        Assert.NotEqual(first!.Id, second!.Id);
        Assert.Equal(2, (await store.GetPendingAsync()).Count);
    }

    [Fact]
    public async Task GetOrAdd_ConcurrentSameCall_AllGetOneRequest()
    {
        IApprovalStore store = CreateStore();
        ApprovalRequest?[] answers = await RaceAsync(32, _ => store.GetOrAddAsync(NewRequest("call-1")));

        Assert.Single(answers.Select(a => a!.Id).Distinct());
        Assert.Single(await store.GetPendingAsync());
    }

    [Fact]
    public async Task GetOrAdd_JustBeforeExpiry_StillLive()
    {
        IApprovalStore store = CreateStore();
        ApprovalRequest first = NewRequest("call-1");
        await store.GetOrAddAsync(first);

        Time.Advance(Timeout - TimeSpan.FromTicks(1));

        Assert.Equal(first, await store.GetOrAddAsync(NewRequest("call-1")));
        Assert.Equal(ApprovalState.Pending, (await store.GetAsync(first.Id))!.State);
    }

    [Fact]
    public async Task GetOrAdd_PendingExpired_ReportedExpiredOnceThenAsksAgain()
    {
        IApprovalStore store = CreateStore();
        ApprovalRequest first = NewRequest("call-1");
        await store.GetOrAddAsync(first);
        Time.Advance(Timeout);

        ApprovalRequest? lapsed = await store.GetOrAddAsync(NewRequest("call-1"));
        ApprovalRequest second = NewRequest("call-1");
        ApprovalRequest? askedAgain = await store.GetOrAddAsync(second);

        Assert.Equal(first with { State = ApprovalState.Expired }, lapsed);
        Assert.Equal(second, askedAgain);
        Assert.Equal(ApprovalState.Expired, (await store.GetAsync(first.Id))!.State);
        Assert.Equal([second], await store.GetPendingAsync());
    }

    [Fact]
    public async Task GetOrAdd_Full_RefusesNewCallsButAnswersLiveOnes()
    {
        IApprovalStore store = CreateStore(maxRequests: 2);
        ApprovalRequest first = NewRequest("call-1");
        await store.GetOrAddAsync(first);
        await store.GetOrAddAsync(NewRequest("call-2"));

        Assert.Null(await store.GetOrAddAsync(NewRequest("call-3")));
        Assert.Equal(first, await store.GetOrAddAsync(NewRequest("call-1")));
        Assert.Equal(2, (await store.GetPendingAsync()).Count);
    }

    [Fact]
    public async Task GetOrAdd_FullOfRequestsExpiredWithinRetention_StillRefuses()
    {
        IApprovalStore store = CreateStore(maxRequests: 2);
        ApprovalRequest first = NewRequest("call-1");
        await store.GetOrAddAsync(first);
        await store.GetOrAddAsync(NewRequest("call-2"));

        Time.Advance(Timeout + Retention - TimeSpan.FromSeconds(1));

        Assert.Null(await store.GetOrAddAsync(NewRequest("call-3")));
        Assert.Equal(ApprovalState.Expired, (await store.GetAsync(first.Id))!.State);
    }

    [Fact]
    public async Task GetOrAdd_FullOfRequestsPastRetention_RemovesThemToMakeRoom()
    {
        IApprovalStore store = CreateStore(maxRequests: 2);
        await store.GetOrAddAsync(NewRequest("call-1"));
        await store.GetOrAddAsync(NewRequest("call-2"));

        Time.Advance(Timeout + Retention);
        ApprovalRequest third = NewRequest("call-3");

        Assert.Equal(third, await store.GetOrAddAsync(third));
        Assert.Equal([third], await store.GetPendingAsync());
    }

    [Fact]
    public async Task GetOrAdd_FullOfUsedRequests_RemovesThemOnceTheirApprovalLapsed()
    {
        IApprovalStore store = CreateStore(maxRequests: 1);
        ApprovalRequest used = (await store.GetOrAddAsync(NewRequest("call-1")))!;
        await store.DecideAsync(used.Id, Approve());
        Assert.True(await store.TryUseAsync(used.Id));
        Assert.Null(await store.GetOrAddAsync(NewRequest("call-2")));

        Time.Advance(ValidFor);
        ApprovalRequest next = NewRequest("call-2");

        Assert.Equal(next, await store.GetOrAddAsync(next));
    }

    [Fact]
    public async Task GetOrAdd_ExpiryAtTheEndOfTime_LiveAndUsable()
    {
        IApprovalStore store = CreateStore();
        ApprovalRequest request = NewRequest("call-1") with { ExpiresAt = DateTimeOffset.MaxValue };
        await store.GetOrAddAsync(request);
        Time.Advance(TimeSpan.FromDays(3650));

        Assert.Equal(request, await store.GetOrAddAsync(NewRequest("call-1")));
        Assert.Equal([request], await store.GetPendingAsync());
        Assert.True((await store.DecideAsync(request.Id, new ApprovalVerdict(true, "alice", null, TimeSpan.MaxValue))).Succeeded);
        Assert.Equal(DateTimeOffset.MaxValue, (await store.GetAsync(request.Id))!.ExpiresAt);
        Assert.True(await store.TryUseAsync(request.Id));
    }

    [Fact]
    public async Task TryUse_Approved_TrueOnceThenFalse()
    {
        IApprovalStore store = CreateStore();
        ApprovalRequest request = (await store.GetOrAddAsync(NewRequest("call-1")))!;
        await store.DecideAsync(request.Id, Approve());

        Assert.True(await store.TryUseAsync(request.Id));
        Assert.False(await store.TryUseAsync(request.Id));
        Assert.Equal(ApprovalState.Used, (await store.GetAsync(request.Id))!.State);
    }

    [Fact]
    public async Task TryUse_AfterUse_SameCallAsksAgain()
    {
        IApprovalStore store = CreateStore();
        ApprovalRequest request = (await store.GetOrAddAsync(NewRequest("call-1")))!;
        await store.DecideAsync(request.Id, Approve());
        await store.TryUseAsync(request.Id);

        ApprovalRequest next = NewRequest("call-1");
        ApprovalRequest? again = await store.GetOrAddAsync(next);

        Assert.Equal(next, again);
        Assert.False(await store.TryUseAsync(next.Id));
    }

    [Fact]
    public async Task TryUse_ConcurrentRetriesOfOneApproval_ExactlyOneTrue()
    {
        IApprovalStore store = CreateStore();
        const int Callers = 64;
        for (int round = 0; round < 10; round++)
        {
            ApprovalRequest request = (await store.GetOrAddAsync(NewRequest($"call-{round}")))!;
            Assert.True((await store.DecideAsync(request.Id, Approve())).Succeeded);

            bool[] used = await RaceAsync(Callers, _ => store.TryUseAsync(request.Id));

            Assert.Equal(1, used.Count(u => u));
            Assert.Equal(ApprovalState.Used, (await store.GetAsync(request.Id))!.State);
        }
    }

    [Fact]
    public async Task TryUse_NotApproved_False()
    {
        IApprovalStore store = CreateStore();
        ApprovalRequest pending = (await store.GetOrAddAsync(NewRequest("call-1")))!;
        ApprovalRequest denied = (await store.GetOrAddAsync(NewRequest("call-2")))!;
        await store.DecideAsync(denied.Id, Deny("no"));

        Assert.False(await store.TryUseAsync(pending.Id));
        Assert.False(await store.TryUseAsync(denied.Id));
        Assert.False(await store.TryUseAsync(NewId()));
        Assert.Equal(ApprovalState.Pending, (await store.GetAsync(pending.Id))!.State);
        Assert.Equal(ApprovalState.Denied, (await store.GetAsync(denied.Id))!.State);
    }

    [Fact]
    public async Task TryUse_ApprovalLapsed_FalseAndCallReportedExpired()
    {
        IApprovalStore store = CreateStore();
        ApprovalRequest request = (await store.GetOrAddAsync(NewRequest("call-1")))!;
        await store.DecideAsync(request.Id, Approve());

        Time.Advance(ValidFor - TimeSpan.FromTicks(1));
        Assert.Equal(ApprovalState.Approved, (await store.GetAsync(request.Id))!.State);
        Time.Advance(TimeSpan.FromTicks(1));

        Assert.False(await store.TryUseAsync(request.Id));
        Assert.Equal(ApprovalState.Expired, (await store.GetAsync(request.Id))!.State);
        Assert.Equal(ApprovalState.Expired, (await store.GetOrAddAsync(NewRequest("call-1")))!.State);
    }

    [Fact]
    public async Task Decide_Approve_AppliedWithApproverTimeAndNewExpiry()
    {
        IApprovalStore store = CreateStore();
        ApprovalRequest request = (await store.GetOrAddAsync(NewRequest("call-1")))!;
        Time.Advance(TimeSpan.FromMinutes(9));
        DateTimeOffset decidedAt = Time.GetUtcNow();

        ApprovalChange change = await store.DecideAsync(request.Id, Approve());

        ApprovalRequest expected = request with { State = ApprovalState.Approved, DecidedBy = "alice", DecidedAt = decidedAt, ExpiresAt = decidedAt + ValidFor };
        Assert.Equal(ApprovalChangeStatus.Applied, change.Status);
        Assert.True(change.Succeeded);
        Assert.Equal(expected, change.Request);
        Assert.Equal(expected, await store.GetAsync(request.Id));
        Assert.Equal(expected, await store.GetOrAddAsync(NewRequest("call-1")));
        Assert.Empty(await store.GetPendingAsync());
    }

    [Fact]
    public async Task Decide_Deny_SameCallAnsweredDeniedWithReasonUntilItLapses()
    {
        IApprovalStore store = CreateStore();
        ApprovalRequest request = (await store.GetOrAddAsync(NewRequest("call-1")))!;

        ApprovalChange change = await store.DecideAsync(request.Id, Deny("Not to that account."));
        ApprovalRequest? answered = await store.GetOrAddAsync(NewRequest("call-1"));
        Time.Advance(ValidFor);
        ApprovalRequest? lapsed = await store.GetOrAddAsync(NewRequest("call-1"));

        Assert.True(change.Succeeded);
        Assert.Equal(change.Request, answered);
        Assert.Equal(ApprovalState.Denied, answered!.State);
        Assert.Equal("bob", answered.DecidedBy);
        Assert.Equal("Not to that account.", answered.DenialReason);
        Assert.Equal(change.Request, lapsed);
        Assert.Equal(ApprovalState.Denied, (await store.GetAsync(request.Id))!.State);
        Assert.Equal(ApprovalChangeStatus.NotPending, (await store.DecideAsync(request.Id, Approve())).Status);
    }

    [Fact]
    public async Task GetOrAdd_DenialLapsed_ReportedDeniedOnceThenAsksAgain()
    {
        IApprovalStore store = CreateStore();
        ApprovalRequest request = (await store.GetOrAddAsync(NewRequest("call-1")))!;
        await store.DecideAsync(request.Id, Deny("no"));
        Time.Advance(ValidFor);

        ApprovalRequest? lapsed = await store.GetOrAddAsync(NewRequest("call-1"));
        ApprovalRequest next = NewRequest("call-1");
        ApprovalRequest? askedAgain = await store.GetOrAddAsync(next);

        Assert.Equal(ApprovalState.Denied, lapsed!.State);
        Assert.Equal(request.Id, lapsed.Id);
        Assert.Equal(next, askedAgain);
        Assert.Equal([next], await store.GetPendingAsync());
    }

    [Fact]
    public async Task GetOrAdd_RequestOverTheByteBound_ThrowsSayingWhichBoundAndStoresNothing()
    {
        IApprovalStore store = CreateStore(maxRequestBytes: 2048);
        ApprovalRequest large = NewRequest("call-1") with { Arguments = $$"""{"memo":"{{new string('x', 4096)}}"}""" };

        var ex = await Assert.ThrowsAsync<ArgumentException>(async () => await store.GetOrAddAsync(large));

        Assert.Contains("The approval request to call 'wire' takes", ex.Message, StringComparison.Ordinal);
        Assert.Contains("more than the 2,048", ex.Message, StringComparison.Ordinal);
        Assert.Contains("MaxRequestBytes", ex.Message, StringComparison.Ordinal);
        Assert.Null(await store.GetAsync(large.Id));
        Assert.Empty(await store.GetPendingAsync());
        ApprovalRequest small = NewRequest("call-1") with { Arguments = $$"""{"memo":"{{new string('x', 1000)}}"}""" };
        Assert.Equal(small, await store.GetOrAddAsync(small));
    }

    [Fact]
    public async Task Decide_ReasonOverTheByteBound_ThrowsAndLeavesTheRequestPending()
    {
        IApprovalStore store = CreateStore(maxRequestBytes: 2048);
        ApprovalRequest request = (await store.GetOrAddAsync(NewRequest("call-1")))!;

        var ex = await Assert.ThrowsAsync<ArgumentException>(async () =>
            await store.DecideAsync(request.Id, new ApprovalVerdict(false, "bob", new string('x', 3000), ValidFor)));

        Assert.Contains("shorten the reason", ex.Message, StringComparison.Ordinal);
        Assert.Equal(ApprovalState.Pending, (await store.GetAsync(request.Id))!.State);
    }

    [Fact]
    public async Task Decide_UnknownId_NotFound()
    {
        IApprovalStore store = CreateStore();

        ApprovalChange change = await store.DecideAsync(NewId(), Approve());

        Assert.Equal(new ApprovalChange(ApprovalChangeStatus.NotFound, null), change);
        Assert.False(change.Succeeded);
    }

    [Fact]
    public async Task Decide_AlreadyDecidedOrUsed_NotPendingAndUnchanged()
    {
        IApprovalStore store = CreateStore();
        ApprovalRequest approved = (await store.GetOrAddAsync(NewRequest("call-1")))!;
        ApprovalRequest denied = (await store.GetOrAddAsync(NewRequest("call-2")))!;
        ApprovalRequest used = (await store.GetOrAddAsync(NewRequest("call-3")))!;
        ApprovalRequest approvedState = (await store.DecideAsync(approved.Id, Approve())).Request!;
        ApprovalRequest deniedState = (await store.DecideAsync(denied.Id, Deny("no"))).Request!;
        await store.DecideAsync(used.Id, Approve());
        await store.TryUseAsync(used.Id);
        ApprovalRequest usedState = (await store.GetAsync(used.Id))!;

        Assert.Equal(new ApprovalChange(ApprovalChangeStatus.NotPending, approvedState), await store.DecideAsync(approved.Id, Deny("changed my mind")));
        Assert.Equal(new ApprovalChange(ApprovalChangeStatus.NotPending, deniedState), await store.DecideAsync(denied.Id, Approve()));
        Assert.Equal(new ApprovalChange(ApprovalChangeStatus.NotPending, usedState), await store.DecideAsync(used.Id, Approve()));
        Assert.Equal(approvedState, await store.GetAsync(approved.Id));
        Assert.Equal(deniedState, await store.GetAsync(denied.Id));
    }

    [Fact]
    public async Task Decide_PendingPastExpiry_ExpiredAndNotApplied()
    {
        IApprovalStore store = CreateStore();
        ApprovalRequest request = (await store.GetOrAddAsync(NewRequest("call-1")))!;
        Time.Advance(Timeout);

        ApprovalChange beforeCallSawIt = await store.DecideAsync(request.Id, Approve());
        await store.GetOrAddAsync(NewRequest("call-1"));
        ApprovalChange afterCallSawIt = await store.DecideAsync(request.Id, Approve());

        ApprovalRequest expired = request with { State = ApprovalState.Expired };
        Assert.Equal(new ApprovalChange(ApprovalChangeStatus.Expired, expired), beforeCallSawIt);
        Assert.Equal(new ApprovalChange(ApprovalChangeStatus.Expired, expired), afterCallSawIt);
        Assert.False(await store.TryUseAsync(request.Id));
    }

    [Fact]
    public async Task Decide_ConcurrentApprovalsAndDenials_ExactlyOneApplied()
    {
        IApprovalStore store = CreateStore();
        ApprovalRequest request = (await store.GetOrAddAsync(NewRequest("call-1")))!;

        ApprovalChange[] changes = await RaceAsync(16, i => store.DecideAsync(request.Id, i % 2 == 0 ? Approve() : Deny("no")));

        ApprovalChange applied = Assert.Single(changes, c => c.Succeeded);
        Assert.All(changes.Where(c => !c.Succeeded), c => Assert.Equal(new ApprovalChange(ApprovalChangeStatus.NotPending, applied.Request), c));
        Assert.Equal(applied.Request, await store.GetAsync(request.Id));
    }

    [Fact]
    public async Task GetAsync_PastExpiry_PendingAndApprovedReadExpiredDeniedAndUsedUnchanged()
    {
        IApprovalStore store = CreateStore();
        ApprovalRequest pending = (await store.GetOrAddAsync(NewRequest("call-1", timeout: ValidFor)))!;
        ApprovalRequest approved = (await store.GetOrAddAsync(NewRequest("call-2")))!;
        ApprovalRequest denied = (await store.GetOrAddAsync(NewRequest("call-3")))!;
        ApprovalRequest used = (await store.GetOrAddAsync(NewRequest("call-4")))!;
        await store.DecideAsync(approved.Id, Approve());
        await store.DecideAsync(denied.Id, Deny("no"));
        await store.DecideAsync(used.Id, Approve());
        await store.TryUseAsync(used.Id);

        Time.Advance(ValidFor);

        Assert.Equal(ApprovalState.Expired, (await store.GetAsync(pending.Id))!.State);
        Assert.Equal(ApprovalState.Expired, (await store.GetAsync(approved.Id))!.State);
        Assert.Equal(ApprovalState.Denied, (await store.GetAsync(denied.Id))!.State);
        Assert.Equal(ApprovalState.Used, (await store.GetAsync(used.Id))!.State);
        Assert.Empty(await store.GetPendingAsync());
    }

    [Fact]
    public async Task GetPending_MixedStates_OnlyPendingUnexpiredOldestFirst()
    {
        IApprovalStore store = CreateStore();
        DateTimeOffset now = Time.GetUtcNow();
        ApprovalRequest newest = NewRequest("call-1") with { CreatedAt = now + TimeSpan.FromSeconds(2) };
        ApprovalRequest tiedB = NewRequest("call-2", id: "apr_b") with { CreatedAt = now };
        ApprovalRequest tiedA = NewRequest("call-3", id: "apr_a") with { CreatedAt = now };
        ApprovalRequest oldest = NewRequest("call-4") with { CreatedAt = now - TimeSpan.FromSeconds(5) };
        ApprovalRequest shortLived = NewRequest("call-5", timeout: TimeSpan.FromMinutes(1)) with { CreatedAt = now - TimeSpan.FromSeconds(9) };
        ApprovalRequest decided = NewRequest("call-6");
        foreach (ApprovalRequest request in new[] { newest, tiedB, tiedA, oldest, shortLived, decided })
        {
            await store.GetOrAddAsync(request);
        }

        await store.DecideAsync(decided.Id, Approve());
        Time.Advance(TimeSpan.FromMinutes(1));

        Assert.Equal([oldest, tiedA, tiedB, newest], await store.GetPendingAsync());
    }

    [Fact]
    public async Task GetAsync_UnknownId_Null()
    {
        IApprovalStore store = CreateStore();
        await store.GetOrAddAsync(NewRequest("call-1"));

        Assert.Null(await store.GetAsync(NewId()));
        Assert.Null(await store.GetAsync(string.Empty));
    }

    [Theory]
    [InlineData("""{"memo":"caf\u00e9 \ud83d\ude80 \"quoted\" back\\slash / tab\t"}""", "Needs a person: \u00e9\u00e8 / \"ok\"")]
    [InlineData("", "")]
    [InlineData("""{"a":[1,2.50,{"b":null}],"e":"<script>&amp;</script>"}""", "line one\nline two \u2028 \u0000 end")]
    public async Task GetOrAdd_TextOfAnyKind_KeptExactlyThroughEveryChange(string arguments, string text)
    {
        IApprovalStore store = CreateStore();
        ApprovalRequest request = NewRequest("call-" + text) with { Tool = "wire/" + text, Grant = "grant " + text, Arguments = arguments, Reason = text };
        await store.GetOrAddAsync(request);

        ApprovalChange denied = await store.DecideAsync(request.Id, new ApprovalVerdict(false, "bob " + text, "reason " + text, ValidFor));
        Time.Advance(ValidFor);
        ApprovalRequest? lapsed = await store.GetOrAddAsync(request with { Id = NewId() });

        ApprovalRequest expected = request with
        {
            State = ApprovalState.Denied,
            DecidedBy = "bob " + text,
            DecidedAt = Time.GetUtcNow() - ValidFor,
            DenialReason = "reason " + text,
            ExpiresAt = Time.GetUtcNow(),
        };
        Assert.Equal(expected, denied.Request);
        Assert.Equal(expected, lapsed);
        Assert.Equal(expected, await store.GetAsync(request.Id));
    }

    [Fact]
    public async Task Decide_DenyWithoutReason_DenialReasonNull()
    {
        IApprovalStore store = CreateStore();
        ApprovalRequest request = (await store.GetOrAddAsync(NewRequest("call-1")))!;

        ApprovalChange change = await store.DecideAsync(request.Id, new ApprovalVerdict(false, "bob", null, ValidFor));

        Assert.Equal(ApprovalState.Denied, change.Request!.State);
        Assert.Null(change.Request.DenialReason);
        Assert.Null((await store.GetAsync(request.Id))!.DenialReason);
    }

    /// <summary>
    /// Starts <paramref name="callers"/> calls on thread-pool threads at once: each waits for one gate, opened when all
    /// are queued, so they contend without blocking threads (a barrier would starve a small pool).
    /// </summary>
    /// <typeparam name="T">The calls' result.</typeparam>
    /// <param name="callers">How many calls.</param>
    /// <param name="call">The call, given its index.</param>
    /// <returns>Every call's result.</returns>
    protected static async Task<T[]> RaceAsync<T>(int callers, Func<int, ValueTask<T>> call)
    {
        var gate = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        Task<T>[] calls = Enumerable.Range(0, callers).Select(i => Task.Run(async () =>
        {
            await gate.Task;
            return await call(i);
        })).ToArray();
        gate.SetResult();
        return await Task.WhenAll(calls);
    }

    /// <summary>A new request id, as the authorizer makes them.</summary>
    protected static string NewId() => "apr_" + Guid.NewGuid().ToString("N");

    /// <summary>A pending request for the call <paramref name="key"/>, made now.</summary>
    /// <param name="key">The call's key.</param>
    /// <param name="timeout">How long it waits for a person; 10 minutes when <see langword="null"/>.</param>
    /// <param name="id">Its id; a new one when <see langword="null"/>.</param>
    /// <returns>The request.</returns>
    protected ApprovalRequest NewRequest(string key, TimeSpan? timeout = null, string? id = null)
    {
        DateTimeOffset now = Time.GetUtcNow();
        return new ApprovalRequest(id ?? NewId(), key, "wire", "grant-a", """{"amount":10,"to":"acct_1"}""", "Wires need a person.", now, now + (timeout ?? Timeout));
    }

    private static ApprovalVerdict Approve() => new(true, "alice", null, ValidFor);

    private static ApprovalVerdict Deny(string reason) => new(false, "bob", reason, ValidFor);
}
