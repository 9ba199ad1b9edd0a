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
        if (raw.Length <= MaxFastLength && raw.IndexOfAny((byte)'e', (byte)'E') < 0)
        {
            return number.TryGetDecimal(out value);
        }

        value = 0;
        return false;
    }

    /// <summary>Compares a number with a constant, exactly.</summary>
    public static int Compare(JsonElement number, JsonElement constant, decimal? constantDecimal) =>
        constantDecimal is { } fast && TryGetExactDecimal(number, out var value)
            ? value.CompareTo(fast)
            : JsonValues.CompareNumbers(number, constant);
}
