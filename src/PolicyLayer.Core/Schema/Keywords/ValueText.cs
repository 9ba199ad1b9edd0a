using System.Text.Json;

namespace PolicyLayer.Schema.Keywords;

/// <summary>Short renderings of values for error messages.</summary>
internal static class ValueText
{
    /// <summary>How many characters of a value or a name a message quotes.</summary>
    public const int MaxShown = 60;

    public static string Describe(in JsonProperties instance) =>
        instance.TryGetElement(out var element) ? Describe(element) : "the object";

    public static string Describe(JsonElement value) => value.ValueKind switch
    {
        JsonValueKind.String => Quote(Json.JsonStrings.GetString(value)),
        JsonValueKind.Number => Number(value),
        JsonValueKind.True => "true",
        JsonValueKind.False => "false",
        JsonValueKind.Null => "null",
        JsonValueKind.Object => "the object",
        JsonValueKind.Array => "the array",
        _ => "the value",
    };

    public static string Literal(JsonElement value) => value.ValueKind switch
    {
        JsonValueKind.String => Quote(Json.JsonStrings.GetString(value)),
        JsonValueKind.Number => Number(value),
        _ => Truncate(value.GetRawText()),
    };

    /// <summary>A number's text, cut short (a number may have any count of digits); only the part shown is copied.</summary>
    public static string Number(JsonElement number)
    {
        var raw = Json.JsonRaw.Utf8(number);
        return raw.Length <= MaxShown ? System.Text.Encoding.ASCII.GetString(raw) : System.Text.Encoding.ASCII.GetString(raw[..MaxShown]) + "…";
    }

    /// <summary>A property name, quoted and cut short.</summary>
    public static string Name(string name) => Quote(name);

    /// <summary>Names, each quoted and cut short, at most ten of them.</summary>
    public static string Names(IEnumerable<string> names)
    {
        const int MaxNames = 10;
        var list = names.Take(MaxNames + 1).Select(Quote).ToList();
        return list.Count > MaxNames ? string.Join(", ", list.Take(MaxNames)) + ", …" : string.Join(", ", list);
    }

    /// <summary>Cuts a text to at most <paramref name="max"/> characters (then ending in '…').</summary>
    public static string Clip(string text, int max) => text.Length <= max ? text : string.Concat(text.AsSpan(0, max), "…");

    public static string Quote(string text) => "'" + Truncate(text) + "'";

    public static string KindName(JsonValueKind kind) => kind switch
    {
        JsonValueKind.Object => "an object",
        JsonValueKind.Array => "an array",
        JsonValueKind.String => "a string",
        JsonValueKind.Number => "a number",
        JsonValueKind.True or JsonValueKind.False => "a boolean",
        JsonValueKind.Null => "null",
        _ => "nothing",
    };

    public static string KindNameOf(string typeName) => typeName switch
    {
        "integer" => "an integer",
        "object" => "an object",
        "array" => "an array",
        "null" => "null",
        _ => "a " + typeName,
    };

    private static string Truncate(string text) => Clip(text, MaxShown);
}
