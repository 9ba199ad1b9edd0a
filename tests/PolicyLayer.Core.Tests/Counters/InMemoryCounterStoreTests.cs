using Microsoft.Extensions.Time.Testing;
using PolicyLayer.Counters;

namespace PolicyLayer.Tests.Counters;

/// <summary>What only the in-memory store has: its memory bound, its clock handling and its argument checks.</summary>
public sealed class InMemoryCounterStoreTests
{
    private static readonly TimeSpan Minute = TimeSpan.FromMinutes(1);
    private readonly FakeTimeProvider _time = new(new DateTimeOffset(2026, 1, 1, 0, 0, 7, TimeSpan.Zero));

    private InMemoryCounterStore CreateSut(TimeSpan? sweepInterval = null, int maxBudgets = 1_000_000) =>
        new(_time, new InMemoryCounterStoreOptions { SweepInterval = sweepInterval ?? TimeSpan.FromSeconds(10), MaxBudgets = maxBudgets });

    private static CounterKey Key(TimeSpan window, decimal max, string partition = "g") =>
        new(new CounterDefinition("c", window, max), partition);

    private static async Task<ReservationResult> ReserveAsync(ICounterStore store, CounterKey key, decimal cost = 1m) =>
        await store.TryReserveAsync(new[] { new CounterRequest(key, cost) });

    [Fact]
    public async Task Sweep_BudgetsIdleLongerThanWindowAndSegment_Dropped()
    {
        InMemoryCounterStore store = CreateSut();
        for (int i = 0; i < 5; i++)
        {
            Assert.True((await ReserveAsync(store, Key(Minute, 10, $"g{i}"))).IsAdmitted);
        }

        Assert.Equal(5, store.BudgetCount);

        _time.Advance(Minute * 1.2);
        Assert.Equal(5, store.Sweep());
        Assert.Equal(0, store.BudgetCount);
    }

    [Fact]
    public async Task Sweep_BudgetStillCounting_Kept()
    {
        InMemoryCounterStore store = CreateSut();
        CounterKey key = Key(Minute, 2);
        Assert.True((await ReserveAsync(store, key)).IsAdmitted);
        _time.Advance(TimeSpan.FromSeconds(59));
        Assert.True((await ReserveAsync(store, key)).IsAdmitted);

        _time.Advance(TimeSpan.FromSeconds(30));
        Assert.Equal(0, store.Sweep());

        // The budget kept the later admission: one more fits, then it is full.
        Assert.Equal(1, store.BudgetCount);
        Assert.True((await ReserveAsync(store, key)).IsAdmitted);
        Assert.False((await ReserveAsync(store, key)).IsAdmitted);
    }

    [Fact]
    public async Task Sweep_FullyRefundedBudget_Dropped()
    {
        InMemoryCounterStore store = CreateSut();
        CounterRequest[] request = [new(Key(TimeSpan.FromDays(1), 3), 2)];
        ReservationResult reserved = await store.TryReserveAsync(request);
        await store.RefundAsync(request, reserved.Timestamp);

        Assert.Equal(1, store.Sweep());
        Assert.Equal(0, store.BudgetCount);
    }

    [Fact]
    public async Task TryReserve_AfterSweepInterval_SweepsIdleBudgetsWithoutATimer()
    {
        InMemoryCounterStore store = CreateSut(sweepInterval: TimeSpan.FromSeconds(30));
        Assert.True((await ReserveAsync(store, Key(TimeSpan.FromSeconds(10), 1, "old"))).IsAdmitted);

        _time.Advance(TimeSpan.FromSeconds(20));
        Assert.True((await ReserveAsync(store, Key(TimeSpan.FromSeconds(10), 1, "new"))).IsAdmitted);

        // Not yet due: the idle budget is still held.
        Assert.Equal(2, store.BudgetCount);

        _time.Advance(TimeSpan.FromSeconds(20));
        Assert.True((await ReserveAsync(store, Key(TimeSpan.FromSeconds(10), 1, "newer"))).IsAdmitted);
        Assert.Equal(1, store.BudgetCount);
    }

