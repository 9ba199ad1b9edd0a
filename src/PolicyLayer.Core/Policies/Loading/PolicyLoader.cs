using System.Globalization;
using System.Security.Cryptography;
using System.Text.Json;
using System.Text.RegularExpressions;
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

    private IReadOnlyList<ConditionGroup> ReadGroups(JsonElement rules, string field, string rulesPointer)
    {
        if (!rules.TryGetProperty(field, out var groups))
        {
            return [];
        }

        var pointer = rulesPointer + "/" + field;
        if (groups.ValueKind != JsonValueKind.Array)
        {
            Error(PolicyErrorCodes.WrongType, pointer, $"'{field}' must be an array of condition groups ({{ \"conditions\": [...], \"on_deny\": \"...\" }}), not {Describe(groups)}");
            return [];
        }

        var result = new List<ConditionGroup>();
        var index = 0;
        foreach (var group in groups.EnumerateArray())
        {
            var groupPointer = JsonPointer.Append(pointer, index++);
            var read = ReadGroup(group, groupPointer);
            if (read is not null)
            {
                result.Add(read);
            }
        }

        return result;
    }

    private ConditionGroup? ReadGroup(JsonElement group, string pointer)
    {
        if (group.ValueKind != JsonValueKind.Object)
        {
            Error(PolicyErrorCodes.WrongType, pointer, $"a condition group must be an object {{ \"conditions\": [...], \"on_deny\": \"...\" }}, not {Describe(group)}");
            return null;
        }

        CheckFields(group, pointer, GroupFields);
        var onDeny = ReadOptionalString(group, "on_deny", pointer);
        if (!group.TryGetProperty("conditions", out var conditions))
        {
            Error(PolicyErrorCodes.MissingField, pointer, "the condition group has no 'conditions'; add \"conditions\": [ { \"path\": \"args.x\", \"op\": \"eq\", \"value\": 1 } ]");
            return null;
        }

        if (conditions.ValueKind != JsonValueKind.Array)
        {
            Error(PolicyErrorCodes.WrongType, pointer + "/conditions", $"'conditions' must be an array of conditions, not {Describe(conditions)}");
            return null;
        }

        var list = new List<Condition>();
        var index = 0;
        foreach (var condition in conditions.EnumerateArray())
        {
            var read = ReadCondition(condition, JsonPointer.Append(pointer + "/conditions", index++));
            if (read is not null)
            {
                list.Add(read);
            }
        }

        return new ConditionGroup(pointer, list, onDeny);
    }

    private Condition? ReadCondition(JsonElement condition, string pointer)
    {
        if (condition.ValueKind != JsonValueKind.Object)
        {
            Error(PolicyErrorCodes.WrongType, pointer, $"a condition must be an object {{ \"path\": \"args.x\", \"op\": \"eq\", \"value\": 1 }}, not {Describe(condition)}");
            return null;
        }

        CheckFields(condition, pointer, ConditionFields);
        var path = ReadPath(condition, "path", pointer, required: true);

        ConditionOperator? op = null;
        string? opText = null;
        if (!condition.TryGetProperty("op", out var opElement))
        {
            Error(PolicyErrorCodes.MissingField, pointer, "the condition has no 'op'; use one of " + OperatorList);
        }
        else if (opElement.ValueKind != JsonValueKind.String)
        {
            Error(PolicyErrorCodes.WrongType, pointer + "/op", $"'op' must be a string, one of {OperatorList}");
        }
        else
        {
            opText = opElement.GetString()!;
            op = Operators.TryGetValue(opText, out var parsed) ? parsed : null;
            if (op is null)
            {
                Error(PolicyErrorCodes.UnknownOperator, pointer + "/op", $"unknown op '{opText}'{Suggest(opText, Operators.Keys)}; use one of {OperatorList}");
            }
        }

        var hasValue = condition.TryGetProperty("value", out var value);
        if (op is null || path is null)
        {
            return null;
        }

        var valuePointer = pointer + "/value";
        Regex? regex = null;
        switch (op.Value)
        {
            case ConditionOperator.Exists or ConditionOperator.NotExists:
                if (hasValue)
                {
                    Error(PolicyErrorCodes.InvalidConditionValue, valuePointer, $"'{opText}' takes no 'value'; remove it");
                    return null;
                }

                return new Condition(pointer, path, op.Value, null, null, opText!);
            case var _ when !hasValue:
                Error(PolicyErrorCodes.InvalidConditionValue, pointer, $"the '{opText}' condition has no 'value'; add the value to compare with");
                return null;
            case ConditionOperator.In or ConditionOperator.NotIn when value.ValueKind != JsonValueKind.Array:
                Error(PolicyErrorCodes.InvalidConditionValue, valuePointer, $"'{opText}' needs an array of values, not {Describe(value)}; for example [\"a\", \"b\"]");
                return null;
            case ConditionOperator.Lt or ConditionOperator.Lte or ConditionOperator.Gt or ConditionOperator.Gte when value.ValueKind != JsonValueKind.Number:
                Error(PolicyErrorCodes.InvalidConditionValue, valuePointer, $"'{opText}' compares numbers, so 'value' must be a number, not {Describe(value)}");
                return null;
            case ConditionOperator.Regex when value.ValueKind != JsonValueKind.String:
                Error(PolicyErrorCodes.InvalidConditionValue, valuePointer, $"'regex' needs a regular expression as a string, not {Describe(value)}");
                return null;
            case ConditionOperator.Regex:
                regex = CompileRegex(value.GetString()!, valuePointer);
                if (regex is null)
                {
                    return null;
                }

                break;
        }

        return new Condition(pointer, path, op.Value, value, regex, opText!);
    }

    private Regex? CompileRegex(string pattern, string pointer)
    {
        try
        {
            // NonBacktracking runs in time linear in the input, whatever the pattern, and the input is bounded by
            // the authorizer's argument size limit. No match timeout: a timer would refuse calls on a busy machine
            // (the first match builds the automaton lazily) without adding safety.
            return new Regex(pattern, RegexOptions.NonBacktracking | RegexOptions.CultureInvariant);
        }
        catch (NotSupportedException ex)
        {
            Error(PolicyErrorCodes.InvalidRegex, pointer, $"the regex '{pattern}' uses a construct that linear-time matching does not support (backreferences, lookarounds, atomic groups, conditionals): {ex.Message} Rewrite it without that construct.");
        }
        catch (ArgumentException ex)
        {
            Error(PolicyErrorCodes.InvalidRegex, pointer, $"the regex '{pattern}' is not valid: {ex.Message}");
        }

        return null;
    }

    private PolicyPath? ReadPath(JsonElement element, string field, string pointer, bool required)
    {
        if (!element.TryGetProperty(field, out var pathElement))
        {
            if (required)
            {
                Error(PolicyErrorCodes.MissingField, pointer, $"missing '{field}'; add a path such as \"args.amount\"");
            }

            return null;
        }

        var fieldPointer = pointer + "/" + field;
        if (pathElement.ValueKind != JsonValueKind.String)
        {
            Error(PolicyErrorCodes.WrongType, fieldPointer, $"'{field}' must be a path string such as \"args.amount\", not {Describe(pathElement)}");
            return null;
        }

        if (!PolicyPath.TryParse(pathElement.GetString()!, out var path, out var error))
        {
            Error(PolicyErrorCodes.InvalidPath, fieldPointer, error!);
        }

        return path;
    }

    private IReadOnlyList<Limit> ReadLimits(JsonElement rules, string rulesPointer)
    {
        if (!rules.TryGetProperty("limits", out var limits))
        {
            return [];
        }

        var pointer = rulesPointer + "/limits";
        if (limits.ValueKind != JsonValueKind.Array)
        {
            Error(PolicyErrorCodes.WrongType, pointer, $"'limits' must be an array of limits, not {Describe(limits)}");
            return [];
        }

        var result = new List<Limit>();
        var index = 0;
        foreach (var limit in limits.EnumerateArray())
        {
            var read = ReadLimit(limit, JsonPointer.Append(pointer, index++));
            if (read is not null)
            {
                result.Add(read);
            }
        }

        return result;
    }

    private Limit? ReadLimit(JsonElement limit, string pointer)
    {
        if (limit.ValueKind != JsonValueKind.Object)
        {
            Error(PolicyErrorCodes.WrongType, pointer, $"a limit must be an object {{ \"counter\": \"name\", \"window\": \"minute\", \"max\": 30 }}, not {Describe(limit)}");
            return null;
        }

        CheckFields(limit, pointer, LimitFields);
        var errorsBefore = _errors.Count;

        string? counter = null;
        if (!limit.TryGetProperty("counter", out var counterElement))
        {
            Error(PolicyErrorCodes.MissingField, pointer, "the limit has no 'counter'; name its budget, as in \"counter\": \"refunds_per_grant\"");
        }
        else if (counterElement.ValueKind != JsonValueKind.String || counterElement.GetString()!.Length == 0)
        {
            Error(PolicyErrorCodes.WrongType, pointer + "/counter", $"'counter' must be a non-empty string, not {Describe(counterElement)}");
        }
        else
        {
            counter = counterElement.GetString();
        }

        var window = ReadWindow(limit, pointer);
        var max = ReadMax(limit, pointer);
        var scope = ReadEnum(limit, "scope", pointer, CounterScope.Grant, ("grant", CounterScope.Grant), ("session", CounterScope.Session), ("global", CounterScope.Global));
        var key = ReadPath(limit, "key", pointer, required: false);
        var (cost, costPath) = ReadCost(limit, pointer);
        var onDeny = ReadOptionalString(limit, "on_deny", pointer);

        if (_errors.Count > errorsBefore || counter is null || window is null || max is null)
        {
            return null;
        }

        var definition = new CounterDefinition(counter, window.Value, max.Value, scope, key?.Text);
        if (_counters.TryGetValue(counter, out var existing))
        {
            if (!existing.Definition.Equals(definition))
            {
                Error(PolicyErrorCodes.ConflictingCounter, pointer, $"the counter '{counter}' is defined differently at {existing.Pointer} ({Describe(existing.Definition)}) and here ({Describe(definition)}); limits sharing a counter must agree on window, max, scope and key, or use different counter names");
                return null;
            }

            definition = existing.Definition;
        }
        else
        {
            _counters[counter] = (definition, pointer);
        }

        return new Limit(pointer, definition, cost, costPath, key, onDeny);
    }

    private TimeSpan? ReadWindow(JsonElement limit, string pointer)
    {
        if (!limit.TryGetProperty("window", out var window))
        {
            Error(PolicyErrorCodes.MissingField, pointer, "the limit has no 'window'; use \"second\", \"minute\", \"hour\", \"day\" or a number of seconds");
            return null;
        }

        switch (window.ValueKind)
        {
            case JsonValueKind.String:
                switch (window.GetString())
                {
                    case "second": return TimeSpan.FromSeconds(1);
                    case "minute": return TimeSpan.FromMinutes(1);
                    case "hour": return TimeSpan.FromHours(1);
                    case "day": return TimeSpan.FromDays(1);
                }

                Error(PolicyErrorCodes.InvalidWindow, pointer + "/window", $"unknown window '{window.GetString()}'; use \"second\", \"minute\", \"hour\", \"day\" or a positive whole number of seconds");
                return null;
            case JsonValueKind.Number when window.TryGetInt64(out var seconds) && seconds > 0 && seconds <= (long)TimeSpan.MaxValue.TotalSeconds / 2:
                return TimeSpan.FromSeconds(seconds);
            default:
                Error(PolicyErrorCodes.InvalidWindow, pointer + "/window", $"'window' must be \"second\", \"minute\", \"hour\", \"day\" or a positive whole number of seconds, not {window.GetRawText()}");
                return null;
        }
    }

    private decimal? ReadMax(JsonElement limit, string pointer)
    {
        if (!limit.TryGetProperty("max", out var max))
        {
            Error(PolicyErrorCodes.MissingField, pointer, "the limit has no 'max'; give the most cost admitted per window, as in \"max\": 30");
            return null;
        }

        if (max.ValueKind != JsonValueKind.Number)
        {
            Error(PolicyErrorCodes.WrongType, pointer + "/max", $"'max' must be a positive number, not {Describe(max)}");
            return null;
        }

        if (!max.TryGetDecimal(out var value) || value <= 0)
        {
            Error(PolicyErrorCodes.NonPositiveMax, pointer + "/max", $"'max' must be a positive number, not {max.GetRawText()}");
            return null;
        }

        return value;
    }

    private (decimal Cost, PolicyPath? Path) ReadCost(JsonElement limit, string pointer)
    {
        if (!limit.TryGetProperty("cost", out var cost))
        {
            return (1m, null);
        }

        var costPointer = pointer + "/cost";
        switch (cost.ValueKind)
        {
            case JsonValueKind.Number when cost.TryGetDecimal(out var value) && value > 0:
                return (value, null);
            case JsonValueKind.String:
                if (!PolicyPath.TryParse(cost.GetString()!, out var path, out var error))
                {
                    Error(PolicyErrorCodes.InvalidPath, costPointer, error!);
                }
                else if (path!.Root is not (PathRoot.Args or PathRoot.Caller))
                {
                    Error(PolicyErrorCodes.InvalidCost, costPointer, $"'cost' path '{path.Text}' addresses a string; a cost path must point into 'args' or 'caller', as in \"args.amount\"");
                }

                return (1m, path);
            default:
                Error(PolicyErrorCodes.InvalidCost, costPointer, $"'cost' must be a positive number or a path such as \"args.amount\", not {cost.GetRawText()}");
                return (1m, null);
        }
    }

    private T ReadEnum<T>(JsonElement element, string field, string pointer, T fallback, params (string Name, T Value)[] values)
    {
        if (!element.TryGetProperty(field, out var value))
        {
            return fallback;
        }

        var names = string.Join(", ", values.Select(v => $"\"{v.Name}\""));
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

            Error(PolicyErrorCodes.InvalidValue, pointer + "/" + field, $"unknown {field} '{text}'{Suggest(text!, values.Select(v => v.Name))}; use one of {names}");
        }
        else
        {
            Error(PolicyErrorCodes.WrongType, pointer + "/" + field, $"'{field}' must be one of {names}, not {Describe(value)}");
        }

        return fallback;
    }

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

        return value.GetString();
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
