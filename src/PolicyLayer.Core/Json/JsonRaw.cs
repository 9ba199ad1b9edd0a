using System.Runtime.InteropServices;
using System.Text.Json;

namespace PolicyLayer.Json;

/// <summary>Access to the raw UTF-8 text of a JSON value or property name, without copying it.</summary>
internal static class JsonRaw
{
    /// <summary>The raw JSON text of a value (strings keep their quotes and escapes).</summary>
    public static ReadOnlySpan<byte> Utf8(JsonElement element) => JsonMarshal.GetRawUtf8Value(element);

    /// <summary>The raw text of a property's name, without its quotes (escapes kept).</summary>
    public static ReadOnlySpan<byte> Utf8Name(JsonProperty property) => JsonMarshal.GetRawUtf8PropertyName(property);
}