    [Fact]
    public async Task TryReserve_DistinctKeysForHours_BudgetCountStaysBounded()
    {
        InMemoryCounterStore store = CreateSut(sweepInterval: TimeSpan.FromSeconds(10));
        int most = 0;

        // 100 new keys every 10 seconds for two hours, each with a one-minute window.
        for (int tick = 0; tick < 720; tick++)
        {
            for (int i = 0; i < 100; i++)
            {
                Assert.True((await ReserveAsync(store, Key(Minute, 1, $"k{tick}-{i}"))).IsAdmitted);
            }

            most = Math.Max(most, store.BudgetCount);
            _time.Advance(TimeSpan.FromSeconds(10));
        }

        // A budget lives at most window + segment + sweep interval = 76 s, so about eight batches at once.
        Assert.InRange(most, 700, 900);
    }

    [Fact]
    public async Task TryReserve_StoreFull_UnavailableUntilIdleBudgetsAreSwept()
    {
        InMemoryCounterStore store = CreateSut(sweepInterval: TimeSpan.FromSeconds(10), maxBudgets: 3);
        for (int i = 0; i < 3; i++)
        {
            Assert.True((await ReserveAsync(store, Key(Minute, 1, $"g{i}"))).IsAdmitted);
        }

        ReservationResult full = await ReserveAsync(store, Key(Minute, 1, "g3"));
        Assert.Equal(ReservationStatus.Unavailable, full.Status);
        Assert.False(full.IsAdmitted);
        Assert.Contains("MaxBudgets", full.Error, StringComparison.Ordinal);

        // Existing budgets still answer.
        Assert.False((await ReserveAsync(store, Key(Minute, 1, "g0"))).IsAdmitted);

        _time.Advance(Minute * 1.2);
        Assert.True((await ReserveAsync(store, Key(Minute, 1, "g3"))).IsAdmitted);
        Assert.Equal(1, store.BudgetCount);
    }

    [Fact]
    public async Task TryReserve_SeveralRequestsStoreFull_UnavailableAndNothingReserved()
    {
        InMemoryCounterStore store = CreateSut(maxBudgets: 1);
        CounterKey existing = Key(Minute, 2, "a");
        Assert.True((await ReserveAsync(store, existing)).IsAdmitted);

        ReservationResult result = await store.TryReserveAsync(new[] { new CounterRequest(existing, 1), new CounterRequest(Key(Minute, 2, "b"), 1) })
            ;

        Assert.Equal(ReservationStatus.Unavailable, result.Status);
        Assert.True((await ReserveAsync(store, existing)).IsAdmitted);
    }

    [Fact]
    public async Task TryReserve_ClockGoesBackwards_BudgetNotReset()
    {
        var clock = new ManualTimeProvider(new DateTimeOffset(2026, 1, 1, 12, 0, 0, TimeSpan.Zero));
        var store = new InMemoryCounterStore(clock);
        CounterKey key = Key(Minute, 2);
        ReservationResult first = await ReserveAsync(store, key);
        Assert.True((await ReserveAsync(store, key)).IsAdmitted);

        clock.Now -= TimeSpan.FromHours(1);
        ReservationResult refused = await ReserveAsync(store, key);

        Assert.False(refused.IsAdmitted);
        Assert.InRange(refused.RetryAfter!.Value, TimeSpan.FromSeconds(54), TimeSpan.FromSeconds(66));

        // Time stands still while the clock is behind: a refund still finds the segment its reservation landed in.
        await store.RefundAsync(new[] { new CounterRequest(key, 1) }, first.Timestamp);
        ReservationResult afterRefund = await ReserveAsync(store, key);
        Assert.True(afterRefund.IsAdmitted);
        Assert.Equal(first.Timestamp, afterRefund.Timestamp);
        Assert.False((await ReserveAsync(store, key)).IsAdmitted);
    }

    [Fact]
    public async Task TryReserve_ClockCatchesUpAfterGoingBack_WindowSlidesFromTheLatestTime()
    {
        var clock = new ManualTimeProvider(new DateTimeOffset(2026, 1, 1, 12, 0, 0, TimeSpan.Zero));
        var store = new InMemoryCounterStore(clock);
        CounterKey key = Key(Minute, 1);
        Assert.True((await ReserveAsync(store, key)).IsAdmitted);

        clock.Now -= TimeSpan.FromMinutes(5);
        clock.Now += TimeSpan.FromMinutes(5) + Minute * 0.5;
        Assert.False((await ReserveAsync(store, key)).IsAdmitted);

        clock.Now += Minute * 0.6;
        Assert.True((await ReserveAsync(store, key)).IsAdmitted);
    }

