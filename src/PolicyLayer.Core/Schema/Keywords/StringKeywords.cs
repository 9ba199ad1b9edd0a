using System.Text.Json;
using System.Text.RegularExpressions;
using PolicyLayer.Text;
using PolicyLayer.Json;
using PolicyLayer.Schema.Evaluation;
using PolicyLayer.Schema.Formats;

namespace PolicyLayer.Schema.Keywords;

/// <summary><c>minLength</c> and <c>maxLength</c>, counted in code points.</summary>
internal sealed class LengthKeyword(string name, string nodeLocation, long limit, bool isMinimum) : Keyword(name, nodeLocation)
{
    /// <summary>The length limit.</summary>
    public long Limit => limit;

    /// <summary>Whether the limit is a minimum (<c>minLength</c>) rather than a maximum.</summary>
    public bool IsMinimum => isMinimum;

    public override JsonTypes AppliesTo => JsonTypes.String;

    public override bool IsValid(EvaluationState state, in InstanceValue value, int depth)
    {
        var length = JsonStrings.CodePointLength(value.Element, value.RawText);
        return isMinimum ? length >= limit : length <= limit;
    }

    public override bool Evaluate(EvaluationState state, in JsonProperties instance, int depth, EvaluatedSet? evaluated)
    {
        if (!instance.TryGetElement(out var text) || text.ValueKind != JsonValueKind.String)
        {
            return true;
        }

        var length = JsonStrings.CodePointLength(text);
        if (isMinimum ? length >= limit : length <= limit)
        {
            return true;
        }

        return state.CollectsErrors && Fail(state, isMinimum
            ? $"{ValueText.Describe(text)} is {length} characters long, shorter than the minimum length {limit}"
            : $"{ValueText.Describe(text)} is {length} characters long, longer than the maximum length {limit}");
    }
}

/// <summary><c>pattern</c>: an unanchored regular expression match.</summary>
internal sealed class PatternKeyword(string nodeLocation, SchemaRegex regex) : Keyword("pattern", nodeLocation)
{
    /// <summary>The compiled pattern.</summary>
    public SchemaRegex Regex => regex;

    public override JsonTypes AppliesTo => JsonTypes.String;

    public override bool IsValid(EvaluationState state, in InstanceValue value, int depth) =>
        regex.Match(state, value.Element, value.RawText) == RegexOutcome.Match;

    public override bool Evaluate(EvaluationState state, in JsonProperties instance, int depth, EvaluatedSet? evaluated)
    {
        if (!instance.TryGetElement(out var text) || text.ValueKind != JsonValueKind.String)
        {
            return true;
        }

        return regex.Match(state, text, Json.JsonRaw.Utf8(text)) switch
        {
            RegexOutcome.Match => true,
            RegexOutcome.Timeout => state.CollectsErrors && Fail(state, SchemaRegex.TimeoutMessage(state, $"the pattern {ValueText.Quote(regex.Source)}")),
            _ => state.CollectsErrors && Fail(state, $"{ValueText.Describe(text)} does not match the pattern {ValueText.Quote(regex.Source)}"),
        };
    }
}

/// <summary><c>format</c>: asserted only when <see cref="JsonSchemaOptions.AssertFormat"/> is set and the format is known.</summary>
internal sealed class FormatKeyword(string nodeLocation, string format, FormatChecker checker) : Keyword("format", nodeLocation)
{
    public override JsonTypes AppliesTo => JsonTypes.String;

    public override bool Evaluate(EvaluationState state, in JsonProperties instance, int depth, EvaluatedSet? evaluated) =>
        !state.AssertFormat || EvaluateAsserting(state, instance);

    /// <summary>Checks the format whatever the options say.</summary>
    public bool EvaluateAsserting(EvaluationState state, in JsonProperties instance)
    {
        if (instance.RootKind != JsonValueKind.String || !instance.TryGetElement(out var text))
        {
            return true;
        }

        Span<char> scratch = stackalloc char[256];
        var chars = JsonStrings.GetChars(text, scratch, out var rented);
        try
        {
            if (checker(chars))
            {
                return true;
            }
        }
        finally
        {
            JsonStrings.Return(rented);
        }

        return state.CollectsErrors && Fail(state, $"{ValueText.Describe(text)} is not a valid {format}");
    }
}

/// <summary>The result of a bounded regular expression match.</summary>
internal enum RegexOutcome
{
    NoMatch,
    Match,
    Timeout,
}

