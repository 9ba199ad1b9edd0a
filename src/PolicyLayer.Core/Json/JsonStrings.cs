using System.Buffers;
using System.Globalization;
using System.Text;
using System.Text.Json;

namespace PolicyLayer.Json;

/// <summary>Reads JSON strings as UTF-16 without allocating a <see cref="string"/>.</summary>
/// <remarks>
/// Decoding is lossless and never throws: JSON may escape a lone surrogate (<c>"\ud800"</c> is valid, and
/// <see cref="JsonDocument"/> accepts it), which <see cref="JsonElement.GetString"/> and
/// <see cref="JsonProperty.Name"/> refuse with an exception; here it becomes that UTF-16 code unit, so the text is
/// exactly what the JSON says. <see cref="IsWellFormed(ReadOnlySpan{char})"/> tells whether text has one.
/// </remarks>
internal static class JsonStrings
{
    /// <summary>
    /// The unescaped UTF-16 text of a string element. Uses <paramref name="scratch"/> when it fits, otherwise rents
    /// from <see cref="ArrayPool{T}.Shared"/> and hands the array back in <paramref name="rented"/>: the caller returns
    /// it with <see cref="Return"/> once done with the span.
    /// </summary>
    /// <exception cref="ArgumentException">The element is not a string.</exception>
    public static ReadOnlySpan<char> GetChars(JsonElement stringElement, Span<char> scratch, out char[]? rented)
    {
        if (stringElement.ValueKind != JsonValueKind.String)
        {
            throw new ArgumentException($"Expected a JSON string but got {stringElement.ValueKind}.", nameof(stringElement));
        }

        var raw = JsonRaw.Utf8(stringElement);
        return Decode(raw[1..^1], scratch, out rented); // without the quotes
    }

    /// <summary>The text of a string element as a <see cref="string"/>, decoded losslessly (see the remarks on the class).</summary>
    /// <exception cref="ArgumentException">The element is not a string.</exception>
    public static string GetString(JsonElement stringElement) =>
        ToStringAndReturn(GetChars(stringElement, stackalloc char[128], out var rented), rented);

    /// <summary>A property's name, decoded losslessly (see the remarks on the class); same buffer contract as <see cref="GetChars"/>.</summary>
    public static ReadOnlySpan<char> GetNameChars(JsonProperty property, Span<char> scratch, out char[]? rented)
    {
        return Decode(JsonRaw.Utf8Name(property), scratch, out rented);
    }

    /// <summary>A property's name as a <see cref="string"/>, decoded losslessly (see the remarks on the class).</summary>
    public static string GetName(JsonProperty property) =>
        ToStringAndReturn(GetNameChars(property, stackalloc char[128], out var rented), rented);

    /// <summary>The characters as a <see cref="string"/>, then the buffer they were decoded into (if rented) returned.</summary>
    private static string ToStringAndReturn(ReadOnlySpan<char> chars, char[]? rented)
    {
        try
        {
            return chars.ToString();
        }
        finally
        {
            Return(rented);
        }
    }

    /// <summary>Whether UTF-16 text is well formed: every surrogate is half of a high-low pair.</summary>
    public static bool IsWellFormed(ReadOnlySpan<char> text)
    {
        var i = text.IndexOfAnyInRange('\uD800', '\uDFFF'); // usually none: checked a vector at a time
        if (i < 0)
        {
            return true;
        }

        for (; i < text.Length; i++)
        {
            if (char.IsHighSurrogate(text[i]) && i + 1 < text.Length && char.IsLowSurrogate(text[i + 1]))
            {
                i++;
            }
            else if (char.IsSurrogate(text[i]))
            {
                return false;
            }
        }

        return true;
    }

    /// <summary>
    /// Whether a string element is Unicode text: <see cref="JsonDocument"/> has checked the UTF-8, so only an escaped
    /// lone surrogate (<c>"\ud800"</c>) can make it otherwise, and a string without escapes is never decoded.
    /// </summary>
    public static bool IsWellFormed(JsonElement stringElement) =>
        IsWellFormedRaw(JsonRaw.Utf8(stringElement)[1..^1]);

    /// <summary>Whether a property's name is Unicode text (see <see cref="IsWellFormed(JsonElement)"/>).</summary>
    public static bool IsNameWellFormed(JsonProperty property) => IsWellFormedRaw(JsonRaw.Utf8Name(property));

