using System.Globalization;
using System.Security.Cryptography;
using System.Text.Json;
using PolicyLayer.Counters;
using PolicyLayer.Json;
using PolicyLayer.Schema;

namespace PolicyLayer.Policies;

/// <summary>
/// Reads a policy document into an immutable <see cref="Policy"/>, collecting every error with its position
/// before anything is built, so that a policy with errors is never half-applied.
/// </summary>
internal sealed partial class PolicyLoader
{
    private static readonly JsonReaderOptions ReaderOptions = new()
    {
        CommentHandling = JsonCommentHandling.Skip,
        AllowTrailingCommas = true,
        MaxDepth = 256,
    };

    private readonly List<(string Code, string Message, string Pointer, int Line, int Column)> _syntaxErrors = [];
    private readonly List<(string Code, string Message, string Pointer, bool AtKey)> _errors = [];
    private readonly Dictionary<string, (CounterDefinition Definition, string Pointer)> _counters = new(StringComparer.Ordinal);
    private readonly PolicyLoadOptions _options;
    private readonly string? _source;

    private PolicyLoader(PolicyLoadOptions options, string? source)
    {
        _options = options;
        _source = source;
    }

    public static PolicyLoadResult Load(string text, string? source, PolicyLoadOptions? options)
    {
        ArgumentNullException.ThrowIfNull(text);
        var loader = new PolicyLoader(options ?? PolicyLoadOptions.Default, source);
        return loader.Load(SourcePositions.ToUtf8(text));
    }

    private PolicyLoadResult Load(byte[] utf8)
    {
        var positions = SourcePositions.Read(utf8, ReaderOptions, _syntaxErrors);
        if (_syntaxErrors.Exists(e => e.Code == PolicyErrorCodes.InvalidJson))
        {
            return Fail(positions);
        }

        JsonElement root;
        using (var document = JsonDocument.Parse(utf8, new JsonDocumentOptions { CommentHandling = ReaderOptions.CommentHandling, AllowTrailingCommas = true, MaxDepth = ReaderOptions.MaxDepth }))
        {
            // Clone so the policy owns its values after the pooled document is returned.
            root = document.RootElement.Clone();
        }

        var policy = ReadDocument(root, Revision(utf8));
        return _syntaxErrors.Count > 0 || _errors.Count > 0 ? Fail(positions) : new PolicyLoadResult(policy, []);
    }

    private PolicyLoadResult Fail(SourcePositions positions)
    {
        var errors = new List<PolicyError>();
        foreach (var e in _syntaxErrors)
        {
            errors.Add(new PolicyError(e.Code, e.Message, e.Pointer, e.Line, e.Column, _source));
        }

        foreach (var e in _errors)
        {
            var (line, column) = e.AtKey ? positions.OfKey(e.Pointer) : positions.OfValue(e.Pointer);
            errors.Add(new PolicyError(e.Code, e.Message, e.Pointer, line, column, _source));
        }

        errors.Sort((a, b) => a.Line != b.Line ? a.Line.CompareTo(b.Line) : a.Column.CompareTo(b.Column));
        return new PolicyLoadResult(null, errors);
    }

    private void Error(string code, string pointer, string message) => _errors.Add((code, message, pointer, false));

    private void ErrorAtKey(string code, string pointer, string message) => _errors.Add((code, message, pointer, true));

    private static string Revision(byte[] utf8)
    {
        Span<byte> hash = stackalloc byte[32];
        SHA256.HashData(utf8, hash);
        return "sha256:" + Convert.ToHexString(hash[..8]).ToLowerInvariant();
    }

