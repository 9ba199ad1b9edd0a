using System.Diagnostics;

namespace PolicyLayer.Counters;

/// <summary>
/// One budget of <see cref="InMemoryCounterStore"/>: the cost admitted in each of the last 11 tenths of a window.
/// </summary>
/// <remarks>
/// <para>Time is cut into segments of a tenth of the window, numbered from tick zero: segment <c>k</c> is
/// <c>[k·window/10, (k+1)·window/10)</c>, with exact rational boundaries so that windows that are not a
/// multiple of ten ticks keep the bound. At a time <c>t</c> in segment <c>k</c> the budget counts segments
/// <c>k-10 … k</c>, which start at <c>k·window/10 - window &lt;= t - window</c> and after
/// <c>t - window - window/10</c>: every admission of <c>(t - window, t]</c> is counted (never over-admits),
/// and nothing older than <c>t - window - window/10</c> is (the refusing-side approximation stays within a
/// tenth of the window).</para>
/// <para>Not thread-safe by itself: every member except <see cref="Sequence"/> is used under the budget's lock
/// (<see cref="Enter"/> / <see cref="Exit"/>), which the store takes in <see cref="Sequence"/> order.</para>
/// </remarks>
internal sealed class SlidingWindowBudget
{
    /// <summary>Segments counted at any time: the current one and the ten before it.</summary>
    internal const int CountedSegments = SegmentAmounts.Count;

    private const int SegmentsPerWindow = 10;

#if NET9_0_OR_GREATER
    private readonly Lock _lock = new();
#else
    private readonly object _lock = new();
#endif
    private readonly long _windowTicks;
    private SegmentAmounts _amounts;          // inside the budget: no second object to fetch on every call
    private long _currentSegment;
    private int _currentSlot;
    private long _nextSegmentStart;
    private long _lastTicks;

    /// <summary>Creates an empty budget.</summary>
    /// <param name="windowTicks">The counter's window in the store's clock units (every time a budget takes and keeps is in those units); positive.</param>
    /// <param name="max">The counter's maximum; positive.</param>
    /// <param name="sequence">The store-wide unique number that orders lock acquisition.</param>
    /// <param name="nowTicks">The store's time now, so that the first admission does not clear anything.</param>
    public SlidingWindowBudget(long windowTicks, decimal max, long sequence, long nowTicks)
    {
        Debug.Assert(windowTicks > 0 && max > 0m, "CounterDefinition validates window and max.");
        _windowTicks = windowTicks;
        _amounts = new SegmentAmounts(max);
        Sequence = sequence;
        _currentSegment = SegmentOf(nowTicks);
        _currentSlot = SlotOf(_currentSegment);
        _nextSegmentStart = StartOf(_currentSegment + 1);
        _lastTicks = nowTicks;
    }

    /// <summary>The latest time the budget has been advanced to: its own time never goes backwards.</summary>
    public long LastTicks => _lastTicks;

    /// <summary>The order in which budgets are locked together; unique per store.</summary>
    public long Sequence { get; }

    /// <summary>Set, under the lock, when the store has dropped this budget; a reserver that sees it looks up again.</summary>
    public bool IsRemoved { get; set; }

    /// <summary>The cost counted now (after <see cref="AdvanceTo"/>).</summary>
    public decimal Total => _amounts.Total;

    /// <summary>The counter's maximum.</summary>
    public decimal Max => _amounts.Max;

    /// <summary>Takes the budget's lock.</summary>
    public void Enter()
    {
#if NET9_0_OR_GREATER
        _lock.Enter();
#else
        Monitor.Enter(_lock);
#endif
    }

    /// <summary>Takes the budget's lock if it is free.</summary>
    /// <returns><see langword="true"/> when taken.</returns>
    public bool TryEnter()
    {
#if NET9_0_OR_GREATER
        return _lock.TryEnter();
#else
        return Monitor.TryEnter(_lock);
#endif
    }

    /// <summary>Releases the budget's lock.</summary>
    public void Exit()
    {
#if NET9_0_OR_GREATER
        _lock.Exit();
#else
        Monitor.Exit(_lock);
#endif
    }

    /// <summary>Slides the window to <paramref name="nowTicks"/>: segments that no longer count are cleared.</summary>
    /// <param name="nowTicks">The clock's time.</param>
    /// <returns>
    /// The budget's time: <paramref name="nowTicks"/>, or the latest time it was advanced to when the clock has
    /// gone back since. A timestamp taken from it always names the segment a cost added now lands in.
    /// </returns>
    public long AdvanceTo(long nowTicks)
    {
        if (nowTicks <= _lastTicks)
        {
            return _lastTicks;
        }

        _lastTicks = nowTicks;

        // Most calls land in the current segment: no division needed.
        if (nowTicks < _nextSegmentStart)
        {
            return nowTicks;
        }

        long segment = SegmentOf(nowTicks);
        long steps = segment - _currentSegment;
        if (steps <= 0)
        {
            // Only when segment numbers saturate at the end of representable time.
            return nowTicks;
        }

        if (steps >= CountedSegments)
        {
            _amounts.ClearAll();
        }
        else
        {
            for (long s = _currentSegment + 1; s <= segment; s++)
            {
                _amounts.Clear(SlotOf(s));
            }
        }

        _currentSegment = segment;
        _currentSlot = SlotOf(segment);
        _nextSegmentStart = StartOf(segment + 1);
        return nowTicks;
    }

