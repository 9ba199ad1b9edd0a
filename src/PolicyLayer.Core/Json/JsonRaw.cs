using System.Runtime.InteropServices;
using System.Text.Json;

namespace PolicyLayer.Json;

/// <summary>Access to the raw UTF-8 text of a JSON value.</summary>
internal static class JsonRaw
{
    /// <summary>The raw JSON text of a value (strings keep their quotes and escapes), without copying it.</summary>
    public static ReadOnlySpan<byte> Utf8(JsonElement element) => JsonMarshal.GetRawUtf8Value(element);
}
