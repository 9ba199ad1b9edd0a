using System.Text.Json;
#if NET9_0_OR_GREATER
using System.Runtime.InteropServices;
#endif

namespace PolicyLayer.Json;

/// <summary>Access to the raw UTF-8 text of a JSON value.</summary>
internal static class JsonRaw
{
    /// <summary>
    /// The raw JSON text of a value (strings keep their quotes and escapes). Allocation-free on net9+;
    /// on net8 the text is copied out of the document.
    /// </summary>
    public static ReadOnlySpan<byte> Utf8(JsonElement element)
    {
#if NET9_0_OR_GREATER
        return JsonMarshal.GetRawUtf8Value(element);
#else
        return System.Text.Encoding.UTF8.GetBytes(element.GetRawText());
#endif
    }
}