    /// <summary>Whether <paramref name="cost"/> fits now (call <see cref="AdvanceTo"/> first).</summary>
    /// <param name="cost">The cost; positive.</param>
    /// <returns><see langword="true"/> when the counted cost plus <paramref name="cost"/> is at most the maximum.</returns>
    public bool HasRoomFor(decimal cost) => _amounts.HasRoomFor(cost);

    /// <summary>Adds <paramref name="cost"/> to the current segment (call <see cref="HasRoomFor"/> first).</summary>
    /// <param name="cost">The cost; positive.</param>
    public void Add(decimal cost) => _amounts.Add(_currentSlot, cost);

    /// <summary>Gives back up to <paramref name="cost"/> from the segment a reservation at <paramref name="reservationTicks"/> landed in.</summary>
    /// <param name="cost">The reserved cost.</param>
    /// <param name="reservationTicks">The reservation's timestamp.</param>
    /// <remarks>Does nothing when that segment no longer counts; never takes a segment below zero, so a
    /// duplicate or bogus refund cannot make room beyond what was admitted.</remarks>
    public void Refund(decimal cost, long reservationTicks)
    {
        long segment = SegmentOf(reservationTicks);
        if (segment > _currentSegment || segment <= _currentSegment - CountedSegments)
        {
            return;
        }

        _amounts.Subtract(SlotOf(segment), cost);
    }

    /// <summary>
    /// How long after <paramref name="nowTicks"/> enough of the counted segments have slid out for
    /// <paramref name="cost"/> to fit, assuming nothing else is admitted.
    /// </summary>
    /// <param name="cost">The cost; at most <see cref="Max"/>.</param>
    /// <param name="nowTicks">The store's time (the budget has been advanced to it).</param>
    /// <returns>The wait in clock units; zero when the cost fits now.</returns>
    public long RetryAfterTicks(decimal cost, long nowTicks)
    {
        Debug.Assert(cost <= Max, "A cost above the maximum never fits.");
        // cost - room, not total + cost - max: the total plus the cost can exceed the largest decimal when the
        // maximum is more than half of it, while the room (max - total) and this difference are both within range.
        decimal mustSlideOut = cost - (Max - _amounts.Total);
        if (mustSlideOut <= 0m)
        {
            return 0;
        }

        // The oldest counted segment (current - 10) shares its slot with current + 1. Once all 11 have slid out,
        // everything has, which is enough because cost <= max.
        int slot = NextSlot(_currentSlot);
        decimal freed = 0m;
        int dropped = 0;
        while (dropped < CountedSegments)
        {
            freed += _amounts[slot];
            dropped++;
            if (freed >= mustSlideOut)
            {
                break;
            }

            slot = NextSlot(slot);
        }

        // Segment oldest + dropped - 1 stops counting when segment currentSegment + dropped begins.
        return Math.Max(StartOf(_currentSegment + dropped) - nowTicks, 0);
    }

    /// <summary>Whether the budget counts nothing at <paramref name="nowTicks"/>, so it is equivalent to a new one.</summary>
    /// <param name="nowTicks">The store's time.</param>
    /// <returns><see langword="true"/> when it can be dropped without changing any answer.</returns>
    public bool IsEmptyAt(long nowTicks)
    {
        AdvanceTo(nowTicks);
        return _amounts.Total == 0m;
    }

    private static int NextSlot(int slot) => slot == CountedSegments - 1 ? 0 : slot + 1;

    private static int SlotOf(long segment) => (int)(((segment % CountedSegments) + CountedSegments) % CountedSegments);

    /// <summary>floor(ticks · 10 / window), without overflow for any tick count and window.</summary>
    private long SegmentOf(long ticks)
    {
        if (_windowTicks is >= SegmentsPerWindow and <= long.MaxValue / SegmentsPerWindow)
        {
            long whole = Math.DivRem(ticks, _windowTicks, out long rest);
            return (whole * SegmentsPerWindow) + (rest * SegmentsPerWindow / _windowTicks);
        }

        // Windows under ten ticks, or so long that ten of them overflow: exact in 128 bits.
        Int128 segment = (Int128)ticks * SegmentsPerWindow / _windowTicks;
        return segment > long.MaxValue ? long.MaxValue : (long)segment;
    }

    /// <summary>The first tick of <paramref name="segment"/>: ceil(segment · window / 10), saturating.</summary>
    private long StartOf(long segment)
    {
        if (_windowTicks <= long.MaxValue / SegmentsPerWindow && segment >= 0)
        {
            // segment = 10·whole + tenth, so the start is whole·window + ceil(tenth·window / 10): no overflow below
            // the last representable tick.
            long whole = Math.DivRem(segment, SegmentsPerWindow, out long tenth);
            long wholeTicks = whole <= long.MaxValue / _windowTicks ? whole * _windowTicks : long.MaxValue;
            long tenthTicks = ((tenth * _windowTicks) + (SegmentsPerWindow - 1)) / SegmentsPerWindow;
            return wholeTicks > long.MaxValue - tenthTicks ? long.MaxValue : wholeTicks + tenthTicks;
        }

        Int128 start = (((Int128)segment * _windowTicks) + (SegmentsPerWindow - 1)) / SegmentsPerWindow;
        return start > long.MaxValue ? long.MaxValue : (long)start;
    }
}
