namespace PolicyLayer.Auditing;

/// <summary>
/// What one authorization decided, for an audit trail: who called which tool, what was decided and why, under
/// which policy revision, and how long deciding took. Argument values are never recorded: only the sorted
/// top-level argument names and, when enabled, a salted hash of the canonical arguments.
/// </summary>
/// <remarks>
/// In shadow mode (<c>"mode": "shadow"</c>) the call was let through, but <see cref="Outcome"/>,
/// <see cref="Rule"/> and <see cref="Message"/> keep the decision that would have been made and
/// <see cref="Enforced"/> is <see langword="false"/>. When a candidate policy runs in shadow beside the active
/// one, <see cref="Shadow"/> holds its decision.
/// </remarks>
public sealed class DecisionRecord
{
    /// <summary>When the decision was made (from the authorizer's <see cref="System.TimeProvider"/>).</summary>
    public required DateTimeOffset Timestamp { get; init; }

    /// <summary>The tool's name as the client sent it.</summary>
    public required string Tool { get; init; }

    /// <summary>The grant id, or <see langword="null"/> when the call had none.</summary>
    public string? Grant { get; init; }

    /// <summary>The session id, or <see langword="null"/> when the call had none.</summary>
    public string? Session { get; init; }

    /// <summary>The decision's outcome; in shadow mode, the outcome that would have been enforced.</summary>
    public required DecisionOutcome Outcome { get; init; }

    /// <summary>The rule that decided: a JSON Pointer into the policy or one of the <see cref="RuleIds"/>.</summary>
    public required string Rule { get; init; }

    /// <summary>
    /// The decision's message, except for a schema refusal: the model is told which values are wrong, the record
    /// keeps only where each error is and which keyword failed (such as <c>/amount (maximum)</c>).
    /// </summary>
    public required string Message { get; init; }

    /// <summary>The revision of the policy that decided (empty when no policy was loaded).</summary>
    public required string PolicyRevision { get; init; }

    /// <summary>Whether the outcome was enforced; <see langword="false"/> when the policy runs in shadow mode and the call was let through.</summary>
    public bool Enforced { get; init; } = true;

    /// <summary>How long the authorization took.</summary>
    public TimeSpan Duration { get; init; }

    /// <summary>For a refusal by a limit, when a retry can succeed.</summary>
    public TimeSpan? RetryAfter { get; init; }

    /// <summary>The approval request's id, for calls that needed (or used) a person's approval.</summary>
    public string? ApprovalId { get; init; }

    /// <summary>
    /// The sorted top-level argument names (ordinal order), at most <see cref="DecisionRecordOptions.MaxArgumentKeys"/>
    /// of them, each cut to <see cref="DecisionRecordOptions.MaxArgumentKeyLength"/> characters.
    /// </summary>
    public IReadOnlyList<string> ArgumentKeys { get; init; } = [];

    /// <summary>How many top-level arguments the call had (more than <see cref="ArgumentKeys"/> holds when it was cut).</summary>
    public int ArgumentCount { get; init; }

    /// <summary>
    /// The lowercase hex HMAC-SHA256 of the canonical arguments keyed with <see cref="DecisionRecordOptions.ArgumentHashSalt"/>,
    /// when <see cref="DecisionRecordOptions.HashArguments"/> is on; <see langword="null"/> otherwise.
    /// </summary>
    public string? ArgumentsHash { get; init; }

    /// <summary>The decision of a candidate policy running in shadow beside the active one, or <see langword="null"/>.</summary>
    public ShadowDecision? Shadow { get; init; }
}

/// <summary>What a candidate policy running in shadow would have decided, beside the active policy's decision.</summary>
/// <param name="Outcome">The candidate's outcome.</param>
/// <param name="Rule">The candidate's rule.</param>
/// <param name="Message">The candidate's message.</param>
/// <param name="PolicyRevision">The candidate's revision.</param>
/// <param name="Agrees">Whether the candidate's outcome equals the active policy's.</param>
public sealed record ShadowDecision(DecisionOutcome Outcome, string Rule, string Message, string PolicyRevision, bool Agrees);
