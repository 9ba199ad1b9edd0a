using System.Collections.Concurrent;
using System.Runtime.CompilerServices;

namespace PolicyLayer.Counters;

/// <summary>
/// An <see cref="ICounterStore"/> that keeps every budget in this process's memory: for one host, or for tests.
/// </summary>
/// <remarks>
/// <para><b>Algorithm.</b> Each budget splits time into segments of a tenth of its window and keeps the cost
/// admitted in the current segment and the ten before it (11 segments). A request is admitted when the cost of
/// those segments plus its own is at most the counter's maximum. The 11 segments cover the whole of
/// <c>(t - window, t]</c>, so no more than the maximum is ever admitted in any window-length interval (no double
/// burst at a boundary), plus at most a tenth of a window before it.</para>
/// <para><b>Guarantee.</b> Never over-admits; when it refuses a request at time t, the cost admitted in
/// <c>(t - window - window/10, t]</c> plus the request's cost exceeds the maximum. So a refusal can come at
/// most a tenth of a window early, never an admission too many.</para>
/// <para><b>Retry-after.</b> For a refusal, the time until enough of the oldest counted segments have slid
/// out that every refusing budget has room (assuming nothing else is admitted meanwhile): a retry at exactly
/// that time succeeds, a retry earlier does not. <see langword="null"/> when a request costs more than its
/// counter's maximum.</para>
/// <para><b>Atomicity.</b> A reservation of several requests locks every budget involved in one global order
/// (each budget's creation number), so overlapping reservations cannot deadlock; it checks all, then reserves
/// all or nothing. Requests for the same key are added up first. A reservation of one request takes one
/// lock.</para>
/// <para><b>Time.</b> From the injected <see cref="TimeProvider"/>'s monotonic clock
/// (<see cref="TimeProvider.GetTimestamp"/>, in its <see cref="TimeProvider.TimestampFrequency"/> units), read under
/// the budgets' locks. The wall clock is never read: a wall clock set forward (an NTP step, a resumed virtual
/// machine) would otherwise make every budget look expired and admit a second full budget within one window. Windows
/// are converted to clock units rounded up, and waits back rounded up, so neither conversion admits early. If the
/// clock goes backwards, each budget's time stands still until the clock catches up with the latest time that budget
/// has seen (a reservation of several budgets uses the
/// latest of theirs), so a budget is never rewound and a reservation's <see cref="ReservationResult.Timestamp"/>
/// always names the segment its cost landed in; no lock or shared variable is taken for the clock itself; <see cref="RefundAsync"/> subtracts from that segment while it
/// still counts, never below zero.</para>
/// <para><b>Memory.</b> A budget that counts nothing any more (idle for longer than its window plus a
/// segment, or fully refunded) is equivalent to a new one and is dropped by a sweep that a reservation runs
/// every <see cref="InMemoryCounterStoreOptions.SweepInterval"/>; no timer. The store holds at most
/// <see cref="InMemoryCounterStoreOptions.MaxBudgets"/> budgets and answers
/// <see cref="ReservationStatus.Unavailable"/> rather than growing past it. A reservation that finds no new
/// budget to create allocates nothing.</para>
/// <para><b>Errors.</b> Both methods complete synchronously and ignore the cancellation token. They throw
/// only for caller bugs: a request with a default key or a cost that is not positive
/// (<see cref="ArgumentException"/>, <see cref="ArgumentOutOfRangeException"/>); the authorizer validates
/// costs before it reserves.</para>
/// <para>Thread-safe.</para>
/// </remarks>
public sealed partial class InMemoryCounterStore : ICounterStore
{
    private static readonly ReservationResult StoreFull = ReservationResult.Unavailable(
        "The in-memory counter store holds its maximum number of budgets (InMemoryCounterStoreOptions.MaxBudgets); " +
        "raise MaxBudgets, or use fewer distinct limit keys.");

    // Budgets of counters without a key path, by counter, then by partition: a plain string key hashes with the
    // runtime's fast string hash (which switches itself to a randomized one if collisions pile up), far cheaper
    // than a randomized hash of the composite key on every call. The per-counter tables are never removed (a
    // reserver may hold one while the sweep runs); there is one per distinct counter definition.
    private readonly ConcurrentDictionary<CounterDefinition, ConcurrentDictionary<string, SlidingWindowBudget>> _unkeyed = new();

    // Budgets of counters with a key path (partition and key value).
    private readonly ConcurrentDictionary<CounterKey, SlidingWindowBudget> _keyed = new();
    private readonly TimeProvider _timeProvider;
    private readonly long _sweepIntervalTicks;   // in clock units, like every time the store keeps
    private readonly long _ticksPerSecond;
    private readonly int _maxBudgets;
    private long _nextSweep;
    private long _lastSequence;
    private int _budgetCount;

