namespace PolicyLayer;

/// <summary>
/// The rule identifiers of decisions that no rule of the policy made. Decisions made by a rule carry a JSON
/// Pointer into the policy instead, such as <c>/tools/create_refund/deny_if/0</c>.
/// </summary>
public static class RuleIds
{
    /// <summary>No policy is loaded, so every call is denied.</summary>
    public const string NoPolicy = "(no policy)";

    /// <summary>The tool is hidden by the policy's <c>hide</c> list.</summary>
    public const string Hidden = "(hidden)";

    /// <summary>The tool is not listed and the policy's default is <c>deny</c>.</summary>
    public const string DefaultDeny = "(default deny)";

    /// <summary>The tool is not listed and the policy's default is <c>allow</c>, and nothing else refused it.</summary>
    public const string DefaultAllow = "(default allow)";

    /// <summary>The arguments do not satisfy the input schema the tool declares (registered by the host).</summary>
    public const string InputSchema = "(input schema)";

    /// <summary>The call could not be evaluated (its arguments exceed a safety bound, or a store failed).</summary>
    public const string Error = "(error)";

    /// <summary>
    /// The policy runs in shadow mode (<c>"mode": "shadow"</c>): the call is let through whatever the policy would
    /// have decided; the decision record keeps the outcome, rule and message that would have been enforced.
    /// </summary>
    public const string Shadow = "(shadow)";
}
