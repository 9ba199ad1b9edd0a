using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using Microsoft.Extensions.Logging;
using PolicyLayer.Approvals;
using PolicyLayer.Auditing;
using PolicyLayer.Policies;

namespace PolicyLayer.Authorization;

/// <summary>Step 7 with an approval store: request, wait, then allow the approved call exactly once.</summary>
public sealed partial class PolicyAuthorizer
{
    private const string AnonymousGrant = "anonymous";

    /// <summary>
    /// Finds or creates the call's approval request. Pending, denied or expired: that is the decision. Approved:
    /// the limits are reserved first and the approval is used only if they admit the call, so a limit refusal
    /// keeps the approval for a later retry; if another thread used it first, the reservation is given back and
    /// the call asks again. If the store fails (or the call is cancelled) while the approval is used, the reservation
    /// is given back before the call is refused (or the cancellation goes on).
    /// </summary>
    private ValueTask<AuthorizationDecision> ApprovalStepAsync(in ToolCall call, ToolRules tool, ToolRules allTools, Policy policy, CancellationToken cancellationToken) =>
        ApprovalStepCoreAsync(call, tool, allTools, policy, cancellationToken);

    private async ValueTask<AuthorizationDecision> ApprovalStepCoreAsync(ToolCall call, ToolRules tool, ToolRules allTools, Policy policy, CancellationToken cancellationToken)
    {
        var store = _production.Approvals!;
        var reason = tool.Reason ?? DecisionText.ApprovalRequired(call.ToolName);
        string? arguments;
        try
        {
            if (!ArgumentsFit(call.Arguments, _options.MaxArgumentBytes, out var size))
            {
                // The request keeps the canonical arguments for the person deciding: bound what a caller can make it hold.
                return Deny(RuleIds.Error, DecisionText.TooLarge(size, _options.MaxArgumentBytes), policy.Revision);
            }

            if (!CanonicalArguments.TryText(call.Arguments, out arguments))
            {
                // The approval is for this exact call: arguments that cannot be written out exactly and canonically can
                // neither be shown to the person deciding nor be told apart from other calls by their key.
                return Deny(RuleIds.Error, ApprovalText.TooDeep(call.ToolName), policy.Revision);
            }
        }
        catch (InvalidOperationException ex)
        {
            // Values System.Text.Json cannot read back (a default element, a disposed document, a lone surrogate):
            // refused as every other step refuses them, never thrown at the host.
            return Deny(RuleIds.Error, DecisionText.UnreadableArguments(ex.Message), policy.Revision);
        }

        try
        {
            var candidate = NewApprovalRequest(call, arguments, reason);
            for (var attempt = 0; attempt < 3; attempt++)
            {
                var request = await store.GetOrAddAsync(candidate, cancellationToken).ConfigureAwait(false);
                if (request is null)
                {
                    return Deny(tool.Pointer, ApprovalText.StoreFull(call.ToolName), policy.Revision);
                }

                switch (request.State)
                {
                    case ApprovalState.Approved:
                        break;
                    case ApprovalState.Denied:
                        return new AuthorizationDecision(DecisionOutcome.Deny, tool.Pointer, ApprovalText.Denied(request), policy.Revision, approvalId: request.Id);
                    case ApprovalState.Expired:
                        return new AuthorizationDecision(DecisionOutcome.Deny, tool.Pointer, ApprovalText.Expired(request), policy.Revision, approvalId: request.Id);
                    default:
                        return new AuthorizationDecision(DecisionOutcome.RequireApproval, tool.Pointer, ApprovalText.Pending(reason, request), policy.Revision, approvalId: request.Id);
                }

                var decision = tool.Limits.Count == 0 && allTools.Limits.Count == 0
                    ? new AuthorizationDecision(DecisionOutcome.Allow, tool.Pointer, DecisionText.Allowed, policy.Revision)
                    : await ReserveLimits(call, tool, allTools, tool.Pointer, policy.Revision, cancellationToken).ConfigureAwait(false);
                if (!decision.IsAllowed)
                {
                    return RefusedWithApproval(decision, request);
                }

                bool used;
                try
                {
                    used = await store.TryUseAsync(request.Id, cancellationToken).ConfigureAwait(false);
                }
                catch
                {
                    // The call is refused (or cancelled) and no tool runs to report on it: only the authorizer can give
                    // its reservation back. The exception then decides the result as for any other store failure.
                    await GiveBackAsync(decision).ConfigureAwait(false);
                    throw;
                }

                if (used)
                {
                    return decision.WithApprovalId(request.Id);
                }

                // Another retry of the same call used the approval first: this one must ask again.
                await GiveBackAsync(decision).ConfigureAwait(false);
                candidate = NewApprovalRequest(call, arguments, reason);
            }

            return Deny(tool.Pointer, ApprovalText.Contended(call.ToolName), policy.Revision);
        }
        catch (ArgumentException ex)
        {
            // The store refused this request itself (a bound such as its size): retrying the same call cannot help.
            LogApprovalStoreFailed(_logger, ex);
            return Deny(tool.Pointer, ApprovalText.RequestRejected(ex.Message), policy.Revision);
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            LogApprovalStoreFailed(_logger, ex);
            Diagnostics.PolicyLayerTelemetry.CountStoreError("approvals");
            return Deny(tool.Pointer, ApprovalText.StoreUnavailable(ex.Message), policy.Revision);
        }
    }

