using PolicyLayer.Counters;

namespace PolicyLayer.Tests.Counters;

/// <summary>
/// The exact record of what a store admitted and has not had refunded, reservation by reservation: the reference
/// model the store's property tests check it against.
/// </summary>
internal sealed class ExactAdmissions
{
    private readonly List<(long Ticks, CounterRequest[] Requests)> _admitted = [];

    public void Admit(long ticks, params CounterRequest[] requests) => _admitted.Add((ticks, requests));

    /// <summary>Forgets the admitted reservation at <paramref name="pick"/> (modulo their count) and returns it; <see langword="null"/> when there is none.</summary>
    public (long Ticks, CounterRequest[] Requests)? Refund(int pick)
    {
        if (_admitted.Count == 0)
        {
            return null;
        }

        var refunded = _admitted[pick % _admitted.Count];
        _admitted.Remove(refunded);
        return refunded;
    }

    /// <summary>The cost admitted on <paramref name="counter"/> in (t - tenths/10 · window, t], exactly.</summary>
    public decimal CostAfter(CounterDefinition counter, long t, int tenthsOfWindow) =>
        _admitted
            .Where(a => a.Ticks <= t && (10 * (a.Ticks - t)) + (tenthsOfWindow * counter.Window.Ticks) > 0)
            .SelectMany(a => a.Requests)
            .Where(r => r.Key.Counter.Equals(counter))
            .Sum(r => r.Cost);
}
