using System.Buffers;
using System.Diagnostics.CodeAnalysis;
using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using PolicyLayer.Json;

namespace PolicyLayer.Auditing;

/// <summary>
/// The canonical JSON text of a call's arguments: object keys sorted (ordinal, by UTF-16 code unit), numbers
/// written in one normal form (so <c>1</c>, <c>1.0</c> and <c>10e-1</c> are the same), no whitespace, strings
/// escaped the one way <see cref="Utf8JsonWriter"/> escapes them. Two argument objects with the same JSON value
/// have the same canonical text.
/// </summary>
/// <remarks>
/// <para>A value nested deeper than <see cref="JsonValues.MaxDepth"/> is not walked (a hostile value could exhaust
/// the stack): its exact source text is written after a <c>#</c>, which no JSON text has outside a string, so it can
/// never share a text with another value (two spellings of one such value differ, which is the safe side). Such text
/// is not JSON; <see cref="TryText"/> reports it, so that no one is shown it as the call's arguments.</para>
/// <para>A string or name with a lone surrogate (<c>"\ud800"</c> is valid JSON) is the exception: the writer would put
/// U+FFFD in its place, making it the same as another string, so it is written with every code unit outside
/// printable ASCII escaped as <c>\uXXXX</c> (<c>"\uD800"</c>); an object with such a name is put together here
/// rather than by the writer, which has no way to take a name already escaped.</para>
/// </remarks>
internal static class CanonicalArguments
{
    private static readonly JsonWriterOptions WriterOptions = new() { Indented = false, SkipValidation = true, MaxDepth = JsonValues.MaxDepth + 2 };

    /// <summary>The marker before the exact source text of a value nested too deep to be written canonically.</summary>
    private static ReadOnlySpan<byte> BeyondDepthMarker => "#"u8;

    /// <summary>The canonical UTF-8 text of the arguments (with the source text of any value nested too deep).</summary>
    public static byte[] Utf8(in JsonProperties arguments) => Write(arguments, out _);

    /// <summary>The canonical text of the arguments (with the source text of any value nested too deep).</summary>
    public static string Text(in JsonProperties arguments) => Encoding.UTF8.GetString(Utf8(arguments));

    /// <summary>
    /// The canonical text of the arguments, when every value in them is within <see cref="JsonValues.MaxDepth"/>
    /// levels, so the text is JSON, exact and canonical throughout.
    /// </summary>
    /// <param name="arguments">The arguments.</param>
    /// <param name="text">The canonical text; <see langword="null"/> when <see langword="false"/> is returned.</param>
    /// <returns><see langword="false"/> when some value is nested deeper than that.</returns>
    public static bool TryText(in JsonProperties arguments, [NotNullWhen(true)] out string? text)
    {
        var utf8 = Write(arguments, out var tooDeep);
        text = tooDeep ? null : Encoding.UTF8.GetString(utf8);
        return !tooDeep;
    }

    /// <summary>The canonical text of one value, written as <see cref="Utf8"/> writes each argument's value.</summary>
    public static string ValueText(JsonElement value)
    {
        var tooDeep = false;
        return ValueText(value, 0, ref tooDeep);
    }

    /// <summary>The canonical text of a string value, quotes included, escaped as <see cref="Utf8"/> escapes strings.</summary>
    public static string StringText(ReadOnlySpan<char> text)
    {
        if (!JsonStrings.IsWellFormed(text))
        {
            return IllFormedStringText(text);
        }

        var buffer = new ArrayBufferWriter<byte>(text.Length + 2);
        using (var writer = new Utf8JsonWriter(buffer, WriterOptions))
        {
            writer.WriteStringValue(text);
        }

        return Encoding.UTF8.GetString(buffer.WrittenSpan);
    }

    /// <summary>The lowercase hex HMAC-SHA256 of the canonical arguments.</summary>
    public static string Hash(in JsonProperties arguments, byte[] key) =>
        Convert.ToHexString(HMACSHA256.HashData(key, Utf8(arguments))).ToLowerInvariant();