    private Policy? ReadDocument(JsonElement root, string revision)
    {
        if (root.ValueKind != JsonValueKind.Object)
        {
            Error(PolicyErrorCodes.WrongType, string.Empty, $"the policy must be a JSON object, not {Describe(root)}; start from {{ \"version\": \"1\", \"default\": \"deny\", \"tools\": {{}} }}");
            return null;
        }

        CheckFields(root, string.Empty, DocumentFields);

        if (!root.TryGetProperty("version", out var version))
        {
            Error(PolicyErrorCodes.MissingField, string.Empty, "the policy has no 'version'; add \"version\": \"1\"");
        }
        else if (version.ValueKind != JsonValueKind.String || version.GetString() != "1")
        {
            Error(PolicyErrorCodes.UnknownVersion, "/version", $"unknown version {version.GetRawText()}; the only version is \"1\" (a string)");
        }

        var defaultAction = DefaultAction.Deny;
        if (!root.TryGetProperty("default", out var defaultElement))
        {
            Error(PolicyErrorCodes.MissingField, string.Empty, "the policy has no 'default'; add \"default\": \"deny\" (unlisted tools refused) or \"allow\"");
        }
        else
        {
            switch (defaultElement.ValueKind == JsonValueKind.String ? defaultElement.GetString() : null)
            {
                case "allow": defaultAction = DefaultAction.Allow; break;
                case "deny": defaultAction = DefaultAction.Deny; break;
                default:
                    Error(PolicyErrorCodes.UnknownDefault, "/default", $"unknown default {defaultElement.GetRawText()}; use \"allow\" or \"deny\"");
                    break;
            }
        }

        var mode = ReadEnum(root, "mode", string.Empty, PolicyMode.Enforce, ("enforce", PolicyMode.Enforce), ("shadow", PolicyMode.Shadow));
        var inputSchema = ReadEnum(root, "input_schema", string.Empty, InputSchemaMode.Enforce, ("enforce", InputSchemaMode.Enforce), ("ignore", InputSchemaMode.Ignore));
        var (hidden, hideAll) = ReadHide(root);

        var allTools = root.TryGetProperty("all_tools", out var allToolsElement)
            ? ReadRules(allToolsElement, "/all_tools", isAllTools: true)
            : ToolRules.Empty("/all_tools");

        var tools = new Dictionary<string, ToolRules>(StringComparer.Ordinal);
        if (root.TryGetProperty("tools", out var toolsElement))
        {
            if (toolsElement.ValueKind != JsonValueKind.Object)
            {
                Error(PolicyErrorCodes.WrongType, "/tools", $"'tools' must be an object keyed by tool name, not {Describe(toolsElement)}");
            }
            else
            {
                foreach (var tool in toolsElement.EnumerateObject())
                {
                    var rules = ReadRules(tool.Value, JsonPointer.Append("/tools", tool.Name), isAllTools: false);
                    if (rules is not null)
                    {
                        tools[tool.Name] = rules;
                    }
                }
            }
        }

        if (_errors.Count > 0 || allTools is null)
        {
            return null;
        }

        var counters = _counters.ToDictionary(c => c.Key, c => c.Value.Definition, StringComparer.Ordinal);
        return new Policy(revision, defaultAction, hidden, hideAll, allTools, tools, inputSchema, mode, counters, _source);
    }

    private (HashSet<string> Hidden, bool HideAll) ReadHide(JsonElement root)
    {
        var hidden = new HashSet<string>(StringComparer.Ordinal);
        var hideAll = false;
        if (!root.TryGetProperty("hide", out var hide))
        {
            return (hidden, hideAll);
        }

        if (hide.ValueKind != JsonValueKind.Array)
        {
            Error(PolicyErrorCodes.WrongType, "/hide", $"'hide' must be an array of tool names, not {Describe(hide)}");
            return (hidden, hideAll);
        }

        var index = 0;
        foreach (var item in hide.EnumerateArray())
        {
            if (item.ValueKind != JsonValueKind.String)
            {
                Error(PolicyErrorCodes.WrongType, JsonPointer.Append("/hide", index), $"'hide' items must be tool names (strings), not {Describe(item)}");
            }
            else if (item.GetString() == "*")
            {
                hideAll = true;
            }
            else
            {
                hidden.Add(item.GetString()!);
            }

            index++;
        }

        return (hidden, hideAll);
    }

