using PolicyLayer.Counters;

namespace PolicyLayer.Tests.Counters;

/// <summary>
/// The behaviour every <see cref="ICounterStore"/> must have. An implementation's test project derives a class from
/// this one and overrides <see cref="CreateStore"/> and <see cref="AdvanceAsync"/>; xunit runs every test below
/// against it.
/// </summary>
/// <remarks>
/// <para><b>Time.</b> The tests never read a clock and never sleep: they only move the store's clock forward
/// through <see cref="AdvanceAsync"/>. How is up to the fixture:</para>
/// <list type="bullet">
/// <item>An in-process store takes a <c>FakeTimeProvider</c> that the fixture creates per test and advances.</item>
/// <item>A remote store whose time comes from its server (Redis <c>TIME</c> in a script, say) adds a test-only
/// offset to that time, which the fixture keeps and <see cref="AdvanceAsync"/> increases (for example a value
/// the script reads, or a <c>TimeProvider</c>-like hook of the client that passes the offset as an argument).
/// The server's real clock keeps running while a test runs, which can only move time further forward.</item>
/// </list>
/// <para>So that real time passing during a test cannot change an outcome, every test uses windows of a second or
/// more and asserts only what holds for any start time (the segment grid of an implementation is not aligned with
/// the test's start), with margins of at least a second on windows of a minute or more. Each test uses counters
/// with unique names (<see cref="NewCounter"/>), so the tests can share one server and run in parallel.</para>
/// <para><b>What the tests assume of the algorithm.</b> Only the contract of <see cref="ICounterStore"/>: never more
/// than the maximum in any window-length interval; a refusal only when the cost admitted in the last 1.1 windows
/// leaves no room; costs are exact decimals; a retry at the refusal's <see cref="ReservationResult.RetryAfter"/>
/// succeeds (when nothing else was admitted meanwhile) and one a second earlier, on a one-minute window, does not.
/// A store with ten segments per window passes, and so does an exact log of admissions.</para>
/// <para>xunit creates one instance of the derived class per test, and each test calls <see cref="CreateStore"/>
/// once; <see cref="AdvanceAsync"/> moves the clock of that store. A fixture that needs a server connection can
/// implement <c>IAsyncLifetime</c> or take an xunit class fixture in its constructor.</para>
/// </remarks>
public abstract class CounterStoreContractTests
{
    /// <summary>A grant id used as the partition of most keys.</summary>
    protected const string GrantA = "grant-a";

    private static readonly TimeSpan Minute = TimeSpan.FromMinutes(1);

    /// <summary>Creates the store under test, whose clock <see cref="AdvanceAsync"/> moves.</summary>
    /// <returns>A store. Stores of different tests may share a server: every test's counter names are unique.</returns>
    protected abstract ICounterStore CreateStore();

    /// <summary>Moves the clock of the store this instance created forward by <paramref name="by"/>.</summary>
    /// <param name="by">A non-negative duration.</param>
    /// <returns>A task that completes when the stores see the new time.</returns>
    protected abstract ValueTask AdvanceAsync(TimeSpan by);

    /// <summary>A counter definition with a unique name.</summary>
    /// <param name="window">The window.</param>
    /// <param name="max">The maximum.</param>
    /// <param name="scope">The scope.</param>
    /// <param name="keyPath">The key path, or <see langword="null"/>.</param>
    /// <returns>The definition.</returns>
    protected static CounterDefinition NewCounter(TimeSpan window, decimal max, CounterScope scope = CounterScope.Grant, string? keyPath = null) =>
        new($"contract-{Guid.NewGuid():N}", window, max, scope, keyPath);

    /// <summary>Reserves <paramref name="requests"/> together.</summary>
    /// <param name="store">The store.</param>
    /// <param name="requests">The requests.</param>
    /// <returns>The store's answer.</returns>
    protected static async Task<ReservationResult> ReserveAsync(ICounterStore store, params CounterRequest[] requests) =>
        await store.TryReserveAsync(requests);

    /// <summary>Reserves one request of <paramref name="cost"/>.</summary>
    /// <param name="store">The store.</param>
    /// <param name="key">The budget.</param>
    /// <param name="cost">The cost.</param>
    /// <returns>The store's answer.</returns>
    protected static Task<ReservationResult> ReserveAsync(ICounterStore store, CounterKey key, decimal cost = 1m) =>
        ReserveAsync(store, new CounterRequest(key, cost));