    private static byte[] Write(in JsonProperties arguments, out bool tooDeep)
    {
        tooDeep = false;
        var buffer = new ArrayBufferWriter<byte>(256);
        using (var writer = new Utf8JsonWriter(buffer, WriterOptions))
        {
            WriteObject(writer, arguments, ref tooDeep);
        }

        return buffer.WrittenSpan.ToArray();
    }

    private static string ValueText(JsonElement value, int depth, ref bool tooDeep)
    {
        var buffer = new ArrayBufferWriter<byte>(64);
        using (var writer = new Utf8JsonWriter(buffer, WriterOptions))
        {
            WriteValue(writer, value, depth, ref tooDeep);
        }

        return Encoding.UTF8.GetString(buffer.WrittenSpan);
    }

    private static void WriteObject(Utf8JsonWriter writer, in JsonProperties arguments, ref bool tooDeep)
    {
        if (arguments.TryGetElement(out var element))
        {
            WriteValue(writer, element, 0, ref tooDeep);
            return;
        }

        var properties = new List<KeyValuePair<string, JsonElement>>(arguments.Count);
        foreach (var property in arguments)
        {
            properties.Add(new(property.Name, property.Value));
        }

        WriteMembers(writer, properties, 1, ref tooDeep);
    }

    // The members sorted by name, as an object. The writer would write a name with a lone surrogate with U+FFFD in
    // its place, giving two different objects one text; an object with such a name is written out here instead.
    private static void WriteMembers(Utf8JsonWriter writer, List<KeyValuePair<string, JsonElement>> properties, int depth, ref bool tooDeep)
    {
        properties = LastOfEachName(properties);
        properties.Sort(static (a, b) => string.CompareOrdinal(a.Key, b.Key));
        var wellFormed = true;
        foreach (var property in properties)
        {
            wellFormed &= JsonStrings.IsWellFormed(property.Key);
        }

        if (!wellFormed)
        {
            var text = new StringBuilder("{");
            foreach (var property in properties)
            {
                if (text.Length > 1)
                {
                    text.Append(',');
                }

                text.Append(StringText(property.Key)).Append(':').Append(ValueText(property.Value, depth, ref tooDeep));
            }

            writer.WriteRawValue(text.Append('}').ToString(), skipInputValidation: true);
            return;
        }

        writer.WriteStartObject();
        foreach (var property in properties)
        {
            writer.WritePropertyName(property.Key);
            WriteValue(writer, property.Value, depth, ref tooDeep);
        }

        writer.WriteEndObject();
    }

    // An object may repeat a name. Whoever reads it (JsonElement lookups, the policy's conditions, deserialization into
    // a dictionary) sees the last value, so that is the one the canonical text keeps. Keeping every duplicate would
    // leave their order to the sort, which is not stable: two objects whose last values differ could share one text.
    private static List<KeyValuePair<string, JsonElement>> LastOfEachName(List<KeyValuePair<string, JsonElement>> properties)
    {
        if (properties.Count < 2)
        {
            return properties;
        }

        var seen = new HashSet<string>(properties.Count, StringComparer.Ordinal);
        var kept = new List<KeyValuePair<string, JsonElement>>(properties.Count);
        for (var i = properties.Count - 1; i >= 0; i--)
        {
            if (seen.Add(properties[i].Key))
            {
                kept.Add(properties[i]);
            }
        }

        return kept.Count == properties.Count ? properties : kept;
    }

