namespace PolicyLayer.Counters;

/// <summary>One part of an atomic reservation: a budget and the cost to take from it.</summary>
public readonly struct CounterRequest
{
    /// <summary>Creates a request.</summary>
    /// <param name="key">The budget.</param>
    /// <param name="cost">The cost to reserve; positive.</param>
    public CounterRequest(CounterKey key, decimal cost)
    {
        Key = key;
        Cost = cost;
    }

    /// <summary>The budget.</summary>
    public CounterKey Key { get; }

    /// <summary>The cost to reserve.</summary>
    public decimal Cost { get; }
}
