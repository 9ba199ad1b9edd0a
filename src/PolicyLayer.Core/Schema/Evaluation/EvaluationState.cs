using PolicyLayer.Json;
using System.Runtime.CompilerServices;
using System.Text;

namespace PolicyLayer.Schema.Evaluation;

/// <summary>
/// The mutable state of one evaluation: limits, the dynamic scope, and (when errors are collected) the instance
/// path and the errors. One instance per thread is reused so that <see cref="JsonSchema.IsValid(System.Text.Json.JsonElement)"/>
/// allocates nothing.
/// </summary>
internal sealed class EvaluationState
{
    // Bounds the nesting of schema evaluations, whatever the instance: catches reference loops that consume nothing.
    private const int MaxSchemaDepth = 1000;

    // Bounds the total work of one evaluation: nested alternatives (anyOf of anyOf of ...) can be exponential without any cycle.
    private const int MaxSteps = 2_000_000;

    // The stack is probed every this many nested schemas rather than at each one (the probe costs more than a schema
    // without keywords); a level takes well under 1 KB of stack, far less than the probe's reserve per interval.
    private const int StackProbeInterval = 16;

    [ThreadStatic]
    private static EvaluationState? s_cached;

    private readonly List<SchemaResource> _dynamicScope = [];
    private readonly StringBuilder _pointer = new();
    private List<SchemaValidationError>? _errors;
    private int _errorLimit;       // how many errors the current list takes; one more ends the collection
    private bool _errorsOmitted;   // the current list reached its limit and an error was left out
    private readonly List<PathSegment> _path = [];
    private readonly List<ReferenceStep> _references = []; // the $ref/$dynamicRef followed to get here, when errors are collected
    private int _schemaDepth;
    private int _steps;

    public int MaxDepth { get; private set; }

    public TimeSpan RegexTimeout { get; private set; }

    public bool AssertFormat { get; private set; }

    /// <summary>Measures the time patterns on the backtracking engine take.</summary>
    public TimeProvider Time { get; private set; } = TimeProvider.System;

    // The time backtracking matches have taken in this evaluation; at RegexTimeout, no more are run.
    private TimeSpan _regexTime;

    /// <summary>Whether the evaluation's time for backtracking matches (<see cref="RegexTimeout"/> in all) is spent.</summary>
    public bool RegexTimeSpent => RegexTimeout != System.Text.RegularExpressions.Regex.InfiniteMatchTimeout && _regexTime >= RegexTimeout;

    /// <summary>Adds the time a backtracking match took (<see cref="Timeout.InfiniteTimeSpan"/>: all of it).</summary>
    public void SpendRegexTime(TimeSpan elapsed) =>
        _regexTime = elapsed == Timeout.InfiniteTimeSpan || _regexTime >= RegexTimeout || elapsed >= RegexTimeout ? TimeSpan.MaxValue : _regexTime + elapsed;

    public bool TrackDynamicScope { get; private set; }

    /// <summary>The errors found so far; <see langword="null"/> until the first one (or when errors are not collected).</summary>
    public List<SchemaValidationError>? Errors => _errors;

    public bool CollectsErrors { get; private set; }

    /// <summary>
    /// Whether an error was left out because the list was full. Collection then stops (<see cref="CollectsErrors"/>
    /// turns off), so the rest of the evaluation fails fast instead of building errors nobody reads.
    /// </summary>
    public bool ErrorsOmitted => _errorsOmitted;

    public IReadOnlyList<SchemaResource> DynamicScope => _dynamicScope;

    /// <summary>The message when one evaluation has taken more than its budget of steps.</summary>
    public const string TooManySteps = "evaluating the value against the schema took too many steps; the value is rejected (simplify the schema or the value)";

    /// <summary>The message when schemas nest deeper than the bound (or the stack runs short) without consuming the value.</summary>
    public const string UnboundedRecursion = "the schema nests too deeply or refers to itself without consuming the value (unbounded recursion); the value is rejected";

    /// <summary>The message for a value nested deeper than the limit.</summary>
    public static string TooDeep(int maxDepth) => $"the value is nested deeper than {maxDepth} levels; flatten it";