    private ToolRules? ReadRules(JsonElement element, string pointer, bool isAllTools)
    {
        if (element.ValueKind != JsonValueKind.Object)
        {
            Error(PolicyErrorCodes.WrongType, pointer, $"a tool's rules must be an object (use {{}} to allow the tool as is), not {Describe(element)}");
            return null;
        }

        CheckFields(element, pointer, isAllTools ? AllToolsFields : ToolFields);

        var action = isAllTools ? ToolAction.Allow : ReadEnum(element, "action", pointer, ToolAction.Allow, ("allow", ToolAction.Allow), ("deny", ToolAction.Deny), ("require_approval", ToolAction.RequireApproval));
        var reason = ReadOptionalString(element, "reason", pointer);

        JsonElement? schema = null;
        JsonSchema? compiled = null;
        if (element.TryGetProperty("schema", out var schemaElement))
        {
            schema = schemaElement;
            compiled = CompileSchema(schemaElement, pointer + "/schema");
        }

        var require = ReadGroups(element, "require", pointer);
        var denyIf = ReadGroups(element, "deny_if", pointer);
        var limits = ReadLimits(element, pointer);
        return new ToolRules(pointer, action, reason, schema, compiled, require, denyIf, limits);
    }

    private JsonSchema? CompileSchema(JsonElement schema, string pointer)
    {
        if (schema.ValueKind is not (JsonValueKind.Object or JsonValueKind.True or JsonValueKind.False))
        {
            Error(PolicyErrorCodes.InvalidSchema, pointer, $"'schema' must be a JSON Schema (an object or a boolean), not {Describe(schema)}");
            return null;
        }

        if (JsonSchema.TryCompile(schema, _options.SchemaOptions, out var compiled, out var errors))
        {
            return compiled;
        }

        foreach (var error in errors)
        {
            Error(PolicyErrorCodes.InvalidSchema, pointer + error.SchemaLocation, $"invalid JSON Schema: {error.Message}");
        }

        return null;
    }

    /// <summary>An optional array field whose items are read one by one; items that fail to read are left out (their errors are recorded).</summary>
    /// <param name="parent">The object holding the field.</param>
    /// <param name="field">The field's name.</param>
    /// <param name="parentPointer">The parent's JSON Pointer.</param>
    /// <param name="items">What the items are, for the error when the field is not an array.</param>
    /// <param name="read">Reads one item, given its pointer; <see langword="null"/> when it has errors.</param>
    private IReadOnlyList<T> ReadArray<T>(JsonElement parent, string field, string parentPointer, string items, Func<JsonElement, string, T?> read)
        where T : class
    {
        if (!parent.TryGetProperty(field, out var array))
        {
            return [];
        }

        var pointer = parentPointer + "/" + field;
        if (array.ValueKind != JsonValueKind.Array)
        {
            Error(PolicyErrorCodes.WrongType, pointer, $"'{field}' must be an array of {items}, not {Describe(array)}");
            return [];
        }

        var result = new List<T>();
        var index = 0;
        foreach (var item in array.EnumerateArray())
        {
            if (read(item, JsonPointer.Append(pointer, index++)) is { } value)
            {
                result.Add(value);
            }
        }

        return result;
    }

    private T ReadEnum<T>(JsonElement element, string field, string pointer, T fallback, params (string Name, T Value)[] values)
    {
        if (!element.TryGetProperty(field, out var value))
        {
            return fallback;
        }

        if (value.ValueKind == JsonValueKind.String)
        {
            var text = value.GetString();
            foreach (var (name, result) in values)
            {
                if (name == text)
                {
                    return result;
                }
            }

            Error(PolicyErrorCodes.InvalidValue, pointer + "/" + field, $"unknown {field} '{text}'{Suggest(text!, values.Select(v => v.Name))}; use one of {Names(values)}");
        }
        else
        {
            Error(PolicyErrorCodes.WrongType, pointer + "/" + field, $"'{field}' must be one of {Names(values)}, not {Describe(value)}");
        }

        return fallback;
    }

