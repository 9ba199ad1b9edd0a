using System.Text.Json;

namespace PolicyLayer.Schema.Keywords;

/// <summary>Short renderings of values for error messages.</summary>
internal static class ValueText
{
    private const int MaxShown = 60;

    public static string Describe(in JsonProperties instance) =>
        instance.TryGetElement(out var element) ? Describe(element) : "the object";

    public static string Describe(JsonElement value) => value.ValueKind switch
    {
        JsonValueKind.String => Quote(Json.JsonStrings.GetString(value)),
        JsonValueKind.Number => Truncate(value.GetRawText()),
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
        _ => Truncate(value.GetRawText()),
    };

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

    private static string Truncate(string text) => text.Length <= MaxShown ? text : string.Concat(text.AsSpan(0, MaxShown), "…");
}