    private static void WriteValue(Utf8JsonWriter writer, JsonElement value, int depth, ref bool tooDeep)
    {
        switch (value.ValueKind)
        {
            case JsonValueKind.Object:
                if (depth > JsonValues.MaxDepth)
                {
                    WriteBeyondDepth(writer, value);
                    tooDeep = true;
                    return;
                }

                var properties = new List<KeyValuePair<string, JsonElement>>();
                foreach (var property in value.EnumerateObject())
                {
                    properties.Add(new(JsonStrings.GetName(property), property.Value));
                }

                WriteMembers(writer, properties, depth + 1, ref tooDeep);
                return;
            case JsonValueKind.Array:
                if (depth > JsonValues.MaxDepth)
                {
                    WriteBeyondDepth(writer, value);
                    tooDeep = true;
                    return;
                }

                writer.WriteStartArray();
                foreach (var item in value.EnumerateArray())
                {
                    WriteValue(writer, item, depth + 1, ref tooDeep);
                }

                writer.WriteEndArray();
                return;
            case JsonValueKind.String:
                WriteString(writer, value);
                return;
            case JsonValueKind.Number:
                writer.WriteRawValue(NormalNumber(JsonRaw.Utf8(value)), skipInputValidation: true);
                return;
            case JsonValueKind.True:
                writer.WriteBooleanValue(true);
                return;
            case JsonValueKind.False:
                writer.WriteBooleanValue(false);
                return;
            default:
                writer.WriteNullValue();
                return;
        }
    }

    // A value too deep to walk: its source text, exactly, after a marker no canonical JSON text can contain, so that
    // two different values never share a text (nor an approval, nor a hash) however deep they differ.
    private static void WriteBeyondDepth(Utf8JsonWriter writer, JsonElement value)
    {
        var raw = JsonRaw.Utf8(value);
        var marked = new byte[BeyondDepthMarker.Length + raw.Length];
        BeyondDepthMarker.CopyTo(marked);
        raw.CopyTo(marked.AsSpan(BeyondDepthMarker.Length));
        writer.WriteRawValue(marked, skipInputValidation: true);
    }

    // Apart from the recursive WriteValue, so that its scratch buffer is not on the stack at every level.
    private static void WriteString(Utf8JsonWriter writer, JsonElement value)
    {
        Span<char> scratch = stackalloc char[128];
        var chars = JsonStrings.GetChars(value, scratch, out var rented);
        try
        {
            if (JsonStrings.IsWellFormed(chars))
            {
                writer.WriteStringValue(chars);
            }
            else
            {
                writer.WriteRawValue(IllFormedStringText(chars), skipInputValidation: true);
            }
        }
        finally
        {
            JsonStrings.Return(rented);
        }
    }

    // A string with a lone surrogate, which the writer would replace with U+FFFD, making it equal to another string.
    // Every code unit outside printable ASCII is escaped as \uXXXX instead, so the text decodes to exactly the string
    // (and is well-formed UTF-16 itself, so it survives encoding to UTF-8).
    private static string IllFormedStringText(ReadOnlySpan<char> chars)
    {
        var text = new StringBuilder(chars.Length + 8).Append('"');
        foreach (var c in chars)
        {
            if (c is '"' or '\\')
            {
                text.Append('\\').Append(c);
            }
            else if (c is >= ' ' and <= '~')
            {
                text.Append(c);
            }
            else
            {
                text.Append("\\u").Append(((int)c).ToString("X4", CultureInfo.InvariantCulture));
            }
        }

        return text.Append('"').ToString();
    }

    /// <summary>
    /// One text per numeric value: integers of up to 21 digits plainly (<c>150</c>), anything else as
    /// <c>[-]d.ddd…e[-]N</c> with no trailing zeros (<c>1.5e-1</c>, <c>1e30</c>); zero (and minus zero) as <c>0</c>.
    /// </summary>
    internal static string NormalNumber(ReadOnlySpan<byte> raw)
    {
        var number = JsonNumber.Parse(raw);
        if (number.IsZero)
        {
            return "0";
        }

        var text = new StringBuilder();
        if (number.Negative)
        {
            text.Append('-');
        }

        var digits = number.DigitCount;
        if (number.IsInteger && number.Scale <= 21)
        {
            for (var k = 0; k < digits; k++)
            {
                text.Append((char)('0' + number.Digit(k)));
            }

            text.Append('0', (int)(number.Scale - digits));
            return text.ToString();
        }

        text.Append((char)('0' + number.Digit(0)));
        if (digits > 1)
        {
            text.Append('.');
            for (var k = 1; k < digits; k++)
            {
                text.Append((char)('0' + number.Digit(k)));
            }
        }

        text.Append('e');
        number.AppendScientificExponent(text);
        return text.ToString();
    }
}