    /// <summary>Reserves <paramref name="cost"/> until refused (at most <paramref name="limit"/> times).</summary>
    /// <param name="store">The store.</param>
    /// <param name="key">The budget.</param>
    /// <param name="cost">The cost of each call.</param>
    /// <param name="limit">The most calls to make.</param>
    /// <returns>How many were admitted.</returns>
    protected static async Task<int> CountAdmittedAsync(ICounterStore store, CounterKey key, decimal cost = 1m, int limit = 1000)
    {
        int admitted = 0;
        while (admitted < limit && (await ReserveAsync(store, key, cost)).IsAdmitted)
        {
            admitted++;
        }

        return admitted;
    }

    [Fact]
    public async Task TryReserve_UpToMax_AdmitsThenRefuses()
    {
        ICounterStore store = CreateStore();
        var key = new CounterKey(NewCounter(Minute, 5), GrantA);

        for (int i = 0; i < 5; i++)
        {
            ReservationResult admitted = await ReserveAsync(store, key);
            Assert.Equal(ReservationStatus.Admitted, admitted.Status);
            Assert.True(admitted.IsAdmitted);
            Assert.Equal(-1, admitted.RefusedIndex);
            Assert.False(admitted.FailedOpen);
        }

        ReservationResult refused = await ReserveAsync(store, key);
        Assert.Equal(ReservationStatus.Refused, refused.Status);
        Assert.False(refused.IsAdmitted);
        Assert.Equal(0, refused.RefusedIndex);
        Assert.NotNull(refused.RetryAfter);
        Assert.InRange(refused.RetryAfter!.Value, TimeSpan.FromSeconds(1), Minute + TimeSpan.FromSeconds(6));
    }

    [Fact]
    public async Task TryReserve_RefusedCalls_ReserveNothing()
    {
        ICounterStore store = CreateStore();
        var key = new CounterKey(NewCounter(Minute, 3), GrantA);
        Assert.Equal(3, await CountAdmittedAsync(store, key));

        for (int i = 0; i < 10; i++)
        {
            Assert.False((await ReserveAsync(store, key)).IsAdmitted);
        }

        // Refusals counted nothing: once the admitted cost slides out, the whole budget is free again.
        await AdvanceAsync(Minute * 1.1 + TimeSpan.FromSeconds(1));
        Assert.Equal(3, await CountAdmittedAsync(store, key));
    }

    [Fact]
    public async Task TryReserve_AcrossWindowBoundary_NoDoubleBurst()
    {
        ICounterStore store = CreateStore();
        var key = new CounterKey(NewCounter(Minute, 10), GrantA);

        await AdvanceAsync(Minute * 0.9);
        Assert.Equal(10, await CountAdmittedAsync(store, key));

        // 0.15 windows later a calendar window would have restarted; a sliding one still holds the burst.
        await AdvanceAsync(Minute * 0.15);
        Assert.False((await ReserveAsync(store, key)).IsAdmitted);

        await AdvanceAsync(Minute * 0.5);
        Assert.False((await ReserveAsync(store, key)).IsAdmitted);

        // At 1.1 windows after the burst it has slid out under any implementation within the bound.
        await AdvanceAsync(Minute * 0.45);
        Assert.Equal(10, await CountAdmittedAsync(store, key));
    }

    [Fact]
    public async Task TryReserve_JustBeforeOneWindowHasPassed_StillRefused()
    {
        ICounterStore store = CreateStore();
        var key = new CounterKey(NewCounter(Minute, 1), GrantA);
        Assert.True((await ReserveAsync(store, key)).IsAdmitted);

        await AdvanceAsync(Minute - TimeSpan.FromSeconds(1));
        Assert.False((await ReserveAsync(store, key)).IsAdmitted);
    }

    [Fact]
    public async Task TryReserve_SpreadOverTime_NeverMoreThanMaxInAnyWindow()
    {
        ICounterStore store = CreateStore();
        var key = new CounterKey(NewCounter(Minute, 4), GrantA);

        // Two admissions now, two 30 s later: the budget is full until the first two slide out.
        Assert.Equal(2, await CountAdmittedAsync(store, key, limit: 2));
        await AdvanceAsync(TimeSpan.FromSeconds(30));
        Assert.Equal(2, await CountAdmittedAsync(store, key));
        await AdvanceAsync(TimeSpan.FromSeconds(29));
        Assert.False((await ReserveAsync(store, key)).IsAdmitted);

        // 67 s after the first two (within 1.1 windows plus a second) they no longer count; the later two still do.
        await AdvanceAsync(TimeSpan.FromSeconds(8));
        Assert.Equal(2, await CountAdmittedAsync(store, key));
    }