    public static EvaluationState Rent(JsonSchemaOptions options, bool trackDynamicScope, bool collectErrors)
    {
        var state = s_cached ?? new EvaluationState();
        s_cached = null;
        state.MaxDepth = options.MaxInstanceDepth;
        state.RegexTimeout = options.RegexTimeout;
        state.AssertFormat = options.AssertFormat;
        state.Time = options.TimeProvider;
        state._regexTime = TimeSpan.Zero;
        state.TrackDynamicScope = trackDynamicScope;
        state.CollectsErrors = collectErrors;
        state._errors = null;
        state._errorLimit = options.MaxErrors;
        state._errorsOmitted = false;
        return state;
    }

    public static void Return(EvaluationState state)
    {
        state._dynamicScope.Clear();
        state._path.Clear();
        state._references.Clear();
        state._schemaDepth = 0;
        state._steps = 0;
        state._budgetReported = false;
        state.CollectsErrors = false;
        state._errors = null;
        s_cached = state;
    }

    /// <summary>Whether the step budget is spent; evaluation then fails everywhere.</summary>
    public bool OverBudget => _steps > MaxSteps;

    public bool Enter()
    {
        _schemaDepth++;
        _steps++;
        return _schemaDepth <= MaxSchemaDepth && _steps <= MaxSteps
            && (_schemaDepth % StackProbeInterval != 0 || RuntimeHelpers.TryEnsureSufficientExecutionStack());
    }

    public void Exit() => _schemaDepth--;

    /// <summary>
    /// <see cref="Enter"/> and <see cref="Exit"/> at once, for a schema that evaluates no subschema (a string or number
    /// checked by its own keywords): the same step and the same limits, with nothing to undo afterwards.
    /// </summary>
    public bool TryLeafStep()
    {
        _steps++;
        var depth = _schemaDepth + 1;
        return depth <= MaxSchemaDepth && _steps <= MaxSteps
            && (depth % StackProbeInterval != 0 || RuntimeHelpers.TryEnsureSufficientExecutionStack());
    }

    public bool PushResource(SchemaResource resource)
    {
        if (!TrackDynamicScope || (_dynamicScope.Count > 0 && ReferenceEquals(_dynamicScope[^1], resource)))
        {
            return false;
        }

        _dynamicScope.Add(resource);
        return true;
    }

    public void PopResource(bool pushed)
    {
        if (pushed)
        {
            _dynamicScope.RemoveAt(_dynamicScope.Count - 1);
        }
    }

    /// <summary>
    /// Evaluates the target of a reference (<c>$ref</c>, <c>$dynamicRef</c>) at <paramref name="referenceLocation"/>.
    /// While errors are collected the step is recorded, so that their keyword locations run through the reference
    /// (<c>/properties/n/$ref/minimum</c>, not the definition's own <c>/$defs/pos/minimum</c>); nothing is built until
    /// an error needs it.
    /// </summary>
    public bool EvaluateThrough(string referenceLocation, SchemaNode target, in JsonProperties instance, int depth, EvaluatedSet? evaluated)
    {
        if (!CollectsErrors)
        {
            return target.Evaluate(this, instance, depth, evaluated);
        }

        _references.Add(new ReferenceStep(referenceLocation, target.Location));
        var valid = target.Evaluate(this, instance, depth, evaluated);
        _references.RemoveAt(_references.Count - 1);
        return valid;
    }

    // A schema location as reached: each reference's location mapped through the ones before it, then the location
    // relative to the last reference's target.
    private string KeywordPath(string schemaLocation)
    {
        if (_references.Count == 0)
        {
            return schemaLocation;
        }

        var reached = _references[0].Reference;
        var target = _references[0].Target;
        for (var i = 1; i < _references.Count; i++)
        {
            reached = Relocate(_references[i].Reference, target, reached);
            target = _references[i].Target;
        }

        return Relocate(schemaLocation, target, reached);
    }

    private static string Relocate(string location, string from, string to) =>
        location.StartsWith(from, StringComparison.Ordinal) && (location.Length == from.Length || location[from.Length] == '/' || from.EndsWith('#'))
            ? string.Concat(to, location.AsSpan(from.Length))
            : location;

    /// <summary>Enters a property; its name is only read (and allocated) if an error needs the path.</summary>
    public void PushPath(in JsonPropertyView property)
    {
        if (CollectsErrors)
        {
            _path.Add(new PathSegment(property, -1));
        }
    }

    public void PushPath(int index)
    {
        if (CollectsErrors)
        {
            _path.Add(new PathSegment(default, index));
        }
    }