    private static string Names<T>((string Name, T Value)[] values) => string.Join(", ", values.Select(v => $"\"{v.Name}\""));

    private string? ReadOptionalString(JsonElement element, string field, string pointer)
    {
        if (!element.TryGetProperty(field, out var value))
        {
            return null;
        }

        if (value.ValueKind != JsonValueKind.String)
        {
            Error(PolicyErrorCodes.WrongType, pointer + "/" + field, $"'{field}' must be a string, not {Describe(value)}");
            return null;
        }

        var text = value.GetString();
        if (string.IsNullOrWhiteSpace(text))
        {
            // These strings are what the model reads when it is refused: a blank one would leave it guessing.
            Error(PolicyErrorCodes.InvalidValue, pointer + "/" + field, $"'{field}' is blank; write the message the model should read (what happened and what to do instead), or remove '{field}' to get the default message");
            return null;
        }

        return text;
    }

    private void CheckFields(JsonElement element, string pointer, string[] allowed)
    {
        foreach (var property in element.EnumerateObject())
        {
            if (property.Name.StartsWith("x-", StringComparison.Ordinal) || Array.IndexOf(allowed, property.Name) >= 0)
            {
                continue;
            }

            ErrorAtKey(
                PolicyErrorCodes.UnknownField,
                JsonPointer.Append(pointer, property.Name),
                $"unknown field '{property.Name}'{Suggest(property.Name, allowed)}; allowed here: {string.Join(", ", allowed)} (or a name starting with 'x-')");
        }
    }

    internal static string Describe(JsonElement value) => value.ValueKind switch
    {
        JsonValueKind.Object => "an object",
        JsonValueKind.Array => "an array",
        JsonValueKind.String => $"the string {value.GetRawText()}",
        JsonValueKind.Number => $"the number {value.GetRawText()}",
        JsonValueKind.True or JsonValueKind.False => $"the boolean {value.GetRawText()}",
        JsonValueKind.Null => "null",
        _ => "nothing",
    };

    private static string Describe(CounterDefinition d) =>
        $"window {d.Window.TotalSeconds.ToString(CultureInfo.InvariantCulture)} s, max {d.Max.ToString(CultureInfo.InvariantCulture)}, scope {d.Scope.ToString().ToLowerInvariant()}{(d.KeyPath is null ? "" : ", key " + d.KeyPath)}";

    /// <summary>Suggests the closest allowed name for a likely typo.</summary>
    private static string Suggest(string text, IEnumerable<string> candidates)
    {
        var best = candidates
            .Select(c => (Candidate: c, Distance: EditDistance(text, c)))
            .Where(c => c.Distance <= Math.Max(1, c.Candidate.Length / 3))
            .OrderBy(c => c.Distance)
            .FirstOrDefault();
        return best.Candidate is null ? string.Empty : $" (did you mean '{best.Candidate}'?)";
    }

    private static int EditDistance(string a, string b)
    {
        var previous = new int[b.Length + 1];
        var current = new int[b.Length + 1];
        for (var j = 0; j <= b.Length; j++)
        {
            previous[j] = j;
        }

        for (var i = 1; i <= a.Length; i++)
        {
            current[0] = i;
            for (var j = 1; j <= b.Length; j++)
            {
                var substitution = previous[j - 1] + (a[i - 1] == b[j - 1] ? 0 : 1);
                current[j] = Math.Min(substitution, Math.Min(previous[j] + 1, current[j - 1] + 1));
            }

            (previous, current) = (current, previous);
        }

        return previous[b.Length];
    }
}
