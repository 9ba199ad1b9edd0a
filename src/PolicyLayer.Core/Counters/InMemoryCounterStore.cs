using System.Buffers;
using System.Collections.Concurrent;
using System.Diagnostics;
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
/// <para><b>Time.</b> From the injected <see cref="TimeProvider"/> (<see cref="TimeProvider.GetUtcNow"/>
/// ticks), read under the budgets' locks. If the clock goes backwards, each budget's time stands still until
/// the clock catches up with the latest time that budget has seen (a reservation of several budgets uses the
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
public sealed class InMemoryCounterStore : ICounterStore
{
    private static readonly ValueTask<ReservationResult> StoreFull = new(ReservationResult.Unavailable(
        "The in-memory counter store holds its maximum number of budgets (InMemoryCounterStoreOptions.MaxBudgets); " +
        "raise MaxBudgets, or use fewer distinct limit keys."));

    // Budgets of counters without a key path, by counter, then by partition: a plain string key hashes with the
    // runtime's fast string hash (which switches itself to a randomized one if collisions pile up), far cheaper
    // than a randomized hash of the composite key on every call. The per-counter tables are never removed (a
    // reserver may hold one while the sweep runs); there is one per distinct counter definition.
    private readonly ConcurrentDictionary<CounterDefinition, ConcurrentDictionary<string, SlidingWindowBudget>> _unkeyed = new();

    // Budgets of counters with a key path (partition and key value).
    private readonly ConcurrentDictionary<CounterKey, SlidingWindowBudget> _keyed = new();
    private readonly TimeProvider _timeProvider;
    private readonly long _sweepIntervalTicks;
    private readonly int _maxBudgets;
    private long _nextSweep;
    private long _lastSequence;
    private int _budgetCount;

    /// <summary>Creates an empty store.</summary>
    /// <param name="timeProvider">The clock; <see cref="TimeProvider.System"/> when <see langword="null"/>.</param>
    /// <param name="options">Sweep interval and size bound; the defaults when <see langword="null"/>. Copied, so later changes have no effect.</param>
    /// <exception cref="ArgumentOutOfRangeException">
    /// <see cref="InMemoryCounterStoreOptions.SweepInterval"/> or <see cref="InMemoryCounterStoreOptions.MaxBudgets"/> is not positive.
    /// </exception>
    public InMemoryCounterStore(TimeProvider? timeProvider = null, InMemoryCounterStoreOptions? options = null)
    {
        options ??= new InMemoryCounterStoreOptions();
        ArgumentOutOfRangeException.ThrowIfLessThanOrEqual(options.SweepInterval, TimeSpan.Zero, "options.SweepInterval");
        ArgumentOutOfRangeException.ThrowIfLessThanOrEqual(options.MaxBudgets, 0, "options.MaxBudgets");
        _timeProvider = timeProvider ?? TimeProvider.System;
        _sweepIntervalTicks = options.SweepInterval.Ticks;
        _maxBudgets = options.MaxBudgets;
    }

    /// <summary>How many budgets the store holds now.</summary>
    internal int BudgetCount => Volatile.Read(ref _budgetCount);