    public void PopPath()
    {
        if (CollectsErrors && _path.Count > 0)
        {
            _path.RemoveAt(_path.Count - 1);
        }
    }

    /// <summary>
    /// Switches error collection (to test alternatives quietly, or to explain one into its own list of at most
    /// <paramref name="limit"/> errors); returns what it replaced.
    /// </summary>
    public ErrorScope SwapErrors(bool collect, List<SchemaValidationError>? errors, int limit = 0)
    {
        var previous = new ErrorScope(CollectsErrors, _errors, _errorLimit, _errorsOmitted, _path.Count);
        CollectsErrors = collect;
        _errors = errors;
        _errorLimit = collect ? limit : _errorLimit;
        _errorsOmitted = false;
        return previous;
    }

    /// <summary>Stops collecting errors for a check that cannot add any; returns whether collection was on.</summary>
    public bool PauseErrors()
    {
        var collecting = CollectsErrors;
        CollectsErrors = false;
        return collecting;
    }

    /// <summary>Undoes <see cref="PauseErrors"/>.</summary>
    public void ResumeErrors(bool collecting) => CollectsErrors = collecting;

    /// <summary>Restores what <see cref="SwapErrors"/> returned.</summary>
    public void RestoreErrors(in ErrorScope previous)
    {
        (CollectsErrors, _errors, _errorLimit, _errorsOmitted) = (previous.Collects, previous.Errors, previous.Limit, previous.Omitted);

        // Collection may have stopped (a full list) between a PushPath and its PopPath: drop what was left behind.
        if (_path.Count > previous.PathLength)
        {
            _path.RemoveRange(previous.PathLength, _path.Count - previous.PathLength);
        }
    }

    private bool _budgetReported;

    public void AddErrorOnce(string schemaLocation, string keyword, string message)
    {
        if (!_budgetReported && CollectsErrors)
        {
            _budgetReported = true;
            AddError(schemaLocation, keyword, message);
        }
    }

    /// <summary>How many errors have been recorded so far (a position for <see cref="AddError(string, string, string, int)"/>).</summary>
    public int ErrorCount => _errors?.Count ?? 0;

    public void AddError(string schemaLocation, string keyword, string message) => AddError(schemaLocation, keyword, message, ErrorCount);

    /// <summary>Records an error at a position of the list, so that a keyword checked last can still report first.</summary>
    public void AddError(string schemaLocation, string keyword, string message, int position)
    {
        if (!CollectsErrors)
        {
            return;
        }

        if (ErrorCount >= _errorLimit)
        {
            // The list is full: say so once, and stop collecting so that the evaluation ends at the next failure.
            _errorsOmitted = true;
            CollectsErrors = false;
            return;
        }

        var instanceLocation = InstancePointer();
        schemaLocation = KeywordPath(schemaLocation);
        var keywordLocation = keyword.Length == 0 ? schemaLocation : schemaLocation + "/" + JsonPointer.Escape(keyword);
        var shown = instanceLocation.Length == 0 ? "/" : Keywords.ValueText.Clip(instanceLocation, MaxShownPointer);
        (_errors ??= []).Insert(position, new SchemaValidationError(instanceLocation, keywordLocation, keyword, Keywords.ValueText.Clip($"{shown}: {message}", MaxMessage)));
    }

    // Messages quote values, names and nested explanations each cut short; these bound the whole as well.
    private const int MaxShownPointer = 200;
    private const int MaxMessage = 1000;

    public string InstancePointer()
    {
        if (_path.Count == 0)
        {
            return string.Empty;
        }

        var builder = _pointer.Clear();
        foreach (var segment in _path)
        {
            builder.Append('/');
            if (segment.Index >= 0)
            {
                builder.Append(segment.Index);
            }
            else
            {
                // A long name is cut (ending in '…'): the pointer stays readable and its size bounded, whatever was sent.
                builder.Append(Keywords.ValueText.Clip(JsonPointer.Escape(segment.Property.Name), Keywords.ValueText.MaxShown));
            }
        }

        return builder.ToString();
    }


    private readonly record struct PathSegment(JsonPropertyView Property, int Index);

    private readonly record struct ReferenceStep(string Reference, string Target);

    /// <summary>What <see cref="SwapErrors"/> replaced.</summary>
    public readonly record struct ErrorScope(bool Collects, List<SchemaValidationError>? Errors, int Limit, bool Omitted, int PathLength);
}
