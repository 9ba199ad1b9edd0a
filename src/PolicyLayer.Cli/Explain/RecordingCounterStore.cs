using PolicyLayer.Counters;

namespace PolicyLayer.Cli.Explain;

/// <summary>
/// A counter store that remembers what the authorizer asked of it, so that <c>explain</c> can show each
/// budget's cost and what is left from the core's own requests instead of recomputing them.
/// </summary>
internal sealed class RecordingCounterStore : ICounterStore
{
    private readonly ICounterStore _inner;

    public RecordingCounterStore(ICounterStore inner) => _inner = inner;

    /// <summary>The requests of the last reservation, in the authorizer's order (the tool's limits, then all_tools').</summary>
    public IReadOnlyList<CounterRequest> LastRequests { get; private set; } = [];

    public ReservationResult? LastResult { get; private set; }

    public async ValueTask<ReservationResult> TryReserveAsync(ReadOnlyMemory<CounterRequest> requests, CancellationToken cancellationToken = default)
    {
        LastRequests = requests.ToArray();
        var result = await _inner.TryReserveAsync(requests, cancellationToken).ConfigureAwait(false);
        LastResult = result;
        return result;
    }

    public ValueTask RefundAsync(ReadOnlyMemory<CounterRequest> requests, long reservationTimestamp, CancellationToken cancellationToken = default) =>
        _inner.RefundAsync(requests, reservationTimestamp, cancellationToken);
}