    /// <inheritdoc />
    /// <exception cref="ArgumentException">A request has a default <see cref="CounterKey"/>.</exception>
    /// <exception cref="ArgumentOutOfRangeException">A request's cost is not positive.</exception>
    public ValueTask<ReservationResult> TryReserveAsync(ReadOnlyMemory<CounterRequest> requests, CancellationToken cancellationToken = default)
    {
        ReadOnlySpan<CounterRequest> span = requests.Span;
        Validate(span);
        if (span.IsEmpty)
        {
            return new(ReservationResult.Admitted(ReadClock()));
        }

        bool stored = span.Length == 1 ? ReserveOne(span[0], out ReservationResult result) : ReserveMany(span, out result);
        return stored ? new(result) : StoreFull;
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
    private static ReservationResult Refused(SlidingWindowBudget budget, decimal cost, long now) =>
        ReservationResult.Refused(0, budget.RetryAfter(cost, now));

    /// <returns><see langword="false"/> when the store is full.</returns>
    private bool ReserveMany(ReadOnlySpan<CounterRequest> requests, out ReservationResult result)
    {
        Entry[] rented = ArrayPool<Entry>.Shared.Rent(requests.Length);
        try
        {
            Span<Entry> entries = rented.AsSpan(0, Combine(requests, rented));
            int neverIndex = -1;
            foreach (ref Entry entry in entries)
            {
                if (entry.Cost > entry.Key.Counter.Max && (neverIndex < 0 || entry.FirstIndex < neverIndex))
                {
                    neverIndex = entry.FirstIndex;
                }
            }

            if (neverIndex >= 0)
            {
                result = ReservationResult.Refused(neverIndex, null);
                return true;
            }

            while (true)
            {
                if (!ResolveBudgets(entries))
                {
                    result = default;
                    return false;
                }

                SortBySequence(entries);
                int locked = 0;
                try
                {
                    bool anyRemoved = false;
                    for (; locked < entries.Length; locked++)
                    {
                        entries[locked].Budget!.Enter();
                        anyRemoved |= entries[locked].Budget!.IsRemoved;
                    }

                    if (anyRemoved)
                    {
                        // Release before forgetting: the finally block releases through the entries' budgets.
                        ReleaseAll(entries, ref locked);
                        ForgetRemoved(entries);
                        continue;
                    }

                    long now = CommonTime(entries, ReadClock());
                    result = CheckAndReserve(entries, now);
                    ReleaseAll(entries, ref locked);
                    SweepIfDue(now);
                    return true;
                }
                finally
                {
                    ReleaseAll(entries, ref locked);
                }
            }
        }
        finally
        {
            ArrayPool<Entry>.Shared.Return(rented, clearArray: true);
        }
    }

    /// <summary>Adds up the costs of requests for the same key; returns the number of distinct keys.</summary>
    private static int Combine(ReadOnlySpan<CounterRequest> requests, Entry[] entries)
    {
        int count = 0;
        for (int i = 0; i < requests.Length; i++)
        {
            int found = -1;
            for (int j = 0; j < count; j++)
            {
                if (entries[j].Key.Equals(requests[i].Key))
                {
                    found = j;
                    break;
                }
            }

            if (found >= 0)
            {
                entries[found].Cost += requests[i].Cost;
            }
            else
            {
                entries[count++] = new Entry { Key = requests[i].Key, Cost = requests[i].Cost, FirstIndex = i };
            }
        }

        return count;
    }

    private bool ResolveBudgets(Span<Entry> entries)
    {
        foreach (ref Entry entry in entries)
        {
            entry.Budget ??= GetOrCreateBudget(entry.Key);
            if (entry.Budget is null)
            {
                return false;
            }
        }

        return true;
    }

    /// <summary>Insertion sort: the lists are a handful of limits long.</summary>
    private static void SortBySequence(Span<Entry> entries)
    {
        for (int i = 1; i < entries.Length; i++)
        {
            Entry current = entries[i];
            int j = i - 1;
            while (j >= 0 && entries[j].Budget!.Sequence > current.Budget!.Sequence)
            {
                entries[j + 1] = entries[j];
                j--;
            }

            entries[j + 1] = current;
        }
    }

    private static void ForgetRemoved(Span<Entry> entries)
    {
        foreach (ref Entry entry in entries)
        {
            if (entry.Budget!.IsRemoved)
            {
                entry.Budget = null;
            }
        }
    }

    private static void ReleaseAll(Span<Entry> entries, ref int locked)
    {
        while (locked > 0)
        {
            entries[--locked].Budget!.Exit();
        }
    }

    /// <summary>
    /// The time a multi-budget reservation is made at: the clock, or the latest time any of its (locked) budgets
    /// has seen if that is later, so that no budget is rewound and the timestamp names the segment the cost lands
    /// in for each of them.
    /// </summary>
    private static long CommonTime(Span<Entry> entries, long clock)
    {
        long now = clock;
        foreach (ref Entry entry in entries)
        {
            now = Math.Max(now, entry.Budget!.LastTicks);
        }

        return now;
    }

    private static ReservationResult CheckAndReserve(Span<Entry> entries, long now)
    {
        int refusedIndex = -1;
        TimeSpan retryAfter = TimeSpan.Zero;
        foreach (ref Entry entry in entries)
        {
            SlidingWindowBudget budget = entry.Budget!;
            budget.AdvanceTo(now);
            if (!budget.HasRoomFor(entry.Cost))
            {
                refusedIndex = refusedIndex < 0 ? entry.FirstIndex : Math.Min(refusedIndex, entry.FirstIndex);
                TimeSpan wait = budget.RetryAfter(entry.Cost, now);
                retryAfter = wait > retryAfter ? wait : retryAfter;
            }
        }

        if (refusedIndex >= 0)
        {
            return ReservationResult.Refused(refusedIndex, retryAfter);
        }

        foreach (ref Entry entry in entries)
        {
            entry.Budget!.Add(entry.Cost);
        }

        return ReservationResult.Admitted(now);
    }

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

            var created = new SlidingWindowBudget(key.Counter.Window, key.Counter.Max, Interlocked.Increment(ref _lastSequence), ReadClock());
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

    /// <summary>The provider's UTC ticks. Each budget keeps its own time from going backwards (see <see cref="SlidingWindowBudget.AdvanceTo"/>).</summary>
    private long ReadClock() => _timeProvider.GetUtcNow().UtcTicks;

    private void SweepIfDue(long now)
    {
        long due = Volatile.Read(ref _nextSweep);
        if (now < due)
        {
            return;
        }

        long next = now > long.MaxValue - _sweepIntervalTicks ? long.MaxValue : now + _sweepIntervalTicks;
        if (Interlocked.CompareExchange(ref _nextSweep, next, due) == due)
        {
            Sweep(now);
        }
    }

    private int Sweep(long now)
    {
        int dropped = 0;
        foreach (KeyValuePair<CounterDefinition, ConcurrentDictionary<string, SlidingWindowBudget>> table in _unkeyed)
        {
            foreach (KeyValuePair<string, SlidingWindowBudget> pair in table.Value)
            {
                dropped += TryDrop(table.Value, pair, now) ? 1 : 0;
            }
        }

        foreach (KeyValuePair<CounterKey, SlidingWindowBudget> pair in _keyed)
        {
            dropped += TryDrop(_keyed, pair, now) ? 1 : 0;
        }

        return dropped;
    }

    /// <summary>Drops a budget that counts nothing; skips one that is locked right now (in use) rather than wait.</summary>
    private bool TryDrop<TKey>(ConcurrentDictionary<TKey, SlidingWindowBudget> table, KeyValuePair<TKey, SlidingWindowBudget> pair, long now)
        where TKey : notnull
    {
        SlidingWindowBudget budget = pair.Value;
        if (!budget.TryEnter())
        {
            return false;
        }

        try
        {
            if (budget.IsRemoved || !budget.IsEmptyAt(now))
            {
                return false;
            }

            // Marked under the lock, so a reserver that already holds this budget looks it up again.
            budget.IsRemoved = true;
            bool removed = table.TryRemove(pair);
            Debug.Assert(removed, "Only the sweep removes, and only budgets it has not marked yet.");
            Interlocked.Decrement(ref _budgetCount);
            return true;
        }
        finally
        {
            budget.Exit();
        }
    }

    /// <summary>One distinct key of a multi-request reservation.</summary>
    private struct Entry
    {
        public CounterKey Key;
        public decimal Cost;
        public int FirstIndex;
        public SlidingWindowBudget? Budget;
    }
}
