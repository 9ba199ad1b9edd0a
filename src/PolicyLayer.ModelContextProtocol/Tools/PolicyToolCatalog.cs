using System.Collections.Concurrent;
using System.Runtime.CompilerServices;
using System.Text.Json;
using Microsoft.Extensions.Options;
using ModelContextProtocol.Protocol;
using ModelContextProtocol.Server;
using PolicyLayer.Authorization;

namespace PolicyLayer.ModelContextProtocol;

/// <summary>
/// The tools the server has, as far as the policy integration knows them: it registers each tool's declared
/// <c>inputSchema</c> with the <see cref="PolicyAuthorizer"/> and decides which names are unknown tools.
/// </summary>
/// <remarks>
/// <para>Tools registered with the SDK (<c>WithTools</c>, the server's tool collection) are added at startup and
/// kept current when the collection changes. Tools a <c>tools/list</c> answer contains are added as they pass.
/// A server that serves tools through its own call handler, such as a proxy, adds them with
/// <see cref="SetTools"/>, which also makes the catalog authoritative: names not in it are then answered as
/// unknown tools.</para>
/// <para>Thread-safe: changes are made one at a time, so the authorizer always holds the schema the catalog
/// recorded, and a name in the final list is never unregistered by a list it replaced. A schema is compiled again
/// only when its text changes.</para>
/// </remarks>
public sealed class PolicyToolCatalog
{
    private readonly PolicyAuthorizer? _authorizer;
    private readonly bool _registerSchemas;
    private readonly ConcurrentDictionary<string, string> _schemas = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, byte> _collectionTools = new(StringComparer.Ordinal);

    // Serializes changes: each one reads what is registered, registers with the authorizer and records what it
    // registered, and two interleaved could leave the authorizer holding a schema other than the one recorded
    // (which then never gets replaced). Changes are rare; reads (Contains, unchanged schemas) take no lock.
    private readonly object _changes = new();
    private volatile HashSet<string>? _authoritative;

    // The definitions SetTools was given, by name, as JSON: a tool redefined under the same name is a change too.
    private volatile Dictionary<string, string>? _definitions;

    // The SDK's options, except for JSON values a tool holds (its schemas, its metadata): the default converter
    // decodes and re-escapes their strings, and throws for an escaped lone surrogate ("\ud800"), which is valid JSON
    // an upstream server may declare. Such a tool is still listed, and its calls are refused (its schema does not compile).
    private static readonly JsonSerializerOptions DefinitionOptions = new(global::ModelContextProtocol.McpJsonUtilities.DefaultOptions)
    {
        Converters = { new RawJsonElementConverter() },
    };

    // Every tool collection followed, with the names it held at its last change (so a removal is noticed). An HTTP
    // server may build a collection per session, or per request when stateless; held weakly, each goes away with its
    // session, and a collection seen again is not followed twice.
    private readonly ConditionalWeakTable<McpServerPrimitiveCollection<McpServerTool>, HashSet<string>> _attached = new();

    // The collection followed last: every call passes its session's collection, nearly always the server's one, and a
    // reference comparison is cheaper than the weak table's lookup. It keeps at most that one collection alive.
    private volatile McpServerPrimitiveCollection<McpServerTool>? _lastAttached;

    /// <summary>Creates a catalog.</summary>
    /// <param name="options">The integration's options.</param>
    /// <param name="authorizer">The authorizer to register schemas with; <see langword="null"/> when the host uses another <see cref="IToolCallAuthorizer"/>.</param>
    public PolicyToolCatalog(IOptions<PolicyLayerMcpOptions> options, PolicyAuthorizer? authorizer = null)
    {
        ArgumentNullException.ThrowIfNull(options);
        _authorizer = authorizer;
        _registerSchemas = options.Value.RegisterDeclaredInputSchemas;
    }

    /// <summary>
    /// Whether <see cref="SetTools"/> made the catalog the complete list of the server's tools, so that any other
    /// name is an unknown tool.
    /// </summary>
    public bool IsAuthoritative => _authoritative is not null;

    /// <summary>The names <see cref="SetTools"/> set, or <see langword="null"/> when it was not called.</summary>
    internal IReadOnlyCollection<string>? AuthoritativeNames => _authoritative;

    /// <summary>
    /// Raised after <see cref="SetTools"/> changed the list (a tool added, removed or redefined), outside the catalog's
    /// lock: the list-change notifier tells each session whose visible tools changed.
    /// </summary>
    internal event Action? ToolsChanged;

    /// <summary>The definition <see cref="SetTools"/> was given for a name (its JSON), or <see langword="null"/>.</summary>
    internal string? DefinitionOf(string toolName) => _definitions?.GetValueOrDefault(toolName);

    /// <summary>A tool's definition as JSON, to tell a tool redefined under the same name; never throws for the values it holds.</summary>
    internal static string Definition(Tool tool) => JsonSerializer.Serialize(tool, DefinitionOptions.GetTypeInfo(typeof(Tool)));

