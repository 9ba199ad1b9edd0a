using System.Text.Json;

namespace PolicyLayer.Json;

/// <summary>A fast, still exact, path for comparing everyday numbers.</summary>
internal static class JsonNumbers
{
    /// <summary>
    /// Reads a number as a decimal only when the decimal is exactly the number: a decimal holds 28 to 29 significant
    /// digits and rounds the rest, so 10.000000000000000000000000000001 would read as 10 and -1e-30 as 0. Budgets
    /// count only exact amounts.
    /// </summary>
    public static bool TryGetExactDecimal(JsonElement number, out decimal value)
    {
        if (!number.TryGetDecimal(out value))
        {
            return false;
        }

        // Everyday amounts (no exponent, at most 28 characters, so at most 28 digits) are read exactly by construction.
        var raw = JsonRaw.Utf8(number);
        if (raw.Length <= 28 && raw.IndexOfAny((byte)'e', (byte)'E') < 0)
        {
            return true;
        }

        Span<byte> text = stackalloc byte[64];
        return System.Buffers.Text.Utf8Formatter.TryFormat(value, text, out var written)
            && JsonNumber.Compare(raw, text[..written]) == 0;
    }

    /// <summary>The number as a <see cref="ShortDecimal"/>, when its text is one (no exponent, at most 19 significant digits).</summary>
    public static bool TryGetShort(JsonElement number, out ShortDecimal value) => ShortDecimal.TryParse(JsonRaw.Utf8(number), out value);

    /// <summary>Whether a number element has no fractional part (<c>1.0</c> and <c>1e2</c> are integers).</summary>
    public static bool IsInteger(JsonElement number) => IsInteger(JsonRaw.Utf8(number));

    /// <summary>Whether the raw text of a number has no fractional part.</summary>
    public static bool IsInteger(ReadOnlySpan<byte> raw)
    {
        // Without a point or an exponent the text is an integer; otherwise look at the digits.
        return raw.IndexOfAny((byte)'.', (byte)'e', (byte)'E') < 0 || JsonNumber.Parse(raw).IsInteger;
    }

    /// <summary>Compares a number with a constant, exactly.</summary>
    /// <param name="number">A number element.</param>
    /// <param name="constant">The constant, a number element.</param>
    /// <param name="shortConstant">The constant read by <see cref="TryGetShort"/>, when it could be: then a number of
    /// everyday size is compared without the digit-by-digit path.</param>
    public static int Compare(JsonElement number, JsonElement constant, ShortDecimal? shortConstant) =>
        shortConstant is { } fast && ShortDecimal.TryParse(JsonRaw.Utf8(number), out var value)
            ? ShortDecimal.Compare(value, fast)
            : JsonValues.CompareNumbers(number, constant);
}
