namespace PolicyLayer.Cli.Lint;

/// <summary>A finding of <c>check</c> about a policy that loads but may not do what its author meant.</summary>
internal sealed record LintWarning(string Code, string Message, string Pointer);

/// <summary>The stable codes of lint warnings.</summary>
internal static class LintCodes
{
    /// <summary>A rule names a tool the server does not have.</summary>
    public const string UnknownTool = "PLW001";

    /// <summary>A <c>deny_if</c> path the tool's schema does not require: a call without it is not refused (fail open).</summary>
    public const string DenyIfNotRequired = "PLW002";

    /// <summary>A condition on an argument the tool's schema does not declare.</summary>
    public const string UndeclaredArgument = "PLW003";

    /// <summary>A rule that can never be reached, or one that refuses every call.</summary>
    public const string Unreachable = "PLW004";

    /// <summary>A <c>require</c> that the schema makes impossible to satisfy.</summary>
    public const string ContradictsSchema = "PLW005";

    /// <summary>A counter listed more than once for one tool (its limits and all_tools.limits): each listing charges the call.</summary>
    public const string CounterChargedTwice = "PLW006";
}