    /// <summary>Gives back what a call that will not run reserved.</summary>
    /// <remarks>
    /// Not cancellable: it runs when the call's own token may already be cancelled, and a cancelled refund would keep
    /// the budget spent. A refund that fails is logged; the budget then stays spent, the safe side of a limit.
    /// </remarks>
    private async ValueTask GiveBackAsync(AuthorizationDecision decision)
    {
        try
        {
            await decision.ReportOutcomeAsync(ToolCallOutcome.Failed, CancellationToken.None).ConfigureAwait(false);
        }
        catch (Exception ex)
        {
            LogRefundFailed(_logger, ex);
        }
    }

    /// <summary>
    /// A refusal (by a limit, say) of an approved call: it names the approval, which is kept, and says until when it
    /// stands, or that it lapses before the limit admits the call, when the limit's retry time is past its expiry.
    /// </summary>
    private AuthorizationDecision RefusedWithApproval(in AuthorizationDecision refused, ApprovalRequest request)
    {
        var lapsesFirst = refused.RetryAfter is { } retryAfter && request.ExpiresAt - _production.Time.GetUtcNow() <= retryAfter;
        var message = $"{refused.Message} {(lapsesFirst ? ApprovalText.LapsesBeforeRetry(request) : ApprovalText.StillApproved(request))}";
        return new AuthorizationDecision(refused.Outcome, refused.Rule, message, refused.PolicyRevision, refused.RetryAfter, approvalId: request.Id);
    }

    private ApprovalRequest NewApprovalRequest(in ToolCall call, string arguments, string reason)
    {
        var grant = call.GrantId ?? AnonymousGrant;
        var now = _production.Time.GetUtcNow();
        return new ApprovalRequest(
            Id: "apr_" + Guid.NewGuid().ToString("N"),
            Key: ApprovalKey(call.ToolName, call.GrantId, arguments),
            Tool: call.ToolName,
            Grant: grant,
            Arguments: arguments,
            Reason: reason,
            CreatedAt: now,
            ExpiresAt: now + _production.ApprovalTimeout);
    }

    /// <summary>
    /// SHA-256 over the length-prefixed tool, grant and canonical arguments, so no two calls share a key. A call without
    /// a grant has length -1 there: it never shares an approval with a grant that happens to be named "anonymous".
    /// </summary>
    internal static string ApprovalKey(string tool, string? grant, string canonicalArguments)
    {
        var text = string.Create(CultureInfo.InvariantCulture, $"{tool.Length}:{tool}{grant?.Length ?? -1}:{grant}{canonicalArguments}");
        return Convert.ToHexString(SHA256.HashData(Encoding.UTF8.GetBytes(text))).ToLowerInvariant();
    }

    [LoggerMessage(EventId = 4, Level = LogLevel.Error, Message = "The approval store failed; the call was refused (fail closed)")]
    private static partial void LogApprovalStoreFailed(ILogger logger, Exception exception);

    [LoggerMessage(EventId = 5, Level = LogLevel.Error, Message = "The counter store could not give back the reservation of a call that will not run; its budget stays spent until the window moves on")]
    private static partial void LogRefundFailed(ILogger logger, Exception exception);

    /// <summary>The messages of the approval step.</summary>
    private static class ApprovalText
    {
        public static string Pending(string reason, ApprovalRequest request) =>
            $"{reason} Approval request {request.Id} is waiting for a person; once it is approved, make the same call again with the same arguments. It expires at {Time(request.ExpiresAt)}.";

        public static string Denied(ApprovalRequest request) =>
            $"Approval request {request.Id} to call '{request.Tool}' was denied by {request.DecidedBy}{Reason(request.DenialReason)} Do not make this call again.";

        public static string StillApproved(ApprovalRequest request) =>
            $"Approval request {request.Id} stays approved until {Time(request.ExpiresAt)}; make the same call again before then.";

        public static string LapsesBeforeRetry(ApprovalRequest request) =>
            $"Approval request {request.Id} expires at {Time(request.ExpiresAt)}, before the limit admits the call; a call after that asks for approval again.";

        public static string Expired(ApprovalRequest request) =>
            $"Approval request {request.Id} to call '{request.Tool}' expired at {Time(request.ExpiresAt)} before it was used; call again to ask for approval again.";

        public static string TooDeep(string tool) =>
            $"Calling '{tool}' needs a person's approval, but its arguments are nested more than {Json.JsonValues.MaxDepth} levels deep, too deep to show the person deciding exactly; send arguments nested at most {Json.JsonValues.MaxDepth} levels deep.";

        public static string StoreFull(string tool) =>
            $"Calling '{tool}' needs a person's approval, but too many approval requests are waiting; try again later.";

        public static string Contended(string tool) =>
            $"Calling '{tool}' needs a person's approval, and other identical calls used the approvals given so far; call again to ask for approval again.";

        public static string RequestRejected(string error) =>
            $"Refused: the approval store cannot keep this request ({error}); approvals fail closed.";

        public static string StoreUnavailable(string error) =>
            $"Refused because the approval store is unavailable ({error}); approvals fail closed. Try again shortly.";

        // ": reason." with a full stop when the approver wrote none, so that the next sentence does not run on.
        private static string Reason(string? reason) =>
            string.IsNullOrEmpty(reason) ? "." : reason.EndsWith('.') || reason.EndsWith('!') || reason.EndsWith('?') ? $": {reason}" : $": {reason}.";

        private static string Time(DateTimeOffset time) => time.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss'Z'", CultureInfo.InvariantCulture);
    }
}
