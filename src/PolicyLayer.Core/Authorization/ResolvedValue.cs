using System.Text.Json;
using PolicyLayer.Json;
using PolicyLayer.Policies;

namespace PolicyLayer.Authorization;

/// <summary>
/// The value a path addresses in a call: missing, a JSON value, or one of the call's own strings (tool name,
/// grant id, session id).
/// </summary>
internal readonly struct ResolvedValue
{
    // The call's string (tool, grant, session), or the dictionary behind a whole dictionary-held object: one field
    // for both keeps the value, which every condition copies, four words wide.
    private readonly object? _reference;

    private ResolvedValue(JsonValueKind kind, JsonElement element, object? reference)
    {
        Found = true;
        Kind = kind;
        Element = element;
        _reference = reference;
    }

    public static ResolvedValue Missing => default;

    public bool Found { get; }

    /// <summary>The JSON value, when the path addressed one.</summary>
    public JsonElement Element { get; }

    /// <summary>The string, when the path addressed the tool name, grant or session.</summary>
    public string? Text => _reference as string;

    /// <summary>The whole arguments or caller object, when the path is just <c>args</c> or <c>caller</c> and it is not an element.</summary>
    public JsonProperties WholeObject => _reference switch
    {
        IReadOnlyDictionary<string, JsonElement> readOnly => new JsonProperties(readOnly),
        IDictionary<string, JsonElement> dictionary => new JsonProperties(dictionary),
        _ => default,
    };

    public bool IsText => _reference is string;

    public bool IsNull => Kind == JsonValueKind.Null;

    /// <summary>
    /// The JSON kind, treating call strings as strings and a whole dictionary-held object as an object; read once,
    /// when the value is resolved (reading an element's kind is a lookup in its document).
    /// </summary>
    public JsonValueKind Kind { get; }

    /// <summary>The value as an element; a dictionary-held object is serialized (rare: only a bare <c>args</c> path).</summary>
    public JsonElement ToElement()
    {
        if (Text is not null)
        {
            return JsonSerializer.SerializeToElement(Text, JsonContext.Default.String);
        }

        if (Element.ValueKind != JsonValueKind.Undefined)
        {
            return Element;
        }

        return InstanceElements.Of(WholeObject);
    }

    public static ResolvedValue Of(JsonElement element) => Of(element, element.ValueKind);

    private static ResolvedValue Of(JsonElement element, JsonValueKind kind) =>
        new(kind == JsonValueKind.Undefined ? JsonValueKind.Object : kind, element, null);

    public static ResolvedValue OfText(string? text) => text is null ? Missing : new(JsonValueKind.String, default, text);

    /// <summary>Finds the value a path addresses in a call.</summary>
    public static ResolvedValue Resolve(PolicyPath path, in ToolCall call) => Resolve(path, call, -1, default);

    /// <summary>
    /// Finds the value a path addresses in a call, taking the top-level argument from its slot in
    /// <paramref name="arguments"/> when they were read into slots and the path has one.
    /// </summary>
    public static ResolvedValue Resolve(PolicyPath path, in ToolCall call, int slot, in ArgumentValues arguments)
    {
        if (slot >= 0 && path.IsTopLevelArgument && arguments.IsFilled)
        {
            // The common shape, args.name read from its slot, apart from the general walk: its frame is several times
            // the size of this one, and the runtime clears it on every entry.
            return arguments.TryGet(slot, out var value) ? Of(value) : Missing;
        }

        return Walk(path, call, slot, arguments);
    }

    private static ResolvedValue Walk(PolicyPath path, in ToolCall call, int slot, in ArgumentValues arguments)
    {
        switch (path.Root)
        {
            case PathRoot.Tool: return OfText(call.ToolName);
            case PathRoot.Grant: return OfText(call.GrantId);
            case PathRoot.Session: return OfText(call.SessionId);
        }

        var root = path.Root == PathRoot.Args ? call.Arguments : call.Caller;
        var segments = path.SegmentArray;
        if (segments.Length == 0)
        {
            if (path.Root == PathRoot.Caller && root.IsUnset)
            {
                // A host that supplies no caller attributes (an anonymous caller) has no caller value: "caller"
                // alone is missing, so that a deny_if on "caller not_exists" refuses it. The arguments, even when
                // none were sent, are an object: a call without arguments has the empty object.
                return Missing;
            }

            return root.TryGetElement(out var whole) ? Of(whole) : new ResolvedValue(JsonValueKind.Object, default, root.Dictionary);
        }

        var utf8 = path.Utf8Segments;
        JsonElement current;
        if (slot >= 0 && arguments.IsFilled && path.Root == PathRoot.Args)
        {
            if (!arguments.TryGet(slot, out current))
            {
                return Missing;
            }
        }
        else if (root.RootKind != JsonValueKind.Object || !root.TryGetProperty(segments[0], utf8[0], out current))
        {
            return Missing;
        }

        var indexes = path.Indexes;
        var kind = current.ValueKind;
        for (var i = 1; i < segments.Length; i++)
        {
            switch (kind)
            {
                case JsonValueKind.Object:
                    if (!Json.JsonLookup.TryGetProperty(current, utf8[i], out current))
                    {
                        return Missing;
                    }

                    break;
                case JsonValueKind.Array:
                    var index = indexes[i];
                    if (index < 0 || index >= current.GetArrayLength())
                    {
                        return Missing;
                    }

                    current = current[index];
                    break;
                default:
                    // Below a string, number, boolean or null there is nothing to address.
                    return Missing;
            }

            kind = current.ValueKind;
        }

        return Of(current, kind);
    }
}
