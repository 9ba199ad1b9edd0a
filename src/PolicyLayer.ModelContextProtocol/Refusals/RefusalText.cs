using System.Globalization;
using System.Text;

namespace PolicyLayer.ModelContextProtocol;

/// <summary>The text a model reads when the policy refuses its call: what happened, why, which rule, what to do next.</summary>
internal static class RefusalText
{
    /// <summary>Exactly the SDK's answer to a tool it does not have (<c>McpServerImpl</c>), so a hidden tool reveals nothing.</summary>
    public static string UnknownTool(string toolName) => $"Unknown tool: '{toolName}'";

    public static string For(string toolName, in AuthorizationDecision decision) =>
        decision.Outcome == DecisionOutcome.RequireApproval ? Approval(toolName, decision) : Denial(toolName, decision);

    private static string Denial(string toolName, in AuthorizationDecision decision)
    {
        var text = new StringBuilder();
        text.Append("The call to '").Append(toolName).Append("' was refused by policy and did not run. ")
            .Append(decision.Message);
        if (decision.ValidationErrors.Count > 0)
        {
            text.Append("\nInvalid arguments:");
            foreach (var error in decision.ValidationErrors)
            {
                var where = error.InstanceLocation.Length == 0 ? "(the arguments object)" : error.InstanceLocation;
                text.Append("\n- ").Append(where).Append(": ").Append(StripLocation(error.Message, error.InstanceLocation));
            }
        }

        if (decision.RetryAfter is { } retryAfter)
        {
            // Whole seconds rounded up, so a retry at that time is not early.
            var seconds = (long)Math.Ceiling(retryAfter.TotalSeconds);
            text.Append("\nRetry after: ").Append(seconds.ToString(CultureInfo.InvariantCulture)).Append(" seconds.");
        }

        text.Append("\nRule: ").Append(decision.Rule);
        return text.ToString();
    }

    private static string Approval(string toolName, in AuthorizationDecision decision)
    {
        var text = new StringBuilder();
        text.Append("The call to '").Append(toolName).Append("' needs a person's approval and has not run. ")
            .Append(decision.Message);
        if (decision.ApprovalId is { } approvalId)
        {
            text.Append("\nApproval id: ").Append(approvalId)
                .Append(". Tell the user what the call does and why you need it; once a person has approved it, retry exactly the same call (same tool, same arguments).");
        }
        else
        {
            // No approval id: the host has no approval workflow (no AddApprovals()), so nobody can ever approve this
            // call and every retry is refused the same way. Only a change to the policy can let it run.
            text.Append("\nThis server has no way to approve calls, so this call cannot run on this server until an operator changes the policy. Do not retry it; tell the user it was not run and why.");
        }

        text.Append("\nRule: ").Append(decision.Rule);
        return text.ToString();
    }

    /// <summary>The person at the client was asked to approve the call and declined (<paramref name="dismissed"/>: closed the question without choosing).</summary>
    public static string NotApproved(string toolName, in AuthorizationDecision decision, bool dismissed)
    {
        var text = new StringBuilder();
        text.Append("The call to '").Append(toolName).Append("' was refused and did not run: ");
        if (dismissed)
        {
            text.Append("the person was asked to approve it and dismissed the question without approving it. Approval request ")
                .Append(decision.ApprovalId).Append(" is still waiting for a person. Do not retry the call unless the user asks you to.");
        }
        else
        {
            text.Append("the person was asked to approve it and declined. Do not make this call again unless the user asks you to.");
        }

        text.Append("\nApproval id: ").Append(decision.ApprovalId)
            .Append("\nRule: ").Append(decision.Rule);
        return text.ToString();
    }

    private static string StripLocation(string message, string location)
    {
        // Schema messages start with their instance location ("/amount: ..."); the list already shows it.
        var prefix = location + ": ";
        return location.Length > 0 && message.StartsWith(prefix, StringComparison.Ordinal) ? message[prefix.Length..] : message;
    }
}
