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
        if (TryParseDecimal(raw, out value))
        {
            return true;
        }

        if (raw.Length <= MaxFastLength && raw.IndexOfAny((byte)'e', (byte)'E') < 0)
        {
            return number.TryGetDecimal(out value);
        }

        value = 0;
        return false;
    }

    /// <summary>
    /// Reads the raw text of a JSON number without an exponent and with at most 19 significant digits as an exact
    /// decimal; <see langword="false"/> for anything else (the caller then takes an exact slow path).
    /// </summary>
    public static bool TryParseDecimal(ReadOnlySpan<byte> raw, out decimal value)
    {
        var parsed = ShortDecimal.TryParse(raw, out var number);
        value = parsed ? number.ToDecimal() : 0;
        return parsed;
    }

    /// <summary>Whether a number element has no fractional part (<c>1.0</c> and <c>1e2</c> are integers).</summary>
    public static bool IsInteger(JsonElement number) => IsInteger(JsonRaw.Utf8(number));

    /// <summary>Whether the raw text of a number has no fractional part.</summary>
    public static bool IsInteger(ReadOnlySpan<byte> raw)
    {
        // Without a point or an exponent the text is an integer; otherwise look at the digits.
        return raw.IndexOfAny((byte)'.', (byte)'e', (byte)'E') < 0 || JsonNumber.Parse(raw).IsInteger;
    }

    /// <summary>Compares a number with a constant, exactly.</summary>
    public static int Compare(JsonElement number, JsonElement constant, decimal? constantDecimal) =>
        constantDecimal is { } fast && TryGetExactDecimal(number, out var value)
            ? value.CompareTo(fast)
            : JsonValues.CompareNumbers(number, constant);
}