    /// <summary>Creates an empty store.</summary>
    /// <param name="timeProvider">The clock; <see cref="TimeProvider.System"/> when <see langword="null"/>.</param>
    /// <param name="options">Sweep interval and size bound; the defaults when <see langword="null"/>. Copied, so later changes have no effect.</param>
    /// <exception cref="ArgumentOutOfRangeException">
    /// <see cref="InMemoryCounterStoreOptions.SweepInterval"/>, <see cref="InMemoryCounterStoreOptions.MaxBudgets"/> or the
    /// provider's <see cref="TimeProvider.TimestampFrequency"/> is not positive.
    /// </exception>
    public InMemoryCounterStore(TimeProvider? timeProvider = null, InMemoryCounterStoreOptions? options = null)
    {
        options ??= new InMemoryCounterStoreOptions();
        ArgumentOutOfRangeException.ThrowIfLessThanOrEqual(options.SweepInterval, TimeSpan.Zero, "options.SweepInterval");
        ArgumentOutOfRangeException.ThrowIfLessThanOrEqual(options.MaxBudgets, 0, "options.MaxBudgets");
        _timeProvider = timeProvider ?? TimeProvider.System;
        _ticksPerSecond = _timeProvider.TimestampFrequency;
        ArgumentOutOfRangeException.ThrowIfLessThanOrEqual(_ticksPerSecond, 0L, "timeProvider.TimestampFrequency");
        _sweepIntervalTicks = ToClockTicks(options.SweepInterval);
        _maxBudgets = options.MaxBudgets;
    }

    /// <summary>How many budgets the store holds now.</summary>
    internal int BudgetCount => Volatile.Read(ref _budgetCount);

    /// <inheritdoc />
    /// <exception cref="ArgumentException">A request has a default <see cref="CounterKey"/>.</exception>
    /// <exception cref="ArgumentOutOfRangeException">A request's cost is not positive.</exception>
    public ValueTask<ReservationResult> TryReserveAsync(ReadOnlyMemory<CounterRequest> requests, CancellationToken cancellationToken = default) =>
        new(Reserve(requests.Span));

    /// <summary>
    /// <see cref="TryReserveAsync"/> without the <see cref="ValueTask{TResult}"/>, which this store always completes at
    /// once: the authorizer reserves through it when this is its store, and reads the answer without unwrapping one.
    /// </summary>
    /// <exception cref="ArgumentException">A request has a default <see cref="CounterKey"/>.</exception>
    /// <exception cref="ArgumentOutOfRangeException">A request's cost is not positive.</exception>
    internal ReservationResult Reserve(ReadOnlySpan<CounterRequest> requests)
    {
        Validate(requests);
        if (requests.IsEmpty)
        {
            return ReservationResult.Admitted(ReadClock());
        }

        bool stored = requests.Length == 1 ? ReserveOne(requests[0], out ReservationResult result) : ReserveMany(requests, out result);
        return stored ? result : StoreFull;
    }

    /// <inheritdoc />
    /// <exception cref="ArgumentException">A request has a default <see cref="CounterKey"/>.</exception>
    /// <exception cref="ArgumentOutOfRangeException">A request's cost is not positive.</exception>
    public ValueTask RefundAsync(ReadOnlyMemory<CounterRequest> requests, long reservationTimestamp, CancellationToken cancellationToken = default)
    {
        ReadOnlySpan<CounterRequest> span = requests.Span;
        Validate(span);
        foreach (ref readonly CounterRequest request in span)
        {
            // A budget that is gone counted nothing, so there is nothing to give back: never create one here.
            if (FindBudget(request.Key) is not { } budget)
            {
                continue;
            }

            budget.Enter();
            try
            {
                if (!budget.IsRemoved)
                {
                    budget.AdvanceTo(ReadClock());
                    budget.Refund(request.Cost, reservationTimestamp);
                }
            }
            finally
            {
                budget.Exit();
            }
        }

        return default;
    }

    /// <summary>Drops every budget that counts nothing now.</summary>
    /// <returns>How many budgets were dropped.</returns>
    internal int Sweep() => Sweep(ReadClock());

    private static void Validate(ReadOnlySpan<CounterRequest> requests)
    {
        for (int i = 0; i < requests.Length; i++)
        {
            if (requests[i].Key.Counter is null)
            {
                throw new ArgumentException($"Request {i} has a default CounterKey; create keys with the CounterKey constructor.", nameof(requests));
            }

            if (requests[i].Cost <= 0m)
            {
                throw new ArgumentOutOfRangeException(nameof(requests), requests[i].Cost, $"Request {i} ({requests[i].Key}) has a cost that is not positive; costs must be validated before reserving.");
            }
        }
    }