    [Fact]
    public async Task TryReserve_CostAboveOne_TakesThatMuch()
    {
        ICounterStore store = CreateStore();
        var key = new CounterKey(NewCounter(Minute, 10), GrantA);

        Assert.True((await ReserveAsync(store, key, 4)).IsAdmitted);
        Assert.True((await ReserveAsync(store, key, 4)).IsAdmitted);
        Assert.False((await ReserveAsync(store, key, 4)).IsAdmitted);
        Assert.False((await ReserveAsync(store, key, 3)).IsAdmitted);
        Assert.True((await ReserveAsync(store, key, 2)).IsAdmitted);
        Assert.False((await ReserveAsync(store, key, 1)).IsAdmitted);
    }

    [Fact]
    public async Task TryReserve_DecimalCosts_AddUpExactly()
    {
        ICounterStore store = CreateStore();
        var key = new CounterKey(NewCounter(Minute, 1), GrantA);

        Assert.True((await ReserveAsync(store, key, 0.5m)).IsAdmitted);
        Assert.True((await ReserveAsync(store, key, 0.25m)).IsAdmitted);
        Assert.True((await ReserveAsync(store, key, 0.25m)).IsAdmitted);
        Assert.False((await ReserveAsync(store, key, 0.01m)).IsAdmitted);
    }

    [Fact]
    public async Task TryReserve_TenthsUpToMax_NoBinaryRounding()
    {
        ICounterStore store = CreateStore();
        var key = new CounterKey(NewCounter(Minute, 1), GrantA);

        // 0.1 ten times is exactly 1 in decimal (in binary floating point it is not, and the last would be refused).
        Assert.Equal(10, await CountAdmittedAsync(store, key, 0.1m));
        Assert.False((await ReserveAsync(store, key, 0.0001m)).IsAdmitted);
    }

    [Fact]
    public async Task TryReserve_LargeSpendCap_CountsCents()
    {
        ICounterStore store = CreateStore();
        var key = new CounterKey(NewCounter(TimeSpan.FromDays(1), 1000.50m), GrantA);

        Assert.True((await ReserveAsync(store, key, 999.99m)).IsAdmitted);
        Assert.False((await ReserveAsync(store, key, 0.52m)).IsAdmitted);
        Assert.True((await ReserveAsync(store, key, 0.51m)).IsAdmitted);
        Assert.False((await ReserveAsync(store, key, 0.01m)).IsAdmitted);
    }

    [Fact]
    public async Task TryReserve_CostAboveMax_RefusedWithoutRetryAfter()
    {
        ICounterStore store = CreateStore();
        var key = new CounterKey(NewCounter(Minute, 5), GrantA);

        ReservationResult result = await ReserveAsync(store, key, 5.01m);

        Assert.Equal(ReservationStatus.Refused, result.Status);
        Assert.Equal(0, result.RefusedIndex);
        Assert.Null(result.RetryAfter);
        Assert.Equal(5, await CountAdmittedAsync(store, key));
    }

    [Fact]
    public async Task TryReserve_OneOfSeveralCostsAboveMax_RefusedWithoutRetryAfter()
    {
        ICounterStore store = CreateStore();
        var small = new CounterKey(NewCounter(Minute, 1), GrantA);
        var big = new CounterKey(NewCounter(Minute, 100), GrantA);
        Assert.True((await ReserveAsync(store, big, 100)).IsAdmitted);

        ReservationResult result = await ReserveAsync(store, new CounterRequest(big, 1), new CounterRequest(small, 2));

        Assert.Equal(ReservationStatus.Refused, result.Status);
        Assert.Equal(1, result.RefusedIndex);
        Assert.Null(result.RetryAfter);
    }

    [Fact]
    public async Task TryReserve_CostEqualToMax_Admitted()
    {
        ICounterStore store = CreateStore();
        var key = new CounterKey(NewCounter(Minute, 2.5m), GrantA);

        Assert.True((await ReserveAsync(store, key, 2.5m)).IsAdmitted);
        Assert.False((await ReserveAsync(store, key, 0.1m)).IsAdmitted);
    }

