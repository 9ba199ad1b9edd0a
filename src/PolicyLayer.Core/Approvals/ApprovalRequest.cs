namespace PolicyLayer.Approvals;

/// <summary>Where an approval request stands.</summary>
public enum ApprovalState
{
    /// <summary>Waiting for a person.</summary>
    Pending,

    /// <summary>Approved: the same call, made again by the same grant, is allowed once.</summary>
    Approved,

    /// <summary>Denied: the same call is refused with the approver's reason until the denial lapses (and once more when it is found lapsed).</summary>
    Denied,

    /// <summary>The approved call was made; a further identical call needs a new approval.</summary>
    Used,

    /// <summary>Nobody decided in time, or the approval was not used in time; calling again asks again. (A lapsed denial stays <see cref="Denied"/>.)</summary>
    Expired,
}

/// <summary>
/// A request for a person to approve one tool call: the tool, the grant, the call's canonical arguments and the
/// policy's reason. One call (same tool, grant and canonical arguments) has at most one live request.
/// </summary>
/// <param name="Id">The request's id, given to the caller with the <see cref="DecisionOutcome.RequireApproval"/> decision.</param>
/// <param name="Key">Identifies the call: a SHA-256 of the tool, grant and canonical arguments.</param>
/// <param name="Tool">The tool's name.</param>
/// <param name="Grant">The grant id (<c>anonymous</c> when the call had none).</param>
/// <param name="Arguments">The call's canonical arguments (JSON text), for the person deciding.</param>
/// <param name="Reason">Why the policy asks for approval (the tool's <c>reason</c>, or a default).</param>
/// <param name="CreatedAt">When the request was made.</param>
/// <param name="ExpiresAt">When a pending request expires, or (once decided) when the approval or denial lapses.</param>
public sealed record ApprovalRequest(string Id, string Key, string Tool, string Grant, string Arguments, string Reason, DateTimeOffset CreatedAt, DateTimeOffset ExpiresAt)
{
    /// <summary>Where the request stands.</summary>
    public ApprovalState State { get; init; } = ApprovalState.Pending;

    /// <summary>Who approved or denied it.</summary>
    public string? DecidedBy { get; init; }

    /// <summary>When it was approved or denied.</summary>
    public DateTimeOffset? DecidedAt { get; init; }

    /// <summary>The approver's reason for a denial.</summary>
    public string? DenialReason { get; init; }
}

/// <summary>A person's decision on a pending request.</summary>
/// <param name="Approve"><see langword="true"/> to approve, <see langword="false"/> to deny.</param>
/// <param name="Approver">Who decided (recorded on the request).</param>
/// <param name="Reason">For a denial, why (given to the caller).</param>
/// <param name="ValidFor">How long the approval (or denial) stands from now.</param>
public readonly record struct ApprovalVerdict(bool Approve, string Approver, string? Reason, TimeSpan ValidFor);

/// <summary>What happened to an approve or deny.</summary>
public enum ApprovalChangeStatus
{
    /// <summary>The request was pending and now is approved or denied.</summary>
    Applied,

    /// <summary>No request has that id (it never existed, or was removed after it lapsed).</summary>
    NotFound,

    /// <summary>The request was already approved, denied or used.</summary>
    NotPending,

    /// <summary>The request expired before anyone decided.</summary>
    Expired,
}

/// <summary>The result of <see cref="IApprovalStore.DecideAsync"/> and of the operator API.</summary>
/// <param name="Status">What happened.</param>
/// <param name="Request">The request as it is now, or <see langword="null"/> when not found.</param>
public readonly record struct ApprovalChange(ApprovalChangeStatus Status, ApprovalRequest? Request)
{
    /// <summary>Whether the decision was applied.</summary>
    public bool Succeeded => Status == ApprovalChangeStatus.Applied;
}
