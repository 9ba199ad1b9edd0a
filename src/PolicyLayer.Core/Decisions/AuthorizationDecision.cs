using PolicyLayer.Schema;

namespace PolicyLayer;

/// <summary>
/// The authorizer's answer for one tool call. Denials are decisions, never exceptions.
/// </summary>
/// <remarks>
/// A value type: the common decisions are built from cached parts and allocate nothing. For an admitted call
/// that reserved budget, report how the tool ended with <see cref="ReportOutcomeAsync"/>: a failure gives the
/// budget back; reporting twice is harmless; never reporting keeps the reservation.
/// </remarks>
public readonly struct AuthorizationDecision
{
    private readonly ReservationHandle _reservation;

    // What only some refusals carry sits behind one reference, so the decision that every call copies stays narrow.
    private readonly DecisionDetails? _details;

    internal AuthorizationDecision(
        DecisionOutcome outcome,
        string rule,
        string message,
        string policyRevision,
        TimeSpan? retryAfter = null,
        IReadOnlyList<SchemaValidationError>? validationErrors = null,
        ReservationHandle reservation = default,
        string? approvalId = null)
    {
        Outcome = outcome;
        Rule = rule;
        Message = message;
        PolicyRevision = policyRevision;
        _reservation = reservation;
        _details = retryAfter is null && validationErrors is null && approvalId is null
            ? null
            : new DecisionDetails(retryAfter, validationErrors ?? [], approvalId);
    }

    /// <summary>Allow, deny, or require a person's approval.</summary>
    public DecisionOutcome Outcome { get; }

    /// <summary><see langword="true"/> when the call may run.</summary>
    public bool IsAllowed => Outcome == DecisionOutcome.Allow;

    /// <summary>
    /// The rule that decided: a JSON Pointer into the policy (<c>/tools/close_session/limits/0</c>) or one of
    /// the <see cref="RuleIds"/>.
    /// </summary>
    public string Rule { get; }

    /// <summary>A message a person or a model can read and act on.</summary>
    public string Message { get; }

    /// <summary>For a refusal by a limit, how long until the same call can succeed; <see langword="null"/> otherwise or when it never can.</summary>
    public TimeSpan? RetryAfter => _details?.RetryAfter;

    /// <summary>The revision (a hash) of the policy that made the decision.</summary>
    public string PolicyRevision { get; }

    /// <summary>For a refusal by a schema, every validation error; empty otherwise.</summary>
    public IReadOnlyList<SchemaValidationError> ValidationErrors => _details?.ValidationErrors ?? [];

    /// <summary>For <see cref="DecisionOutcome.RequireApproval"/>, the id of the pending approval when an approval store is in use.</summary>
    public string? ApprovalId => _details?.ApprovalId;

    /// <summary>Whether <see cref="ValidationErrors"/> has any, without a call through the list's interface (allows have no details at all).</summary>
    internal bool HasValidationErrors => _details is { ValidationErrors.Count: > 0 };

    /// <summary>Whether the decision reserved budget that a failed tool call should give back.</summary>
    public bool HasReservation => _reservation.IsActive;

    /// <summary>
    /// Reports how the admitted tool call ended. <see cref="ToolCallOutcome.Failed"/> gives its reserved budget
    /// back; <see cref="ToolCallOutcome.Succeeded"/> keeps it spent. Calling this more than once, or on a
    /// decision without a reservation, does nothing.
    /// </summary>
    /// <param name="outcome">How the tool call ended.</param>
    /// <param name="cancellationToken">Cancels the refund's round trip to a remote store.</param>
    /// <returns>A task that completes when the report is recorded.</returns>
    public ValueTask ReportOutcomeAsync(ToolCallOutcome outcome, CancellationToken cancellationToken = default)
        => _reservation.CompleteAsync(outcome, cancellationToken);

    /// <summary>The same decision, carrying an approval id (an approved call that was admitted).</summary>
    internal AuthorizationDecision WithApprovalId(string approvalId) =>
        new(Outcome, Rule, Message, PolicyRevision, RetryAfter, ValidationErrors, _reservation, approvalId);

    /// <summary>An allow under another rule and message that keeps this decision's revision and reservation (shadow mode).</summary>
    internal AuthorizationDecision AsAllowed(string rule, string message) =>
        new(DecisionOutcome.Allow, rule, message, PolicyRevision, reservation: _reservation);

    /// <inheritdoc />
    public override string ToString() => $"{Outcome} {Rule}: {Message}";
}

/// <summary>The parts of a decision that only some refusals have.</summary>
internal sealed record DecisionDetails(TimeSpan? RetryAfter, IReadOnlyList<SchemaValidationError> ValidationErrors, string? ApprovalId);