    [Fact]
    public async Task TryReserve_DifferentPartitions_IndependentBudgets()
    {
        ICounterStore store = CreateStore();
        CounterDefinition counter = NewCounter(Minute, 2);
        var a = new CounterKey(counter, GrantA);
        var b = new CounterKey(counter, "grant-b");

        Assert.Equal(2, await CountAdmittedAsync(store, a));
        Assert.Equal(2, await CountAdmittedAsync(store, b));
        Assert.False((await ReserveAsync(store, a)).IsAdmitted);
    }

    [Fact]
    public async Task TryReserve_DifferentKeyValues_IndependentBudgets()
    {
        ICounterStore store = CreateStore();
        CounterDefinition counter = NewCounter(Minute, 2, CounterScope.Grant, "args.customer_id");
        var customer1 = new CounterKey(counter, GrantA, "\"c1\"");
        var customer2 = new CounterKey(counter, GrantA, "\"c2\"");
        var noCustomer = new CounterKey(counter, GrantA, null);

        Assert.Equal(2, await CountAdmittedAsync(store, customer1));
        Assert.Equal(2, await CountAdmittedAsync(store, customer2));
        Assert.Equal(2, await CountAdmittedAsync(store, noCustomer));
    }

    [Fact]
    public async Task TryReserve_KeyPartsThatConcatenateAlike_IndependentBudgets()
    {
        ICounterStore store = CreateStore();
        CounterDefinition counter = NewCounter(Minute, 1, CounterScope.Grant, "args.k");

        // A store that joins the parts into one string must escape or length-prefix them.
        Assert.True((await ReserveAsync(store, new CounterKey(counter, "a:b", "c"))).IsAdmitted);
        Assert.True((await ReserveAsync(store, new CounterKey(counter, "a", "b:c"))).IsAdmitted);
        Assert.True((await ReserveAsync(store, new CounterKey(counter, "a:b:c", null))).IsAdmitted);
        Assert.True((await ReserveAsync(store, new CounterKey(counter, "a:b:c", ""))).IsAdmitted);
    }

    [Fact]
    public async Task TryReserve_DifferentCountersSameName_IndependentBudgets()
    {
        ICounterStore store = CreateStore();
        CounterDefinition perMinute = NewCounter(Minute, 1);
        var perHour = new CounterDefinition(perMinute.Name, TimeSpan.FromHours(1), 1);

        Assert.True((await ReserveAsync(store, new CounterKey(perMinute, GrantA))).IsAdmitted);
        Assert.True((await ReserveAsync(store, new CounterKey(perHour, GrantA))).IsAdmitted);
    }

    [Fact]
    public async Task TryReserve_SameCounterFromTwoRequests_SharesOneBudget()
    {
        ICounterStore store = CreateStore();
        CounterDefinition counter = NewCounter(Minute, 3, CounterScope.Global);
        var equalCopy = new CounterDefinition(counter.Name, counter.Window, counter.Max, counter.Scope, counter.KeyPath);

        Assert.True((await ReserveAsync(store, new CounterKey(counter, ""), 2)).IsAdmitted);
        Assert.False((await ReserveAsync(store, new CounterKey(equalCopy, ""), 2)).IsAdmitted);
        Assert.True((await ReserveAsync(store, new CounterKey(equalCopy, ""), 1)).IsAdmitted);
        Assert.False((await ReserveAsync(store, new CounterKey(counter, ""), 1)).IsAdmitted);
    }

    [Fact]
    public async Task TryReserve_SecondRequestHasNoRoom_ReservesNothingInTheFirst()
    {
        ICounterStore store = CreateStore();
        var a = new CounterKey(NewCounter(Minute, 5), GrantA);
        var b = new CounterKey(NewCounter(Minute, 1), GrantA);
        Assert.True((await ReserveAsync(store, b)).IsAdmitted);

        for (int i = 0; i < 3; i++)
        {
            ReservationResult result = await ReserveAsync(store, new CounterRequest(a, 1), new CounterRequest(b, 1));
            Assert.Equal(ReservationStatus.Refused, result.Status);
            Assert.Equal(1, result.RefusedIndex);
            Assert.NotNull(result.RetryAfter);
        }

        Assert.Equal(5, await CountAdmittedAsync(store, a));
    }

