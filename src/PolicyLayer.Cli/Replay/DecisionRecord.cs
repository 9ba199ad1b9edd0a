using System.Text.Json;

namespace PolicyLayer.Cli.Replay;

/// <summary>A decision as the tool prints it: outcome, rule, message and retry-after in whole seconds.</summary>
internal sealed record DecisionRecord(string Decision, string Rule, string Message, long? RetryAfterSeconds)
{
    public static DecisionRecord From(in AuthorizationDecision decision) => new(
        OutcomeName(decision.Outcome),
        decision.Rule,
        decision.Message,
        decision.RetryAfter is { } retry ? (long)Math.Ceiling(retry.TotalSeconds) : null);

    public static string OutcomeName(DecisionOutcome outcome) => outcome switch
    {
        DecisionOutcome.Allow => "allow",
        DecisionOutcome.Deny => "deny",
        _ => "require_approval",
    };

    /// <summary>Writes the fields (not the enclosing object) so callers can add their own.</summary>
    public void WriteFields(Utf8JsonWriter w)
    {
        w.WriteString("decision", Decision);
        w.WriteString("rule", Rule);
        w.WriteString("message", Message);
        if (RetryAfterSeconds is { } seconds)
        {
            w.WriteNumber("retry_after", seconds);
        }
        else
        {
            w.WriteNull("retry_after");
        }
    }
}
