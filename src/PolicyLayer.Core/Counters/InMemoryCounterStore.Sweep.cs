using System.Collections.Concurrent;
using System.Diagnostics;

namespace PolicyLayer.Counters;

// The sweep that drops budgets which count nothing any more, so memory stays bounded.
public sealed partial class InMemoryCounterStore
{
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
}