    [Fact]
    public async Task TryReserve_FirstRequestHasNoRoom_ReservesNothingInTheSecond()
    {
        ICounterStore store = CreateStore();
        var a = new CounterKey(NewCounter(Minute, 1), GrantA);
        var b = new CounterKey(NewCounter(Minute, 5), GrantA);
        Assert.True((await ReserveAsync(store, a)).IsAdmitted);

        ReservationResult result = await ReserveAsync(store, new CounterRequest(a, 1), new CounterRequest(b, 1));

        Assert.Equal(0, result.RefusedIndex);
        Assert.Equal(5, await CountAdmittedAsync(store, b));
    }

    [Fact]
    public async Task TryReserve_SeveralRequestsWithRoom_ReservesInEvery()
    {
        ICounterStore store = CreateStore();
        var a = new CounterKey(NewCounter(Minute, 3), GrantA);
        var b = new CounterKey(NewCounter(TimeSpan.FromHours(1), 10), GrantA);
        var c = new CounterKey(NewCounter(Minute, 7, CounterScope.Global), "");

        ReservationResult result = await ReserveAsync(store, new CounterRequest(a, 1), new CounterRequest(b, 4), new CounterRequest(c, 2));

        Assert.True(result.IsAdmitted);
        Assert.Equal(2, await CountAdmittedAsync(store, a));
        Assert.Equal(6, await CountAdmittedAsync(store, b));
        Assert.Equal(5, await CountAdmittedAsync(store, c));
    }

    [Fact]
    public async Task TryReserve_SeveralRefusing_ReportsTheRequestWithTheLongestWait()
    {
        ICounterStore store = CreateStore();
        var soon = new CounterKey(NewCounter(Minute, 1), GrantA);
        var late = new CounterKey(NewCounter(TimeSpan.FromHours(1), 1), GrantA);
        var free = new CounterKey(NewCounter(Minute, 1), GrantA);
        Assert.True((await ReserveAsync(store, soon)).IsAdmitted);
        Assert.True((await ReserveAsync(store, late)).IsAdmitted);

        ReservationResult result = await ReserveAsync(store, new CounterRequest(free, 1), new CounterRequest(soon, 1), new CounterRequest(late, 1));

        // The refusal names the budget whose wait is the retry-after, not the first refusing one.
        Assert.Equal(2, result.RefusedIndex);
        Assert.NotNull(result.RetryAfter);
        Assert.InRange(result.RetryAfter!.Value, TimeSpan.FromMinutes(59), TimeSpan.FromMinutes(67));

        // Once the hour budget has room, so has the minute one: the whole reservation succeeds at RetryAfter.
        await AdvanceAsync(result.RetryAfter.Value);
        Assert.True((await ReserveAsync(store, new CounterRequest(free, 1), new CounterRequest(soon, 1), new CounterRequest(late, 1))).IsAdmitted);
    }

    [Fact]
    public async Task TryReserve_LongestWaitFirst_ReportsItOverLaterShorterWaits()
    {
        ICounterStore store = CreateStore();
        var late = new CounterKey(NewCounter(TimeSpan.FromHours(1), 1), GrantA);
        var soon = new CounterKey(NewCounter(Minute, 1), GrantA);
        Assert.True((await ReserveAsync(store, late)).IsAdmitted);
        Assert.True((await ReserveAsync(store, soon)).IsAdmitted);

        ReservationResult result = await ReserveAsync(store, new CounterRequest(late, 1), new CounterRequest(soon, 1));

        Assert.Equal(0, result.RefusedIndex);
        Assert.InRange(result.RetryAfter!.Value, TimeSpan.FromMinutes(59), TimeSpan.FromMinutes(67));
    }

    [Fact]
    public async Task TryReserve_SeveralRefusingWithEqualWaits_ReportsTheFirst()
    {
        ICounterStore store = CreateStore();
        var free = new CounterKey(NewCounter(Minute, 1), GrantA);
        var a = new CounterKey(NewCounter(TimeSpan.FromHours(1), 1), GrantA);
        var b = new CounterKey(NewCounter(TimeSpan.FromHours(1), 1), GrantA);

        // Reserved by one call, so at one time: both budgets free up at the same moment.
        Assert.True((await ReserveAsync(store, new CounterRequest(b, 1), new CounterRequest(a, 1))).IsAdmitted);
        ReservationResult result = await ReserveAsync(store, new CounterRequest(free, 1), new CounterRequest(a, 1), new CounterRequest(b, 1));

        Assert.Equal(1, result.RefusedIndex);
        Assert.NotNull(result.RetryAfter);
    }