    /// <summary>
    /// Sets the complete list of tools the server serves (for a proxy: the upstream's <c>tools/list</c>) and registers
    /// their input schemas. When the list changes, each session that has listed tools and whose visible tools changed
    /// is told (<c>notifications/tools/list_changed</c>, on every protocol revision), so a server that calls this need
    /// not send that notification itself, and a change to hidden tools tells no one.
    /// </summary>
    /// <param name="tools">Every tool the server has.</param>
    public void SetTools(IEnumerable<Tool> tools)
    {
        ArgumentNullException.ThrowIfNull(tools);
        bool changed;
        lock (_changes)
        {
            var names = new HashSet<string>(StringComparer.Ordinal);
            var definitions = new Dictionary<string, string>(StringComparer.Ordinal);
            foreach (var tool in tools)
            {
                names.Add(tool.Name);
                definitions[tool.Name] = Definition(tool);
                Register(tool);
            }

            var previous = _authoritative;
            changed = _definitions is not { } before || !SameDefinitions(before, definitions);

            // Definitions first: a reader that sees the new names (read first) then sees their definitions too.
            _definitions = definitions;
            _authoritative = names;
            if (previous is not null)
            {
                foreach (var gone in previous.Where(name => !names.Contains(name) && !_collectionTools.ContainsKey(name)))
                {
                    Unregister(gone);
                }
            }
        }

        if (changed)
        {
            ToolsChanged?.Invoke();
        }
    }

    /// <summary>Whether two maps of tool name to definition hold the same tools, defined alike.</summary>
    internal static bool SameDefinitions(Dictionary<string, string> a, Dictionary<string, string> b)
    {
        if (ReferenceEquals(a, b))
        {
            return true;
        }

        if (a.Count != b.Count)
        {
            return false;
        }

        foreach (var (name, definition) in a)
        {
            if (!b.TryGetValue(name, out var other) || !string.Equals(definition, other, StringComparison.Ordinal))
            {
                return false;
            }
        }

        return true;
    }

    /// <summary>Adds tools the server has (their declared input schemas are registered), without making the catalog authoritative.</summary>
    /// <param name="tools">The tools.</param>
    public void AddTools(IEnumerable<Tool> tools)
    {
        ArgumentNullException.ThrowIfNull(tools);
        foreach (var tool in tools)
        {
            Register(tool);
        }
    }

    /// <summary>Whether the name is in the authoritative list set by <see cref="SetTools"/> or in the server's tool collection.</summary>
    /// <param name="toolName">The tool's name.</param>
    /// <returns><see langword="true"/> when the tool is known.</returns>
    public bool Contains(string toolName) =>
        _collectionTools.ContainsKey(toolName) || (_authoritative?.Contains(toolName) ?? false);

    /// <summary>
    /// Follows one of the SDK's tool collections (the server's, or a session's): registers every tool now and whenever
    /// it changes. Following a collection again does nothing.
    /// </summary>
    internal void Attach(McpServerPrimitiveCollection<McpServerTool>? collection)
    {
        if (collection is null || ReferenceEquals(collection, _lastAttached))
        {
            return;
        }

        if (!_attached.TryGetValue(collection, out _))
        {
            lock (_changes)
            {
                if (!_attached.TryGetValue(collection, out _))
                {
                    _attached.Add(collection, new HashSet<string>(StringComparer.Ordinal));
                    collection.Changed += (_, _) => SyncCollection(collection);
                    SyncCollection(collection);
                }
            }
        }

        _lastAttached = collection;
    }

    private void SyncCollection(McpServerPrimitiveCollection<McpServerTool> collection)
    {
        lock (_changes)
        {
            if (!_attached.TryGetValue(collection, out var previous))
            {
                return;
            }

            var current = new HashSet<string>(StringComparer.Ordinal);
            foreach (var tool in collection)
            {
                current.Add(tool.ProtocolTool.Name);
                _collectionTools[tool.ProtocolTool.Name] = 0;
                Register(tool.ProtocolTool);
            }

            // A name this collection dropped is forgotten only when no other collection still has it: one session
            // removing a tool for its user must not stop the tool's schema being enforced for everyone else.
            foreach (var name in previous)
            {
                if (!current.Contains(name) && !InOtherCollection(collection, name) && _collectionTools.TryRemove(name, out _) && !(_authoritative?.Contains(name) ?? false))
                {
                    Unregister(name);
                }
            }

            previous.Clear();
            previous.UnionWith(current);
        }
    }

    // Called with the lock held.
    private bool InOtherCollection(McpServerPrimitiveCollection<McpServerTool> collection, string name)
    {
        foreach (var (other, names) in _attached)
        {
            if (!ReferenceEquals(other, collection) && names.Contains(name))
            {
                return true;
            }
        }

        return false;
    }

    private void Register(Tool tool)
    {
        if (!_registerSchemas || _authorizer is null || tool.InputSchema.ValueKind == JsonValueKind.Undefined)
        {
            return;
        }

        // Unchanged, the usual case for a tools/list answer: nothing to do and no lock to take. The recorded text
        // is written under the lock after the authorizer has it, so a match means the authorizer holds it.
        var text = tool.InputSchema.GetRawText();
        if (IsRegistered(tool.Name, text))
        {
            return;
        }

        lock (_changes)
        {
            if (IsRegistered(tool.Name, text))
            {
                return;
            }

            // Errors are logged by the authorizer, and the tool's calls are refused until its schema compiles.
            _authorizer.RegisterInputSchema(tool.Name, tool.InputSchema);
            _schemas[tool.Name] = text;
        }
    }

    private bool IsRegistered(string toolName, string text) =>
        _schemas.TryGetValue(toolName, out var registered) && registered == text;

    // Called with the lock held.
    private void Unregister(string toolName)
    {
        if (_authorizer is not null && _schemas.TryRemove(toolName, out _))
        {
            _authorizer.UnregisterInputSchema(toolName);
        }
    }
}
