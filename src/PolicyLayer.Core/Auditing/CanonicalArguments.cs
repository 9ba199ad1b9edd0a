using System.Buffers;
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
internal static class CanonicalArguments
{
    private static readonly JsonWriterOptions WriterOptions = new() { Indented = false, SkipValidation = true, MaxDepth = JsonValues.MaxDepth + 2 };

    /// <summary>The canonical UTF-8 text of the arguments.</summary>
    public static byte[] Utf8(in JsonProperties arguments)
    {
        var buffer = new ArrayBufferWriter<byte>(256);
        using (var writer = new Utf8JsonWriter(buffer, WriterOptions))
        {
            WriteObject(writer, arguments);
        }

        return buffer.WrittenSpan.ToArray();
    }

    /// <summary>The canonical text of the arguments.</summary>
    public static string Text(in JsonProperties arguments) => Encoding.UTF8.GetString(Utf8(arguments));

    /// <summary>The canonical text of one value, written as <see cref="Utf8"/> writes each argument's value.</summary>
    public static string ValueText(JsonElement value)
    {
        var buffer = new ArrayBufferWriter<byte>(64);
        using (var writer = new Utf8JsonWriter(buffer, WriterOptions))
        {
            WriteValue(writer, value, 0);
        }

        return Encoding.UTF8.GetString(buffer.WrittenSpan);
    }

    /// <summary>The canonical text of a string value, quotes included, escaped as <see cref="Utf8"/> escapes strings.</summary>
    public static string StringText(string text)
    {
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

    private static void WriteObject(Utf8JsonWriter writer, in JsonProperties arguments)
    {
        if (arguments.TryGetElement(out var element))
        {
            WriteValue(writer, element, 0);
            return;
        }

        var properties = new List<KeyValuePair<string, JsonElement>>(arguments.Count);
        foreach (var property in arguments)
        {
            properties.Add(new(property.Name, property.Value));
        }

        properties.Sort(static (a, b) => string.CompareOrdinal(a.Key, b.Key));
        writer.WriteStartObject();
        foreach (var property in properties)
        {
            writer.WritePropertyName(property.Key);
            WriteValue(writer, property.Value, 1);
        }

        writer.WriteEndObject();
    }

    private static void WriteValue(Utf8JsonWriter writer, JsonElement value, int depth)
    {
        switch (value.ValueKind)
        {
            case JsonValueKind.Object:
                if (depth > JsonValues.MaxDepth)
                {
                    writer.WriteStringValue("(too deep)");
                    return;
                }

                var properties = new List<JsonProperty>();
                foreach (var property in value.EnumerateObject())
                {
                    properties.Add(property);
                }

                properties.Sort(static (a, b) => string.CompareOrdinal(a.Name, b.Name));
                writer.WriteStartObject();
                foreach (var property in properties)
                {
                    writer.WritePropertyName(property.Name);
                    WriteValue(writer, property.Value, depth + 1);
                }

                writer.WriteEndObject();
                return;
            case JsonValueKind.Array:
                if (depth > JsonValues.MaxDepth)
                {
                    writer.WriteStringValue("(too deep)");
                    return;
                }

                writer.WriteStartArray();
                foreach (var item in value.EnumerateArray())
                {
                    WriteValue(writer, item, depth + 1);
                }

                writer.WriteEndArray();
                return;
            case JsonValueKind.String:
                writer.WriteStringValue(value.GetString());
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