    [Theory]
    [InlineData(0)]
    [InlineData(-1)]
    public async Task TryReserve_CostNotPositive_Throws(int cost)
    {
        InMemoryCounterStore store = CreateSut();

        var error = await Assert.ThrowsAsync<ArgumentOutOfRangeException>(() => ReserveAsync(store, Key(Minute, 1), cost));
        Assert.Contains("not positive", error.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("1000")]
    [InlineData("79228162514264337593543950335")]
    public async Task TryReserve_RepeatedKeyWhoseCostsAddUpBeyondTheLargestDecimal_RefusedForGood(string max)
    {
        InMemoryCounterStore store = CreateSut();
        CounterKey key = Key(Minute, decimal.Parse(max, System.Globalization.CultureInfo.InvariantCulture));
        decimal cost = 50_000_000_000_000_000_000_000_000_000m;

        ReservationResult result = await store.TryReserveAsync(new[] { new CounterRequest(Key(Minute, 5, "other"), 1m), new CounterRequest(key, cost), new CounterRequest(key, cost) });

        Assert.Equal(ReservationStatus.Refused, result.Status);
        Assert.Equal(1, result.RefusedIndex);
        Assert.Null(result.RetryAfter);
        Assert.True((await ReserveAsync(store, key, 1m)).IsAdmitted);
    }

    [Fact]
    public async Task TryReserve_DefaultKey_Throws()
    {
        InMemoryCounterStore store = CreateSut();

        await Assert.ThrowsAsync<ArgumentException>(async () => await store.TryReserveAsync(new[] { new CounterRequest(default, 1) }));
    }

    [Fact]
    public async Task TryReserveMany_BudgetDroppedBetweenLookupAndLock_LooksItUpAgainAndReserves()
    {
        // The clock is read while the second budget is created; that read sweeps away the first one, which is
        // new and so still empty. The reservation then finds it marked removed under its lock and must start over
        // with a fresh budget instead of failing or keeping the lock.
        var clock = new SweepOnReadTimeProvider(_time.GetUtcNow());
        var store = new InMemoryCounterStore(clock, new InMemoryCounterStoreOptions { SweepInterval = TimeSpan.FromHours(1) });
        CounterKey first = new(new CounterDefinition("first", Minute, 5), "g");
        CounterKey second = new(new CounterDefinition("second", Minute, 5), "g");
        int reads = 0;
        clock.OnRead = () =>
        {
            // Read 1 creates the first budget; read 2 creates the second.
            if (++reads == 2)
            {
                Assert.Equal(1, store.Sweep());
            }
        };

        ReservationResult result = await store.TryReserveAsync(new[] { new CounterRequest(first, 1), new CounterRequest(second, 1) });

        Assert.True(result.IsAdmitted);
        Assert.Equal(2, store.BudgetCount);
        clock.OnRead = null;
        Assert.Equal(4, CountRoom(store, first));
        Assert.Equal(4, CountRoom(store, second));
    }

    [Fact]
    public async Task Refund_CostNotPositive_Throws()
    {
        InMemoryCounterStore store = CreateSut();

        await Assert.ThrowsAsync<ArgumentOutOfRangeException>(async () => await store.RefundAsync(new[] { new CounterRequest(Key(Minute, 1), 0) }, 0));
    }

    [Fact]
    public async Task Refund_UnknownBudget_CreatesNone()
    {
        InMemoryCounterStore store = CreateSut();

        await store.RefundAsync(new[] { new CounterRequest(Key(Minute, 1), 1) }, _time.GetTimestamp());

        Assert.Equal(0, store.BudgetCount);
    }

    [Fact]
    public void Constructor_OptionsNotPositive_Throws()
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => new InMemoryCounterStore(_time, new InMemoryCounterStoreOptions { SweepInterval = TimeSpan.Zero }));
        Assert.Throws<ArgumentOutOfRangeException>(() => new InMemoryCounterStore(_time, new InMemoryCounterStoreOptions { MaxBudgets = 0 }));
    }

    [Fact]
    public async Task Constructor_OptionsChangedLater_NoEffect()
    {
        var options = new InMemoryCounterStoreOptions { MaxBudgets = 1 };
        var store = new InMemoryCounterStore(_time, options);
        options.MaxBudgets = 100;

        Assert.True((await ReserveAsync(store, Key(Minute, 1, "a"))).IsAdmitted);
        Assert.Equal(ReservationStatus.Unavailable, (await ReserveAsync(store, Key(Minute, 1, "b"))).Status);
    }

    [Fact]
    public async Task Timestamp_IsTheProvidersTimestamp()
    {
        InMemoryCounterStore store = CreateSut();

        ReservationResult result = await ReserveAsync(store, Key(Minute, 1));

        Assert.Equal(_time.GetTimestamp(), result.Timestamp);
    }

    [Fact]
    public async Task TryReserve_WallClockSetForward_BudgetStillCounts()
    {
        // An NTP step or a resumed virtual machine moves the wall clock, not the monotonic one the windows run on.
        var clock = new ManualTimeProvider(new DateTimeOffset(2026, 1, 1, 12, 0, 0, TimeSpan.Zero));
        var store = new InMemoryCounterStore(clock);
        CounterKey key = Key(Minute, 2);
        Assert.True((await ReserveAsync(store, key)).IsAdmitted);
        Assert.True((await ReserveAsync(store, key)).IsAdmitted);

        clock.WallClock += TimeSpan.FromHours(1);

        Assert.False((await ReserveAsync(store, key)).IsAdmitted);
    }

    [Theory]
    [InlineData(1_000_000_000L)] // Stopwatch on Linux and macOS
    [InlineData(3_579_545L)]     // a frequency that does not divide a second's ticks evenly
    public async Task TryReserve_ClockOfAnotherFrequency_SameWindowAndRetryAfter(long frequency)
    {
        var clock = new ManualTimeProvider(new DateTimeOffset(2026, 1, 1, 12, 0, 0, TimeSpan.Zero), frequency);
        var store = new InMemoryCounterStore(clock);
        CounterKey key = Key(Minute, 1);
        Assert.True((await ReserveAsync(store, key)).IsAdmitted);

        ReservationResult refused = await ReserveAsync(store, key);
        Assert.False(refused.IsAdmitted);
        TimeSpan wait = refused.RetryAfter!.Value;
        Assert.InRange(wait, Minute, Minute * 1.1);

        clock.Now += wait - TimeSpan.FromMilliseconds(1);
        Assert.False((await ReserveAsync(store, key)).IsAdmitted);
        clock.Now += TimeSpan.FromMilliseconds(1);
        Assert.True((await ReserveAsync(store, key)).IsAdmitted);
    }

    [Fact]
    public void Constructor_ClockWithoutAPositiveFrequency_Throws()
    {
        var clock = new ManualTimeProvider(DateTimeOffset.UnixEpoch, frequency: 0);

        Assert.Throws<ArgumentOutOfRangeException>(() => new InMemoryCounterStore(clock));
    }

    /// <summary>
    /// A clock that can go backwards, which <see cref="FakeTimeProvider"/> refuses to do, with a wall clock that moves
    /// on its own and timestamps of any frequency.
    /// </summary>
    private sealed class ManualTimeProvider(DateTimeOffset now, long frequency = TimeSpan.TicksPerSecond) : TimeProvider
    {
        public DateTimeOffset Now { get; set; } = now;

        /// <summary>What <see cref="GetUtcNow"/> adds to <see cref="Now"/>.</summary>
        public TimeSpan WallClock { get; set; }

        public override long TimestampFrequency => frequency;

        public override DateTimeOffset GetUtcNow() => Now + WallClock;

        // Now in the clock's units, exactly when the frequency is a multiple of a second's ticks.
        public override long GetTimestamp() => (long)((Int128)Now.UtcTicks * frequency / TimeSpan.TicksPerSecond);
    }

    private static int CountRoom(ICounterStore store, CounterKey key)
    {
        int room = 0;
        while (store.TryReserveAsync(new[] { new CounterRequest(key, 1) }).Result.IsAdmitted)
        {
            room++;
        }

        return room;
    }

    /// <summary>A fixed clock that runs a callback on every read, once at a time (the callback may read it too).</summary>
    private sealed class SweepOnReadTimeProvider(DateTimeOffset now) : TimeProvider
    {
        private bool _inCallback;

        public Action? OnRead { get; set; }

        public override long TimestampFrequency => TimeSpan.TicksPerSecond;

        public override long GetTimestamp() => GetUtcNow().UtcTicks;

        public override DateTimeOffset GetUtcNow()
        {
            if (OnRead is { } onRead && !_inCallback)
            {
                _inCallback = true;
                try
                {
                    onRead();
                }
                finally
                {
                    _inCallback = false;
                }
            }

            return now;
        }
    }
}
