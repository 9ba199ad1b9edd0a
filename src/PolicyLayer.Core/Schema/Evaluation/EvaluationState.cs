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
    private const int MaxSchemaDepth = 512;

    [ThreadStatic]
    private static EvaluationState? s_cached;

    private readonly List<SchemaResource> _dynamicScope = [];
    private readonly List<PathSegment> _path = [];
    private int _schemaDepth;

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
        state.Errors = null;
        s_cached = state;
    }

    public bool Enter()
    {
        _schemaDepth++;
        return _schemaDepth <= MaxSchemaDepth && RuntimeHelpers.TryEnsureSufficientExecutionStack();
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

    public void PushPath(string name)
    {
        if (Errors is not null)
        {
            _path.Add(new PathSegment(name, -1));
        }
    }

    public void PushPath(int index)
    {
        if (Errors is not null)
        {
            _path.Add(new PathSegment(null, index));
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

    public void AddError(string schemaLocation, string keyword, string message)
    {
        if (Errors is null)
        {
            return;
        }

        var instanceLocation = InstancePointer();
        var keywordLocation = keyword.Length == 0 ? schemaLocation : schemaLocation + "/" + EscapePointer(keyword);
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
            if (segment.Name is null)
            {
                builder.Append(segment.Index);
            }
            else
            {
                builder.Append(EscapePointer(segment.Name));
            }
        }

        return builder.ToString();
    }

    public static string EscapePointer(string segment) => segment.Replace("~", "~0", StringComparison.Ordinal).Replace("/", "~1", StringComparison.Ordinal);

    private readonly record struct PathSegment(string? Name, int Index);
}