    private static bool IsWellFormedRaw(ReadOnlySpan<byte> raw)
    {
        if (!raw.Contains((byte)'\\'))
        {
            return true;
        }

        var chars = Decode(raw, stackalloc char[128], out var rented);
        try
        {
            return IsWellFormed(chars);
        }
        finally
        {
            Return(rented);
        }
    }

    /// <summary>Decodes raw JSON string content (UTF-8, escapes, no quotes) to UTF-16; same buffer contract as <see cref="GetChars"/>.</summary>
    public static ReadOnlySpan<char> Decode(ReadOnlySpan<byte> raw, Span<char> scratch, out char[]? rented)
    {
        rented = null;
        var buffer = scratch;
        if (raw.Length > scratch.Length)
        {
            // UTF-16 never needs more code units than UTF-8 has bytes.
            rented = ArrayPool<char>.Shared.Rent(raw.Length);
            buffer = rented;
        }

        // Arguments are mostly ASCII, which widens to UTF-16 far faster than the general decoder runs.
        var length = Ascii.ToUtf16(raw, buffer, out var widened) == System.Buffers.OperationStatus.Done
            ? widened
            : Encoding.UTF8.GetChars(raw, buffer);
        if (raw.IndexOf((byte)'\\') >= 0)
        {
            length = Unescape(buffer[..length]);
        }

        return buffer[..length];
    }

    /// <summary>Returns an array that <see cref="GetChars"/> rented; <see langword="null"/> is ignored.</summary>
    public static void Return(char[]? rented)
    {
        if (rented is not null)
        {
            ArrayPool<char>.Shared.Return(rented);
        }
    }

    /// <summary>The number of Unicode code points of a string element (what minLength and maxLength count).</summary>
    /// <exception cref="ArgumentException">The element is not a string.</exception>
    public static int CodePointLength(JsonElement stringElement) =>
        stringElement.ValueKind == JsonValueKind.String
            ? CodePointLength(stringElement, JsonRaw.Utf8(stringElement))
            : CodePointLengthDecoded(stringElement);

    /// <summary>The number of code points of a string given its element and raw text (with quotes), read once by the caller.</summary>
    public static int CodePointLength(JsonElement stringElement, ReadOnlySpan<byte> raw)
    {
        var content = raw[1..^1];
        if (content.IndexOf((byte)'\\') >= 0)
        {
            return CodePointLengthDecoded(stringElement);
        }

        if (System.Text.Ascii.IsValid(content))
        {
            return content.Length; // the usual case, checked a vector at a time
        }

        // Every code point starts with exactly one byte that is not a continuation byte (10xxxxxx).
        var count = 0;
        foreach (var b in content)
        {
            if ((b & 0xC0) != 0x80)
            {
                count++;
            }
        }

        return count;
    }

    // Kept apart so that the scratch buffer is only set up (and cleared) for text with escapes.
    private static int CodePointLengthDecoded(JsonElement stringElement)
    {
        Span<char> scratch = stackalloc char[256];
        var chars = GetChars(stringElement, scratch, out var rented);
        try
        {
            return CodePointLength(chars);
        }
        finally
        {
            Return(rented);
        }
    }

    /// <summary>The number of Unicode code points of UTF-16 text; a lone surrogate counts as one.</summary>
    public static int CodePointLength(ReadOnlySpan<char> chars)
    {
        var count = chars.Length;
        for (var i = 1; i < chars.Length; i++)
        {
            if (char.IsLowSurrogate(chars[i]) && char.IsHighSurrogate(chars[i - 1]))
            {
                count--;
                i++; // the pair is consumed; the next char starts fresh
            }
        }

        return count;
    }

    // Unescapes JSON escapes in place; the result is never longer than the input.
    private static int Unescape(Span<char> text)
    {
        var write = 0;
        for (var read = 0; read < text.Length; read++)
        {
            var c = text[read];
            if (c != '\\' || read + 1 >= text.Length)
            {
                text[write++] = c;
                continue;
            }

            var escape = text[++read];
            switch (escape)
            {
                case 'b': text[write++] = '\b'; break;
                case 'f': text[write++] = '\f'; break;
                case 'n': text[write++] = '\n'; break;
                case 'r': text[write++] = '\r'; break;
                case 't': text[write++] = '\t'; break;
                case 'u':
                    text[write++] = (char)int.Parse(text.Slice(read + 1, 4), NumberStyles.AllowHexSpecifier, CultureInfo.InvariantCulture);
                    read += 4;
                    break;
                default: text[write++] = escape; break; // \" \\ \/
            }
        }

        return write;
    }
}
