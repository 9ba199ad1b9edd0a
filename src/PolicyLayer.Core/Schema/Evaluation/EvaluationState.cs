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

    [ThreadStatic]
    private static EvaluationState? s_cached;

    private readonly List<SchemaResource> _dynamicScope = [];
    private readonly List<PathSegment> _path = [];
    private int _schemaDepth;
    private int _steps;

    public int MaxDepth { get; private set; }

    public TimeSpan RegexTimeout { get; private set; }

    public bool AssertFormat { get; private set; }

    public bool TrackDynamicScope { get; private set; }

    public List<SchemaValidationError>? Errors { get; private set; }

    public bool CollectsErrors => Errors is not null;

    public IReadOnlyList<SchemaResource> DynamicScope => _dynamicScope;

    public static EvaluationState Rent(JsonSchemaOptions options, bool trackDynamicScope, bool collectErrors)
    {
        var state = s_cached ?? new EvaluationState();
        s_cached = null;
        state.MaxDepth = options.MaxInstanceDepth;
        state.RegexTimeout = options.RegexTimeout;
        state.AssertFormat = options.AssertFormat;
        state.TrackDynamicScope = trackDynamicScope;
        state.Errors = collectErrors ? [] : null;
        return state;
    }

    public static void Return(EvaluationState state)
    {
        state._dynamicScope.Clear();
        state._path.Clear();
        state._schemaDepth = 0;
        state._steps = 0;
        state._budgetReported = false;
        state.Errors = null;
        s_cached = state;
    }

    /// <summary>Whether the step budget is spent; evaluation then fails everywhere.</summary>
    public bool OverBudget => _steps > MaxSteps;

    public bool Enter()
    {
        _schemaDepth++;
        _steps++;
        return _schemaDepth <= MaxSchemaDepth && _steps <= MaxSteps && RuntimeHelpers.TryEnsureSufficientExecutionStack();
    }

    public void Exit() => _schemaDepth--;

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

    /// <summary>Enters a property; its name is only read (and allocated) if an error needs the path.</summary>
    public void PushPath(in JsonPropertyView property)
    {
        if (Errors is not null)
        {
            _path.Add(new PathSegment(property, -1));
        }
    }

    public void PushPath(int index)
    {
        if (Errors is not null)
        {
            _path.Add(new PathSegment(default, index));
        }
    }

    public void PopPath()
    {
        if (Errors is not null)
        {
            _path.RemoveAt(_path.Count - 1);
        }
    }

    /// <summary>Swaps in a fresh error list (to evaluate alternatives); returns the previous one.</summary>
    public List<SchemaValidationError>? SwapErrors(List<SchemaValidationError>? errors)
    {
        var previous = Errors;
        Errors = errors;
        return previous;
    }

    private bool _budgetReported;

    public void AddErrorOnce(string schemaLocation, string keyword, string message)
    {
        if (!_budgetReported && Errors is not null)
        {
            _budgetReported = true;
            AddError(schemaLocation, keyword, message);
        }
    }

    public void AddError(string schemaLocation, string keyword, string message)
    {
        if (Errors is null)
        {
            return;
        }

        var instanceLocation = InstancePointer();
        var keywordLocation = keyword.Length == 0 ? schemaLocation : schemaLocation + "/" + JsonPointer.Escape(keyword);
        var shown = instanceLocation.Length == 0 ? "/" : instanceLocation;
        Errors.Add(new SchemaValidationError(instanceLocation, keywordLocation, keyword, $"{shown}: {message}"));
    }

    public string InstancePointer()
    {
        if (_path.Count == 0)
        {
            return string.Empty;
        }

        var builder = new StringBuilder();
        foreach (var segment in _path)
        {
            builder.Append('/');
            if (segment.Index >= 0)
            {
                builder.Append(segment.Index);
            }
            else
            {
                builder.Append(JsonPointer.Escape(segment.Property.Name));
            }
        }

        return builder.ToString();
    }


    private readonly record struct PathSegment(JsonPropertyView Property, int Index);
}
