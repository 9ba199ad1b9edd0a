using System.Text.Json;

namespace PolicyLayer.Json;

/// <summary>A fast, still exact, path for comparing everyday numbers.</summary>
internal static class JsonNumbers
{
    // At most 20 characters and no exponent: at most 19 significant digits and a small scale, which a decimal
    // (28 digits) holds exactly. Anything longer goes through the exact digit-by-digit comparison.
    private const int MaxFastLength = 20;

    /// <summary>The number as a decimal, when the decimal is exactly the number's value.</summary>
    public static bool TryGetExactDecimal(JsonElement number, out decimal value)
    {
        var raw = JsonRaw.Utf8(number);
        if (raw.Length <= MaxFastLength)
        {
            return TryParsePlain(raw, out value);
        }

        value = 0;
        return false;
    }

    /// <summary>
    /// Parses a JSON number token without an exponent and with at most 19 digits, exactly: its digits are an
    /// unsigned 64-bit integer and its fraction length the decimal's scale. Any other token is left to the exact
    /// digit-by-digit comparison. The token is already valid JSON (the document parsed it), so no validation here.
    /// </summary>
    internal static bool TryParsePlain(ReadOnlySpan<byte> raw, out decimal value)
    {
        value = 0;
        var negative = raw.Length > 0 && raw[0] == (byte)'-';
        ulong digits = 0;
        var count = 0;
        var scale = -1;
        for (var i = negative ? 1 : 0; i < raw.Length; i++)
        {
            var c = raw[i];
            if (c == (byte)'.')
            {
                scale = 0;
                continue;
            }

            var digit = (uint)(c - '0');
            if (digit > 9 || ++count > 19)
            {
                // An exponent, or more digits than a 64-bit integer is sure to hold.
                return false;
            }

            digits = (digits * 10) + digit;
            if (scale >= 0)
            {
                scale++;
            }
        }

        if (count == 0)
        {
            return false;
        }

        value = new decimal((int)(uint)digits, (int)(uint)(digits >> 32), 0, negative, (byte)Math.Max(scale, 0));
        return true;
    }

    /// <summary>Compares a number with a constant, exactly.</summary>
    public static int Compare(JsonElement number, JsonElement constant, decimal? constantDecimal) =>
        constantDecimal is { } fast && TryGetExactDecimal(number, out var value)
            ? value.CompareTo(fast)
            : JsonValues.CompareNumbers(number, constant);
}
