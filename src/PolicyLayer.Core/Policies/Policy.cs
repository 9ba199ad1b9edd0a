using PolicyLayer.Counters;

namespace PolicyLayer.Policies;

/// <summary>
/// A loaded, validated, immutable policy (<c>policy.json</c>, version 1). Load one with
/// <see cref="Load(string, string?, PolicyLoadOptions?)"/> (every error as a result) or
/// <see cref="Parse(string, string?, PolicyLoadOptions?)"/> (an exception listing every error).
/// </summary>
public sealed class Policy
{
    private readonly HashSet<string> _hidden;
    private readonly Dictionary<string, ToolRules> _tools;

    internal Policy(
        string revision,
        DefaultAction defaultAction,
        HashSet<string> hidden,
        bool hideAll,
        ToolRules allTools,
        Dictionary<string, ToolRules> tools,
        InputSchemaMode inputSchema,
        PolicyMode mode,
        IReadOnlyDictionary<string, CounterDefinition> counters,
        string? source)
    {
        Revision = revision;
        Default = defaultAction;
        _hidden = hidden;
        HideAll = hideAll;
        AllTools = allTools;
        _tools = tools;
        InputSchema = inputSchema;
        Mode = mode;
        Counters = counters;
        Source = source;
    }

    /// <summary>The revision: a hash of the policy's text, carried by every decision it makes.</summary>
    public string Revision { get; }

    /// <summary>What happens to tools not listed under <see cref="Tools"/>.</summary>
    public DefaultAction Default { get; }

    /// <summary>The tool names hidden from <c>tools/list</c> and denied at call time.</summary>
    public IReadOnlyCollection<string> Hidden => _hidden;

    /// <summary>Whether <c>hide</c> contains <c>"*"</c>, hiding every tool.</summary>
    public bool HideAll { get; }

    /// <summary>The rules applied to every call that reaches them.</summary>
    public ToolRules AllTools { get; }

    /// <summary>The per-tool rules, keyed by exact tool name.</summary>
    public IReadOnlyDictionary<string, ToolRules> Tools => _tools;

    /// <summary>Whether declared input schemas are enforced.</summary>
    public InputSchemaMode InputSchema { get; }

    /// <summary>Whether decisions are enforced or only recorded.</summary>
    public PolicyMode Mode { get; }

    /// <summary>Every counter the policy's limits define, by name.</summary>
    public IReadOnlyDictionary<string, CounterDefinition> Counters { get; }

    /// <summary>The file or other source the policy was loaded from, when known.</summary>
    public string? Source { get; }

    /// <summary>Whether a tool is hidden.</summary>
    /// <param name="toolName">The tool's name.</param>
    /// <returns><see langword="true"/> when hidden.</returns>
    public bool IsHidden(string toolName) => HideAll || _hidden.Contains(toolName);

    internal bool TryGetTool(string toolName, out ToolRules rules) => _tools.TryGetValue(toolName, out rules!);

    /// <summary>Loads a policy from its JSON text, reporting every error instead of throwing.</summary>
    /// <param name="json">The policy text. Comments and trailing commas are accepted.</param>
    /// <param name="source">A name for error messages, normally the file path.</param>
    /// <param name="options">Load options.</param>
    /// <returns>The policy, or every error with its line, column and JSON Pointer.</returns>
    public static PolicyLoadResult Load(string json, string? source = null, PolicyLoadOptions? options = null)
        => PolicyLoader.Load(json, source, options);

    /// <summary>Loads a policy file, reporting every error instead of throwing.</summary>
    /// <param name="path">The file path.</param>
    /// <param name="options">Load options.</param>
    /// <returns>The policy, or every error with its line, column and JSON Pointer.</returns>
    /// <exception cref="IOException">The file cannot be read.</exception>
    public static PolicyLoadResult LoadFile(string path, PolicyLoadOptions? options = null)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        return PolicyLoader.Load(File.ReadAllText(path), path, options);
    }

    /// <summary>Loads a policy from its JSON text.</summary>
    /// <param name="json">The policy text.</param>
    /// <param name="source">A name for error messages, normally the file path.</param>
    /// <param name="options">Load options.</param>
    /// <returns>The policy.</returns>
    /// <exception cref="PolicyLoadException">The policy has errors; the exception lists every one.</exception>
    public static Policy Parse(string json, string? source = null, PolicyLoadOptions? options = null)
    {
        var result = Load(json, source, options);
        return result.Policy ?? throw new PolicyLoadException(result.Errors);
    }
}
