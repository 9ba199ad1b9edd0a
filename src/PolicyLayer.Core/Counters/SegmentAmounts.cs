using System.Diagnostics;
using System.Runtime.CompilerServices;

namespace PolicyLayer.Counters;

/// <summary>
/// The cost admitted in each counted segment of a <see cref="SlidingWindowBudget"/>, and their sum.
/// </summary>
/// <remarks>
/// Whole costs (a call that counts 1, a quantity) are kept as <see cref="long"/>: their arithmetic costs a fraction of
/// <see cref="decimal"/>'s on every admission, and they take half the memory. The first cost with a fraction (a
/// spend of 12.50), or a maximum beyond <see cref="long"/>, moves the amounts to <see cref="decimal"/> for good, so
/// the result is always exact. Amounts are never negative and their sum never exceeds the maximum, so whole
/// arithmetic cannot overflow. A mutable struct: use it only as a field, through its methods.
/// </remarks>
internal struct SegmentAmounts
{
    /// <summary>Segments a budget counts: the current one and the ten before it.</summary>
    public const int Count = 11;

    private readonly decimal _max;
    private readonly long _wholeMax;   // floor(max), the most whole costs can add up to
    private WholeSegments _whole;
    private long _wholeTotal;
    private Exact? _exact;             // set once any amount has a fraction; then the whole fields are unused

    /// <summary>Creates empty amounts under a maximum.</summary>
    /// <param name="max">The counter's maximum; positive.</param>
    public SegmentAmounts(decimal max)
    {
        Debug.Assert(max > 0m, "CounterDefinition validates max.");
        _max = max;
        if (max <= long.MaxValue)
        {
            _wholeMax = (long)decimal.Floor(max);
        }
        else
        {
            _exact = new Exact();
        }
    }

    /// <summary>The cost counted in all segments.</summary>
    public readonly decimal Total => _exact is { } exact ? exact.Total : _wholeTotal;

    /// <summary>The counter's maximum.</summary>
    public readonly decimal Max => _max;

    /// <summary>The cost admitted in the segment at <paramref name="slot"/>.</summary>
    public readonly decimal this[int slot] => _exact is { } exact ? exact.Segments[slot] : _whole[slot];

    /// <summary>Whether <paramref name="cost"/> fits: the counted cost plus it is at most the maximum.</summary>
    /// <param name="cost">A positive cost.</param>
    public readonly bool HasRoomFor(decimal cost)
    {
        if (_exact is { } exact)
        {
            return cost <= _max - exact.Total;
        }

        return IsWhole(cost, out long whole) ? whole <= _wholeMax - _wholeTotal : cost <= _max - _wholeTotal;
    }

    /// <summary>Adds <paramref name="cost"/> to the segment at <paramref name="slot"/> (after <see cref="HasRoomFor"/>).</summary>
    /// <param name="slot">The segment's slot.</param>
    /// <param name="cost">A positive cost that fits.</param>
    public void Add(int slot, decimal cost)
    {
        if (_exact is null && IsWhole(cost, out long whole))
        {
            _whole[slot] += whole;
            _wholeTotal += whole;
        }
        else
        {
            Exact exact = _exact ?? ToExact();
            exact.Segments[slot] += cost;
            exact.Total += cost;
        }

        Debug.Assert(Total <= _max, "Add is only called after HasRoomFor.");
    }

    /// <summary>Takes up to <paramref name="cost"/> out of the segment at <paramref name="slot"/>, never below zero.</summary>
    /// <param name="slot">The segment's slot.</param>
    /// <param name="cost">The cost to give back.</param>
    public void Subtract(int slot, decimal cost)
    {
        if (_exact is null && IsWhole(cost, out long whole))
        {
            long given = Math.Min(whole, _whole[slot]);
            _whole[slot] -= given;
            _wholeTotal -= given;
            return;
        }

        Exact exact = _exact ?? ToExact();
        decimal taken = Math.Min(cost, exact.Segments[slot]);
        exact.Segments[slot] -= taken;
        exact.Total -= taken;
    }

    /// <summary>Empties the segment at <paramref name="slot"/>, which no longer counts.</summary>
    /// <param name="slot">The segment's slot.</param>
    public void Clear(int slot)
    {
        if (_exact is { } exact)
        {
            exact.Total -= exact.Segments[slot];
            exact.Segments[slot] = 0m;
        }
        else
        {
            _wholeTotal -= _whole[slot];
            _whole[slot] = 0;
        }
    }

    /// <summary>Empties every segment.</summary>
    public void ClearAll()
    {
        if (_exact is { } exact)
        {
            ((Span<decimal>)exact.Segments).Clear();
            exact.Total = 0m;
        }
        else
        {
            ((Span<long>)_whole).Clear();
            _wholeTotal = 0;
        }
    }

    /// <summary>A positive cost as a whole number, when it is one.</summary>
    private static bool IsWhole(decimal cost, out long whole)
    {
        // A scale of zero is the usual case (1, 3); "2.0" is whole too, but has a scale.
        if (cost <= long.MaxValue && (cost.Scale == 0 || decimal.IsInteger(cost)))
        {
            whole = (long)cost;
            return true;
        }

        whole = 0;
        return false;
    }

    // Kept out of line: it runs at most once per budget.
    [MethodImpl(MethodImplOptions.NoInlining)]
    private Exact ToExact()
    {
        var exact = new Exact { Total = _wholeTotal };
        for (int slot = 0; slot < Count; slot++)
        {
            exact.Segments[slot] = _whole[slot];
        }

        _exact = exact;
        return exact;
    }

    [InlineArray(Count)]
    private struct WholeSegments
    {
        private long _first;
    }

    [InlineArray(Count)]
    private struct ExactSegments
    {
        private decimal _first;
    }

    private sealed class Exact
    {
        public ExactSegments Segments;
        public decimal Total;
    }
}
