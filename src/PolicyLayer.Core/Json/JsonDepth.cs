using System.Buffers;
using System.Text.Json;

namespace PolicyLayer.Json;

/// <summary>How deep a value nests, checked without walking it when its size already rules out too deep a nesting.</summary>
internal static class JsonDepth
{
    private static readonly SearchValues<byte> Structure = SearchValues.Create("[]{}\""u8);
    private static readonly SearchValues<byte> QuoteOrEscape = SearchValues.Create("\"\\"u8);

    /// <summary>
    /// Whether no value inside <paramref name="value"/>, which stands at <paramref name="depth"/>, stands deeper than
    /// <paramref name="maxDepth"/> (each nested array or object adds a level to its members).
    /// </summary>
    public static bool Fits(JsonElement value, int depth, int maxDepth)
    {
        var kind = value.ValueKind;
        if (kind is not (JsonValueKind.Array or JsonValueKind.Object))
        {
            return depth <= maxDepth;
        }

        // Each level of nesting takes at least two bytes ("[]"), so a short value cannot nest too deep: the usual
        // case costs one length read.
        var raw = JsonRaw.Utf8(value);
        return depth + ((long)raw.Length / 2) <= maxDepth || Scan(raw, depth, maxDepth);
    }

    // Counts the nesting in the text, skipping strings; a container's members stand one level below it.
    private static bool Scan(ReadOnlySpan<byte> raw, int depth, int maxDepth)
    {
        var level = 0;
        var i = 0;
        while (true)
        {
            var next = raw[i..].IndexOfAny(Structure);
            if (next < 0)
            {
                return true;
            }

            i += next;
            switch (raw[i])
            {
                case (byte)'[' or (byte)'{':
                    level++;
                    if (depth + level > maxDepth && !IsEmpty(raw, i + 1))
                    {
                        return false;
                    }

                    i++;
                    break;
                case (byte)']' or (byte)'}':
                    level--;
                    i++;
                    break;
                default:
                    i = EndOfString(raw, i + 1);
                    break;
            }
        }
    }

    // Whether the container whose content starts at `start` closes at once (only white space before its end).
    private static bool IsEmpty(ReadOnlySpan<byte> raw, int start)
    {
        var rest = raw[start..].TrimStart(" \t\r\n"u8);
        return rest.Length > 0 && rest[0] is (byte)']' or (byte)'}';
    }

    // The index just past the closing quote of a string whose content starts at `start`.
    private static int EndOfString(ReadOnlySpan<byte> raw, int start)
    {
        var i = start;
        while (true)
        {
            i += raw[i..].IndexOfAny(QuoteOrEscape);
            if (raw[i] == (byte)'"')
            {
                return i + 1;
            }

            i += 2; // an escape and the character it escapes
        }
    }
}
