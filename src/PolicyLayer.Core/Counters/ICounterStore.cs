namespace PolicyLayer.Counters;

/// <summary>
/// Keeps sliding-window budgets. A reservation is atomic over all the requests of one call: every budget has
/// room and all are reserved, or none is.
/// </summary>
/// <remarks>
/// <para>Semantics every implementation keeps (and the contract tests check): a request is admitted only if the
/// cost admitted in the last window plus its own cost is at most the counter's maximum. An implementation may
/// approximate the window only on the refusing side and by at most a tenth of the window: when it refuses at
/// time t, the cost admitted in (t - window - window/10, t] plus the request's cost exceeds the maximum.</para>
/// <para>Stores never throw for a store failure: they answer <see cref="ReservationStatus.Unavailable"/> (or admit,
/// when configured to fail open).</para>
/// </remarks>
public interface ICounterStore
{
    /// <summary>Reserves every request, or none.</summary>
    /// <param name="requests">The budgets and costs. The same key may appear more than once; its costs add up.</param>
    /// <param name="cancellationToken">Cancels a remote round trip.</param>
    /// <returns>The result; <see cref="ReservationResult.Timestamp"/> identifies the reservation for a refund.</returns>
    ValueTask<ReservationResult> TryReserveAsync(ReadOnlyMemory<CounterRequest> requests, CancellationToken cancellationToken = default);

    /// <summary>Gives back the cost of an earlier reservation, as far as it still counts in its windows.</summary>
    /// <param name="requests">The requests that were reserved.</param>
    /// <param name="reservationTimestamp">The <see cref="ReservationResult.Timestamp"/> of the reservation.</param>
    /// <param name="cancellationToken">Cancels a remote round trip.</param>
    /// <returns>A task that completes when the refund is applied.</returns>
    ValueTask RefundAsync(ReadOnlyMemory<CounterRequest> requests, long reservationTimestamp, CancellationToken cancellationToken = default);
}