    [Fact]
    public async Task TryReserve_DuplicateKey_CostsAddUp()
    {
        ICounterStore store = CreateStore();
        var key = new CounterKey(NewCounter(Minute, 4), GrantA);

        Assert.True((await ReserveAsync(store, new CounterRequest(key, 2), new CounterRequest(key, 2))).IsAdmitted);
        Assert.False((await ReserveAsync(store, key, 1)).IsAdmitted);
    }

    [Fact]
    public async Task TryReserve_DuplicateKeyTogetherTooMuch_RefusedAndNothingReserved()
    {
        ICounterStore store = CreateStore();
        var key = new CounterKey(NewCounter(Minute, 4), GrantA);
        Assert.True((await ReserveAsync(store, key, 1)).IsAdmitted);

        ReservationResult result = await ReserveAsync(store, new CounterRequest(key, 2), new CounterRequest(key, 2));

        Assert.Equal(ReservationStatus.Refused, result.Status);
        Assert.Equal(0, result.RefusedIndex);
        Assert.NotNull(result.RetryAfter);
        Assert.True((await ReserveAsync(store, key, 3)).IsAdmitted);
    }

    [Fact]
    public async Task TryReserve_DuplicateKeyTogetherAboveMax_RefusedWithoutRetryAfter()
    {
        ICounterStore store = CreateStore();
        var key = new CounterKey(NewCounter(Minute, 3), GrantA);

        ReservationResult result = await ReserveAsync(store, new CounterRequest(key, 2), new CounterRequest(key, 2));

        Assert.Equal(ReservationStatus.Refused, result.Status);
        Assert.Null(result.RetryAfter);
        Assert.True((await ReserveAsync(store, key, 3)).IsAdmitted);
    }

    [Fact]
    public async Task TryReserve_EqualKeysFromDistinctInstances_CountAsDuplicates()
    {
        ICounterStore store = CreateStore();
        CounterDefinition counter = NewCounter(Minute, 3);
        var copy = new CounterDefinition(counter.Name, counter.Window, counter.Max);

        ReservationResult result = await ReserveAsync(store, new CounterRequest(new CounterKey(counter, GrantA), 2), new CounterRequest(new CounterKey(copy, new string(GrantA.ToCharArray())), 2));

        Assert.False(result.IsAdmitted);
    }

    [Fact]
    public async Task Refund_AfterAdmission_GivesCostBack()
    {
        ICounterStore store = CreateStore();
        var key = new CounterKey(NewCounter(Minute, 3), GrantA);
        CounterRequest[] request = [new(key, 2)];
        ReservationResult reserved = await store.TryReserveAsync(request);
        Assert.True(reserved.IsAdmitted);
        Assert.True((await ReserveAsync(store, key, 1)).IsAdmitted);

        await store.RefundAsync(request, reserved.Timestamp);

        Assert.True((await ReserveAsync(store, key, 2)).IsAdmitted);
        Assert.False((await ReserveAsync(store, key, 1)).IsAdmitted);
    }

    [Fact]
    public async Task Refund_LaterInTheWindow_GivesCostBack()
    {
        ICounterStore store = CreateStore();
        var key = new CounterKey(NewCounter(Minute, 1), GrantA);
        CounterRequest[] request = [new(key, 1)];
        ReservationResult reserved = await store.TryReserveAsync(request);

        await AdvanceAsync(TimeSpan.FromSeconds(40));
        await store.RefundAsync(request, reserved.Timestamp);

        Assert.True((await ReserveAsync(store, key)).IsAdmitted);
    }

    [Fact]
    public async Task Refund_OfSeveralRequests_GivesBackInEvery()
    {
        ICounterStore store = CreateStore();
        var a = new CounterKey(NewCounter(Minute, 2), GrantA);
        var b = new CounterKey(NewCounter(TimeSpan.FromHours(1), 5), GrantA);
        CounterRequest[] requests = [new(a, 2), new(b, 5)];
        ReservationResult reserved = await store.TryReserveAsync(requests);
        Assert.True(reserved.IsAdmitted);

        await store.RefundAsync(requests, reserved.Timestamp);

        Assert.Equal(2, await CountAdmittedAsync(store, a));
        Assert.Equal(5, await CountAdmittedAsync(store, b));
    }

