namespace PolicyLayer.Approvals;

/// <summary>
/// The operator's side of approvals: list what is waiting, approve or deny by id. Register it with
/// <c>AddPolicyLayer(...).AddApprovals()</c>.
/// </summary>
public interface IApprovalService
{
    /// <summary>Approves a pending request: the same call, made again by the same grant, is then allowed once (limits still apply).</summary>
    /// <param name="id">The request's id.</param>
    /// <param name="approver">Who approves (recorded).</param>
    /// <param name="cancellationToken">Cancels a remote round trip.</param>
    /// <returns>What happened.</returns>
    ValueTask<ApprovalChange> ApproveAsync(string id, string approver, CancellationToken cancellationToken = default);

    /// <summary>Denies a pending request: the same call is refused with <paramref name="reason"/> until the denial lapses.</summary>
    /// <param name="id">The request's id.</param>
    /// <param name="approver">Who denies (recorded).</param>
    /// <param name="reason">Why; given to the caller.</param>
    /// <param name="cancellationToken">Cancels a remote round trip.</param>
    /// <returns>What happened.</returns>
    ValueTask<ApprovalChange> DenyAsync(string id, string approver, string reason, CancellationToken cancellationToken = default);

    /// <summary>Every pending, unexpired request, oldest first.</summary>
    /// <param name="cancellationToken">Cancels a remote round trip.</param>
    /// <returns>The requests.</returns>
    ValueTask<IReadOnlyList<ApprovalRequest>> GetPendingAsync(CancellationToken cancellationToken = default);

    /// <summary>Finds a request by id.</summary>
    /// <param name="id">The request's id.</param>
    /// <param name="cancellationToken">Cancels a remote round trip.</param>
    /// <returns>The request, or <see langword="null"/>.</returns>
    ValueTask<ApprovalRequest?> GetAsync(string id, CancellationToken cancellationToken = default);
}

/// <summary>The <see cref="IApprovalService"/> over an <see cref="IApprovalStore"/>.</summary>
public sealed class ApprovalService : IApprovalService
{
    private readonly IApprovalStore _store;
    private readonly TimeSpan _validFor;

    /// <summary>Creates the service.</summary>
    /// <param name="store">Where requests are kept (the authorizer's store).</param>
    /// <param name="validFor">How long an approval or denial stands once decided. Default: 1 hour.</param>
    public ApprovalService(IApprovalStore store, TimeSpan? validFor = null)
    {
        ArgumentNullException.ThrowIfNull(store);
        _store = store;
        _validFor = validFor ?? TimeSpan.FromHours(1);
        ArgumentOutOfRangeException.ThrowIfLessThanOrEqual(_validFor, TimeSpan.Zero, nameof(validFor));
    }

    /// <inheritdoc />
    public ValueTask<ApprovalChange> ApproveAsync(string id, string approver, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrEmpty(id);
        ArgumentException.ThrowIfNullOrEmpty(approver);
        return _store.DecideAsync(id, new ApprovalVerdict(true, approver, null, _validFor), cancellationToken);
    }

    /// <inheritdoc />
    public ValueTask<ApprovalChange> DenyAsync(string id, string approver, string reason, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrEmpty(id);
        ArgumentException.ThrowIfNullOrEmpty(approver);
        ArgumentException.ThrowIfNullOrEmpty(reason);
        return _store.DecideAsync(id, new ApprovalVerdict(false, approver, reason, _validFor), cancellationToken);
    }

    /// <inheritdoc />
    public ValueTask<IReadOnlyList<ApprovalRequest>> GetPendingAsync(CancellationToken cancellationToken = default) => _store.GetPendingAsync(cancellationToken);

    /// <inheritdoc />
    public ValueTask<ApprovalRequest?> GetAsync(string id, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrEmpty(id);
        return _store.GetAsync(id, cancellationToken);
    }
}