    /// <returns><see langword="false"/> when the store is full.</returns>
    private bool ReserveOne(in CounterRequest request, out ReservationResult result)
    {
        if (request.Cost > request.Key.Counter.Max)
        {
            result = ReservationResult.Refused(0, null);
            return true;
        }

        while (true)
        {
            SlidingWindowBudget? budget = GetOrCreateBudget(request.Key);
            if (budget is null)
            {
                result = default;
                return false;
            }

            long now;
            budget.Enter();
            try
            {
                if (budget.IsRemoved)
                {
                    continue;
                }

                now = budget.AdvanceTo(ReadClock());
                if (budget.HasRoomFor(request.Cost))
                {
                    budget.Add(request.Cost);
                    result = ReservationResult.Admitted(now);
                }
                else
                {
                    result = Refused(budget, request.Cost, now);
                }
            }
            finally
            {
                budget.Exit();
            }

            SweepIfDue(now);
            return true;
        }
    }

    // Apart from ReserveOne, so that its frame does not carry the refusal's temporaries on every admitted call.
    [MethodImpl(MethodImplOptions.NoInlining)]
    private ReservationResult Refused(SlidingWindowBudget budget, decimal cost, long now) =>
        ReservationResult.Refused(0, ToTimeSpan(budget.RetryAfterTicks(cost, now)));

    private SlidingWindowBudget? FindBudget(in CounterKey key)
    {
        if (key.KeyValue is not null)
        {
            return _keyed.TryGetValue(key, out SlidingWindowBudget? keyed) ? keyed : null;
        }

        return _unkeyed.TryGetValue(key.Counter, out var partitions) && partitions.TryGetValue(key.Partition, out SlidingWindowBudget? budget) ? budget : null;
    }

    private SlidingWindowBudget? GetOrCreateBudget(in CounterKey key) => FindBudget(key) ?? CreateBudget(key);

    /// <summary>Adds a budget for <paramref name="key"/>, or returns the one another thread added first; <see langword="null"/> when the store is full.</summary>
    private SlidingWindowBudget? CreateBudget(in CounterKey key)
    {
        ConcurrentDictionary<string, SlidingWindowBudget>? partitions = key.KeyValue is null
            ? _unkeyed.GetOrAdd(key.Counter, static _ => new ConcurrentDictionary<string, SlidingWindowBudget>(StringComparer.Ordinal))
            : null;
        while (true)
        {
            if (Volatile.Read(ref _budgetCount) >= _maxBudgets)
            {
                SweepIfDue(ReadClock());
                if (Volatile.Read(ref _budgetCount) >= _maxBudgets)
                {
                    return null;
                }
            }

            var created = new SlidingWindowBudget(ToClockTicks(key.Counter.Window), key.Counter.Max, Interlocked.Increment(ref _lastSequence), ReadClock());
            if (partitions is null ? _keyed.TryAdd(key, created) : partitions.TryAdd(key.Partition, created))
            {
                Interlocked.Increment(ref _budgetCount);
                return created;
            }

            if (FindBudget(key) is { } existing)
            {
                return existing;
            }
        }
    }

    /// <summary>The provider's timestamp. Each budget keeps its own time from going backwards (see <see cref="SlidingWindowBudget.AdvanceTo"/>).</summary>
    private long ReadClock() => _timeProvider.GetTimestamp();

    /// <summary>A duration in clock units, rounded up (so a window is never shorter than the counter's).</summary>
    private long ToClockTicks(TimeSpan duration) => Convert(duration.Ticks, _ticksPerSecond, TimeSpan.TicksPerSecond);

    /// <summary>A wait in clock units as a <see cref="TimeSpan"/>, rounded up (so a retry after it is never early).</summary>
    private TimeSpan ToTimeSpan(long clockTicks) => TimeSpan.FromTicks(Convert(clockTicks, TimeSpan.TicksPerSecond, _ticksPerSecond));

    /// <summary>ceil(value · to / from), saturating: a duration from units of which <paramref name="from"/> make a second to units of which <paramref name="to"/> do.</summary>
    private static long Convert(long value, long to, long from)
    {
        if (to == from)
        {
            return value;
        }

        Int128 converted = (((Int128)value * to) + (from - 1)) / from;
        return converted > long.MaxValue ? long.MaxValue : (long)converted;
    }

}