    [Fact]
    public async Task Refund_AfterItsCostSlidOut_TakesNothingFromLaterAdmissions()
    {
        ICounterStore store = CreateStore();
        var key = new CounterKey(NewCounter(Minute, 2), GrantA);
        CounterRequest[] request = [new(key, 2)];
        ReservationResult old = await store.TryReserveAsync(request);
        Assert.True(old.IsAdmitted);

        await AdvanceAsync(Minute * 1.1 + TimeSpan.FromSeconds(1));
        Assert.True((await ReserveAsync(store, key, 2)).IsAdmitted);
        await store.RefundAsync(request, old.Timestamp);

        Assert.False((await ReserveAsync(store, key, 1)).IsAdmitted);
    }

    [Fact]
    public async Task Refund_AfterBudgetWentIdle_HarmlessAndBudgetStillExact()
    {
        ICounterStore store = CreateStore();
        var key = new CounterKey(NewCounter(TimeSpan.FromSeconds(10), 3), GrantA);
        CounterRequest[] request = [new(key, 3)];
        ReservationResult old = await store.TryReserveAsync(request);

        await AdvanceAsync(TimeSpan.FromHours(2));
        await store.RefundAsync(request, old.Timestamp);

        Assert.Equal(3, await CountAdmittedAsync(store, key));
    }

    [Fact]
    public async Task Refund_Repeated_NeverMakesRoomBeyondMax()
    {
        ICounterStore store = CreateStore();
        var key = new CounterKey(NewCounter(Minute, 2), GrantA);
        CounterRequest[] request = [new(key, 1)];
        ReservationResult first = await store.TryReserveAsync(request);
        Assert.True(first.IsAdmitted);

        for (int i = 0; i < 5; i++)
        {
            await store.RefundAsync(request, first.Timestamp);
        }

        await store.RefundAsync(new CounterRequest[] { new(key, 100) }, first.Timestamp);

        Assert.Equal(2, await CountAdmittedAsync(store, key));
    }

    [Fact]
    public async Task Refund_NeverReserved_DoesNothing()
    {
        ICounterStore store = CreateStore();
        var key = new CounterKey(NewCounter(Minute, 2), GrantA);
        ReservationResult now = await ReserveAsync(store, new CounterKey(NewCounter(Minute, 1), GrantA));

        await store.RefundAsync(new CounterRequest[] { new(key, 1) }, now.Timestamp);

        Assert.Equal(2, await CountAdmittedAsync(store, key));
    }

    [Fact]
    public async Task Refund_OfRefusedCall_NeverMakesRoomBeyondMax()
    {
        ICounterStore store = CreateStore();
        var key = new CounterKey(NewCounter(Minute, 1), GrantA);
        ReservationResult admitted = await ReserveAsync(store, key);
        Assert.True(admitted.IsAdmitted);
        Assert.False((await ReserveAsync(store, key)).IsAdmitted);

        // A buggy host refunds the refused call too (with the admitted call's timestamp): at most that cost comes back.
        await store.RefundAsync(new CounterRequest[] { new(key, 1) }, admitted.Timestamp);
        await store.RefundAsync(new CounterRequest[] { new(key, 1) }, admitted.Timestamp);

        Assert.Equal(1, await CountAdmittedAsync(store, key));
    }

    [Fact]
    public async Task TryReserve_RetriedAtRetryAfter_Admitted()
    {
        ICounterStore store = CreateStore();
        var key = new CounterKey(NewCounter(Minute, 3), GrantA);
        Assert.Equal(3, await CountAdmittedAsync(store, key));
        await AdvanceAsync(TimeSpan.FromSeconds(20));

        ReservationResult refused = await ReserveAsync(store, key);
        Assert.NotNull(refused.RetryAfter);
        TimeSpan retryAfter = refused.RetryAfter!.Value;

        // Never admits within the window: the wait is at least what is left of it (less a second for a server clock
        // that kept running between the calls).
        Assert.True(retryAfter >= TimeSpan.FromSeconds(39), $"RetryAfter {retryAfter} is shorter than the rest of the window.");
        Assert.True(retryAfter <= TimeSpan.FromSeconds(46) + TimeSpan.FromSeconds(1), $"RetryAfter {retryAfter} is beyond the approximation bound.");

        await AdvanceAsync(retryAfter - TimeSpan.FromSeconds(1));
        Assert.False((await ReserveAsync(store, key)).IsAdmitted);

        await AdvanceAsync(TimeSpan.FromSeconds(1));
        Assert.Equal(3, await CountAdmittedAsync(store, key));
    }

