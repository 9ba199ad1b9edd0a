using System.Globalization;
using PolicyLayer.Counters;
using PolicyLayer.Policies;
using PolicyLayer.Schema;

namespace PolicyLayer.Authorization;

/// <summary>The messages of decisions: written for a model to read and act on.</summary>
internal static class DecisionText
{
    public const string Allowed = "Allowed.";

    public static string UnknownTool(string tool) => $"Unknown tool: '{tool}'.";

    public static string DefaultDeny(string tool) => $"The tool '{tool}' is not allowed by the policy.";

    public static string ToolDenied(string tool) => $"The tool '{tool}' may not be called.";

    public static string ApprovalRequired(string tool) => $"Calling '{tool}' requires a person's approval.";

    public const string ShadowAllowed = "Allowed (the policy runs in shadow mode and does not enforce).";

    public const string NoPolicy = "No policy is loaded, so every tool call is refused.";

    public static string RequireFailed(ConditionGroup group, Condition condition, ConditionResult result) =>
        group.OnDeny ?? result switch
        {
            ConditionResult.Missing => $"Refused: the call must satisfy {condition.Description}, but {condition.Path.Text} is missing.",
            ConditionResult.TypeMismatch => $"Refused: the call must satisfy {condition.Description}, but {condition.Path.Text} has the wrong type.",
            _ => $"Refused: the call must satisfy {condition.Description}.",
        };

    public static string DenyIfMatched(ConditionGroup group) => group.OnDeny ?? $"Refused by policy: {group.Description}.";

    public static string SchemaInvalid(IReadOnlyList<SchemaValidationError> errors, bool declared) =>
        $"The arguments do not match {SchemaName(declared)}: {FirstErrors(errors.Select(e => e.Message), errors.Count)}.";

    /// <summary>
    /// The same refusal naming only which top-level argument each error is in and which keyword failed: no argument
    /// value. Below the top level an error's location holds the caller's own keys (a map keyed by e-mail address, say),
    /// which are argument content too, so each deeper segment is written as <c>*</c> (<c>/headers/* (maxLength)</c>).
    /// </summary>
    /// <param name="errors">The validation errors.</param>
    /// <param name="declared">Whether the tool's declared input schema refused, rather than the policy's.</param>
    /// <param name="maxKeyLength">The longest top-level argument name kept, as records cut argument names.</param>
    public static string SchemaInvalidWithoutValues(IReadOnlyList<SchemaValidationError> errors, bool declared, int maxKeyLength) =>
        Places(errors.Select(e => ErrorPlace(e, maxKeyLength)).Distinct(StringComparer.Ordinal).ToList(), declared);

    private static string Places(List<string> places, bool declared) =>
        $"The arguments do not match {SchemaName(declared)} at: {FirstErrors(places, places.Count)}.";

    // The validator bounds each message and their number; a refusal quotes only the first few, which is what a
    // model acts on, and counts the rest (the decision still carries every error).
    private const int MaxErrorsQuoted = 10;

    private static string FirstErrors(IEnumerable<string> texts, int count) =>
        count <= MaxErrorsQuoted
            ? string.Join("; ", texts)
            : $"{string.Join("; ", texts.Take(MaxErrorsQuoted))}; and {(count - MaxErrorsQuoted).ToString(CultureInfo.InvariantCulture)} more not shown";

    private static string SchemaName(bool declared) => declared ? "the tool's input schema" : "the policy's schema for this tool";

    private static string ErrorPlace(SchemaValidationError error, int maxKeyLength)
    {
        var place = TopLevelPlace(error.InstanceLocation, maxKeyLength);
        return error.Keyword.Length == 0 ? place : $"{place} ({error.Keyword})";
    }

    // "/headers/X-SSN-123/0" -> "/headers/*/*": the top-level name (cut like a recorded argument name), then one * a level.
    private static string TopLevelPlace(string pointer, int maxKeyLength)
    {
        if (pointer.Length == 0)
        {
            return "/";
        }

        var segments = pointer.Split('/');
        var top = segments.Length > 1 ? segments[1] : string.Empty;
        var place = new System.Text.StringBuilder("/").Append(top.Length > maxKeyLength ? top[..maxKeyLength] : top);
        for (var i = 2; i < segments.Length; i++)
        {
            place.Append("/*");
        }

        return place.ToString();
    }

    public static string DeclaredSchemaBroken(string tool, IReadOnlyList<JsonSchemaCompileError> errors) =>
        $"The tool '{tool}' declares an input schema that is not valid, so its calls are refused: {string.Join("; ", errors)}.";

    public static string UnreadableArguments(string problem) =>
        $"The arguments cannot be read ({problem}); send well-formed JSON text (no escaped lone surrogates, nesting within bounds).";

    public static string TooLarge(int bytes, int max) =>
        $"The arguments are {bytes.ToString(CultureInfo.InvariantCulture)} bytes of JSON, more than the {max.ToString(CultureInfo.InvariantCulture)} bytes allowed; send smaller arguments.";

    public static string InvalidCost(Limit limit, string problem) =>
        $"The limit '{limit.Counter.Name}' takes the call's cost from {limit.CostPath!.Text}, which {problem}; send a non-negative number there.";

    public static string MissingKey(Limit limit) =>
        $"The limit '{limit.Counter.Name}' keeps a budget per {limit.KeyPath!.Text}, which the call does not have; send it.";

    /// <summary>The refusal of a call by one of its limits.</summary>
    /// <param name="limit">The limit refused.</param>
    /// <param name="retryAfter">When the call could fit, or <see langword="null"/> when it never can.</param>
    /// <param name="cost">What the call costs that budget; <see langword="null"/> when that is beyond the largest decimal.</param>
    public static string LimitReached(Limit limit, TimeSpan? retryAfter, decimal? cost)
    {
        var counter = limit.Counter;
        var budget = $"{Number(counter.Max)} per {Window(counter.Window)}{Scope(counter.Scope)}";
        if (retryAfter is null)
        {
            // A cost read from the arguments is not repeated: the model knows what it sent, and decisions are recorded
            // without argument values. A total too large to add up is not known either.
            var costs = limit.CostPath is { } path ? $"This call's cost ({path.Text})" : cost is { } known ? $"This call costs {Number(known)}, which" : "This call's cost";
            return limit.OnDeny ?? $"{costs} is more than the limit '{counter.Name}' ({budget}) allows in any window; it can never succeed.";
        }

        var retry = $"Retry after {RetrySeconds(retryAfter.Value).ToString(CultureInfo.InvariantCulture)} s.";
        return limit.OnDeny is { } onDeny
            ? $"{onDeny} {retry}"
            : $"Rate limit '{counter.Name}' reached ({budget}). {retry}";
    }

    public static string StoreUnavailable(string? error) =>
        $"Refused because the rate-limit store is unavailable ({error ?? "no answer"}); limits fail closed. Try again shortly.";

    /// <summary>Whole seconds, rounded up, so that a retry at that time is not too early.</summary>
    public static long RetrySeconds(TimeSpan retryAfter) => (long)Math.Ceiling(retryAfter.TotalSeconds);

    private static string Number(decimal value) => value.ToString(CultureInfo.InvariantCulture);

    private static string Scope(CounterScope scope) => scope switch
    {
        CounterScope.Grant => " per grant",
        CounterScope.Session => " per session",
        _ => string.Empty,
    };

    internal static string Window(TimeSpan window) => window.TotalSeconds switch
    {
        1 => "second",
        60 => "minute",
        3600 => "hour",
        86400 => "day",
        var s => $"{s.ToString(CultureInfo.InvariantCulture)} seconds",
    };
}
