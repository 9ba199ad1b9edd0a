namespace PolicyLayer.Approvals;

/// <summary>
/// Keeps approval requests. Every method is one atomic step, so that a store shared by several hosts (Redis)
/// keeps the guarantees: one live request per call, and an approval used exactly once.
/// </summary>
/// <remarks>
/// <para>Expiry is judged by the store's own clock against <see cref="ApprovalRequest.ExpiresAt"/>.</para>
/// <para>A store refuses to hold more than a bound of requests (answering <see langword="null"/> from
/// <see cref="GetOrAddAsync"/>), so callers cannot exhaust it with distinct calls, and refuses a request larger than
/// a bound of its own (throwing an <see cref="ArgumentException"/> that says which bound), so they cannot exhaust it
/// with large ones either.</para>
/// </remarks>
public interface IApprovalStore
{
    /// <summary>
    /// Finds the live request for <paramref name="request"/>'s <see cref="ApprovalRequest.Key"/>, or adds
    /// <paramref name="request"/> as pending when there is none. Live: pending, approved or denied, and not
    /// expired. A request found expired is returned once, with <see cref="ApprovalState.Expired"/> (a denied one
    /// keeps <see cref="ApprovalState.Denied"/>, so the caller is still told it was denied), and no longer answers
    /// for its key, so the next identical call asks again. A used request never answers for its key.
    /// </summary>
    /// <param name="request">The new pending request, used only when no live one exists.</param>
    /// <param name="cancellationToken">Cancels a remote round trip.</param>
    /// <returns>The live (or just expired) request; <see langword="null"/> when the store is full.</returns>
    ValueTask<ApprovalRequest?> GetOrAddAsync(ApprovalRequest request, CancellationToken cancellationToken = default);

    /// <summary>Marks an approved, unexpired request <see cref="ApprovalState.Used"/>. Succeeds at most once per request.</summary>
    /// <param name="id">The request's id.</param>
    /// <param name="cancellationToken">Cancels a remote round trip.</param>
    /// <returns><see langword="true"/> for the one caller that used it.</returns>
    ValueTask<bool> TryUseAsync(string id, CancellationToken cancellationToken = default);

    /// <summary>Approves or denies a pending, unexpired request.</summary>
    /// <param name="id">The request's id.</param>
    /// <param name="verdict">The decision.</param>
    /// <param name="cancellationToken">Cancels a remote round trip.</param>
    /// <returns>What happened, with the request as it is now.</returns>
    ValueTask<ApprovalChange> DecideAsync(string id, ApprovalVerdict verdict, CancellationToken cancellationToken = default);

    /// <summary>Finds a request by id (in any state, while the store still holds it).</summary>
    /// <param name="id">The request's id.</param>
    /// <param name="cancellationToken">Cancels a remote round trip.</param>
    /// <returns>The request, or <see langword="null"/>.</returns>
    ValueTask<ApprovalRequest?> GetAsync(string id, CancellationToken cancellationToken = default);

    /// <summary>Every pending, unexpired request, oldest first.</summary>
    /// <param name="cancellationToken">Cancels a remote round trip.</param>
    /// <returns>The requests.</returns>
    ValueTask<IReadOnlyList<ApprovalRequest>> GetPendingAsync(CancellationToken cancellationToken = default);
}