    [Fact]
    public async Task TryReserve_RetryAfterWithPartlyFreeBudget_WaitsOnlyForTheNeededCost()
    {
        ICounterStore store = CreateStore();
        var key = new CounterKey(NewCounter(Minute, 4), GrantA);
        Assert.True((await ReserveAsync(store, key, 2)).IsAdmitted);
        await AdvanceAsync(TimeSpan.FromSeconds(30));
        Assert.True((await ReserveAsync(store, key, 2)).IsAdmitted);

        ReservationResult refused = await ReserveAsync(store, key, 2);

        // Only the first 2 must slide out: about 30 s, not 60.
        Assert.NotNull(refused.RetryAfter);
        Assert.InRange(refused.RetryAfter!.Value, TimeSpan.FromSeconds(29), TimeSpan.FromSeconds(37));
        await AdvanceAsync(refused.RetryAfter.Value);
        Assert.True((await ReserveAsync(store, key, 2)).IsAdmitted);
        Assert.False((await ReserveAsync(store, key, 1)).IsAdmitted);
    }

    [Theory]
    [InlineData(1)]
    [InlineData(7)]
    [InlineData(60)]
    [InlineData(90)]
    [InlineData(3600)]
    [InlineData(86400)]
    public async Task TryReserve_WindowOfSeconds_RefusesWithinAndAdmitsAfter(int windowSeconds)
    {
        ICounterStore store = CreateStore();
        TimeSpan window = TimeSpan.FromSeconds(windowSeconds);
        var key = new CounterKey(NewCounter(window, 3), GrantA);
        Assert.Equal(3, await CountAdmittedAsync(store, key));

        await AdvanceAsync(window * 0.5);
        ReservationResult refused = await ReserveAsync(store, key);
        Assert.False(refused.IsAdmitted);
        Assert.NotNull(refused.RetryAfter);
        // The lower bound leaves room for a server clock that kept running between the calls.
        Assert.InRange(refused.RetryAfter!.Value, window * 0.4, window * 0.6 + TimeSpan.FromMilliseconds(1));

        await AdvanceAsync(window * 0.6);
        Assert.Equal(3, await CountAdmittedAsync(store, key));
    }

    [Fact]
    public async Task TryReserve_AfterLongIdle_FullBudgetAgain()
    {
        ICounterStore store = CreateStore();
        var key = new CounterKey(NewCounter(Minute, 5), GrantA);
        Assert.Equal(5, await CountAdmittedAsync(store, key));

        await AdvanceAsync(TimeSpan.FromDays(3));

        Assert.Equal(5, await CountAdmittedAsync(store, key));
        Assert.False((await ReserveAsync(store, key)).IsAdmitted);
    }

    [Fact]
    public async Task TryReserve_IdleForSeveralWindowsBetweenBursts_EachBurstGetsMax()
    {
        ICounterStore store = CreateStore();
        var key = new CounterKey(NewCounter(TimeSpan.FromSeconds(10), 2), GrantA);

        for (int burst = 0; burst < 4; burst++)
        {
            Assert.Equal(2, await CountAdmittedAsync(store, key));
            await AdvanceAsync(TimeSpan.FromSeconds(10 * (burst + 2)));
        }
    }

    [Fact]
    public async Task TryReserve_EmptyRequestList_Admitted()
    {
        ICounterStore store = CreateStore();

        ReservationResult result = await store.TryReserveAsync(ReadOnlyMemory<CounterRequest>.Empty);

        Assert.True(result.IsAdmitted);
    }

    [Fact]
    public async Task Timestamp_OfLaterReservation_NotEarlier()
    {
        ICounterStore store = CreateStore();
        var key = new CounterKey(NewCounter(Minute, 10), GrantA);

        ReservationResult first = await ReserveAsync(store, key);
        await AdvanceAsync(TimeSpan.FromSeconds(5));
        ReservationResult second = await ReserveAsync(store, key);

        Assert.True(second.Timestamp > first.Timestamp);
    }
}