/// <summary>
/// A compiled pattern: linear-time when possible, otherwise backtracking with a timeout. The linear-time automaton is
/// built on first use (building it is costly and a policy may hold hundreds of patterns); until then, and if the
/// engine turns out not to support the pattern, the checked backtracking form stands by.
/// </summary>
internal sealed class SchemaRegex
{
    private readonly string? _linearPattern;
    private readonly Regex _backtracking;
    private readonly DeterministicPattern? _deterministic;
    private Regex? _regex;

    /// <summary>A pattern that runs on the backtracking engine (with a timeout).</summary>
    public SchemaRegex(string source, Regex backtracking)
    {
        Source = source;
        _backtracking = backtracking;
        _regex = backtracking;
    }

    /// <summary>A pattern that runs on the linear-time engine, built on first use, or on ASCII text by a greedy scan when its shape allows.</summary>
    public SchemaRegex(string source, string linearPattern, Regex backtracking)
    {
        Source = source;
        _linearPattern = linearPattern;
        _backtracking = backtracking;
        _deterministic = DeterministicPattern.TryCreate(source);
    }

    public string Source { get; }

    /// <summary>Matches a string element given with its raw text (quoted); ASCII text without escapes is scanned in place when the pattern allows it.</summary>
    public RegexOutcome Match(EvaluationState state, JsonElement text, ReadOnlySpan<byte> raw)
    {
        if (_deterministic is not null)
        {
            var content = raw[1..^1];
            if (content.IndexOf((byte)'\\') < 0 && System.Text.Ascii.IsValid(content))
            {
                return _deterministic.IsMatch(content) ? RegexOutcome.Match : RegexOutcome.NoMatch;
            }
        }

        return MatchDecoded(state, text);
    }

    /// <summary>Matches a string element whose content the caller found to be ASCII without escapes.</summary>
    public RegexOutcome MatchPlainAscii(EvaluationState state, JsonElement text, ReadOnlySpan<byte> content) =>
        _deterministic is null ? MatchDecoded(state, text)
        : _deterministic.IsMatch(content) ? RegexOutcome.Match : RegexOutcome.NoMatch;

    // Kept apart so that the scratch buffer is only set up (and cleared) when the engine runs.
    private RegexOutcome MatchDecoded(EvaluationState state, JsonElement text)
    {
        Span<char> scratch = stackalloc char[256];
        var chars = JsonStrings.GetChars(text, scratch, out var rented);
        try
        {
            return Match(state, chars);
        }
        finally
        {
            JsonStrings.Return(rented);
        }
    }

    public RegexOutcome Match(EvaluationState state, ReadOnlySpan<char> text)
    {
        var regex = _regex ?? Build();
        if (!ReferenceEquals(regex, _backtracking))
        {
            // The linear-time engine: no timeout to account.
            return regex.IsMatch(text) ? RegexOutcome.Match : RegexOutcome.NoMatch;
        }

        return MatchBacktracking(state, regex, text);
    }

    /// <summary>The message for a match that timed out, or was not tried because the evaluation's time for patterns was spent.</summary>
    public static string TimeoutMessage(EvaluationState state, string what) =>
        $"matching {what} took too long (patterns that need backtracking may take {state.RegexTimeout.TotalMilliseconds:0.###} ms in all per validation); the value is rejected";

    // Each match on the backtracking engine is bounded by the regex's own timeout, and all of them together by the
    // evaluation's budget, so that many values each taking almost the timeout cannot add up to a hang. Once the
    // budget is spent (or a match timed out) every further match counts as timed out without running.
    [System.Runtime.CompilerServices.MethodImpl(System.Runtime.CompilerServices.MethodImplOptions.NoInlining)]
    private static RegexOutcome MatchBacktracking(EvaluationState state, Regex regex, ReadOnlySpan<char> text)
    {
        if (state.RegexTimeSpent)
        {
            return RegexOutcome.Timeout;
        }

        var started = state.Time.GetTimestamp();
        try
        {
            return regex.IsMatch(text) ? RegexOutcome.Match : RegexOutcome.NoMatch;
        }
        catch (RegexMatchTimeoutException)
        {
            state.SpendRegexTime(Timeout.InfiniteTimeSpan);
            return RegexOutcome.Timeout;
        }
        finally
        {
            state.SpendRegexTime(state.Time.GetElapsedTime(started));
        }
    }

    private Regex Build()
    {
        Regex built;
        try
        {
            built = RegexCache.Get(_linearPattern!, RegexOptions.NonBacktracking | RegexOptions.CultureInvariant, Regex.InfiniteMatchTimeout);
        }
        catch (NotSupportedException)
        {
            // A construct the scan did not catch: keep the time-bounded backtracking form.
            built = _backtracking;
        }

        // Two threads may both build it; both get equal regexes (the cache usually hands out the same one).
        _regex = built;
        return built;
    }
}
