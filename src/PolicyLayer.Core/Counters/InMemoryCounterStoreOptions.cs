namespace PolicyLayer.Counters;

/// <summary>Options of <see cref="InMemoryCounterStore"/>.</summary>
public sealed class InMemoryCounterStoreOptions
{
    /// <summary>
    /// How often, in the store's time, a reservation sweeps out budgets that count nothing any more (idle for
    /// longer than their window, or fully refunded). Default: 10 seconds. The sweep runs on the reserving call,
    /// costs time proportional to the number of budgets, and never changes an answer.
    /// </summary>
    public TimeSpan SweepInterval { get; set; } = TimeSpan.FromSeconds(10);

    /// <summary>
    /// The most budgets the store holds at once. Default: 1,000,000. When it is full and a sweep frees nothing, a
    /// reservation that needs a new budget is answered <see cref="ReservationStatus.Unavailable"/> (fail closed)
    /// instead of growing without bound when callers send many distinct key values.
    /// </summary>
    public int MaxBudgets { get; set; } = 1_000_000;
}
