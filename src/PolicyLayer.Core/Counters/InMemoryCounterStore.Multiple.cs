using System.Buffers;

namespace PolicyLayer.Counters;

// Reservations of several budgets at once: locked in one global order, checked together, reserved all or nothing.
public sealed partial class InMemoryCounterStore
{
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
                if ((entry.OverMax || entry.Cost > entry.Key.Counter.Max) && (neverIndex < 0 || entry.FirstIndex < neverIndex))
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
                // A total above the maximum can never be admitted and may not even be a decimal: note it instead of adding.
                ref Entry entry = ref entries[found];
                if (!entry.Key.Counter.HoldsBoth(entry.Cost, requests[i].Cost))
                {
                    entry.OverMax = true;
                }
                else
                {
                    entry.Cost += requests[i].Cost;
                }
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

    private ReservationResult CheckAndReserve(Span<Entry> entries, long now)
    {
        int refusedIndex = -1;
        long retryAfter = 0;
        foreach (ref Entry entry in entries)
        {
            SlidingWindowBudget budget = entry.Budget!;
            budget.AdvanceTo(now);
            if (!budget.HasRoomFor(entry.Cost))
            {
                // The refusal names the budget whose wait decides the retry (the earliest request of equal waits):
                // entries are in lock order here, not request order.
                long wait = budget.RetryAfterTicks(entry.Cost, now);
                if (refusedIndex < 0 || wait > retryAfter || (wait == retryAfter && entry.FirstIndex < refusedIndex))
                {
                    refusedIndex = entry.FirstIndex;
                    retryAfter = wait;
                }
            }
        }

        if (refusedIndex >= 0)
        {
            return ReservationResult.Refused(refusedIndex, ToTimeSpan(retryAfter));
        }

        foreach (ref Entry entry in entries)
        {
            entry.Budget!.Add(entry.Cost);
        }

        return ReservationResult.Admitted(now);
    }

    /// <summary>One distinct key of a multi-request reservation.</summary>
    private struct Entry
    {
        public CounterKey Key;
        public decimal Cost;
        public int FirstIndex;
        public SlidingWindowBudget? Budget;

        /// <summary>The requests for this key add up to more than its maximum (<see cref="Cost"/> stops short of that total).</summary>
        public bool OverMax;
    }
}
