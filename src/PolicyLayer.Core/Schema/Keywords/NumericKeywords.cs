using System.Text.Json;
using PolicyLayer.Json;
using PolicyLayer.Schema.Evaluation;

namespace PolicyLayer.Schema.Keywords;

/// <summary>How a numeric bound compares.</summary>
internal enum BoundKind
{
    Minimum,
    Maximum,
    ExclusiveMinimum,
    ExclusiveMaximum,
}

/// <summary><c>minimum</c>, <c>maximum</c>, <c>exclusiveMinimum</c>, <c>exclusiveMaximum</c>, compared exactly.</summary>
internal sealed class BoundKeyword(string name, string nodeLocation, BoundKind kind, byte[] bound, string boundText) : Keyword(name, nodeLocation)
{
    // Everyday bounds and values are short decimals: comparing significands is far cheaper than comparing digits.
    private readonly ShortDecimal? _shortBound = ShortDecimal.TryParse(bound, out var value) ? value : null;

    public override JsonTypes AppliesTo => JsonTypes.Number;

    public override bool IsValid(EvaluationState state, in InstanceValue value, int depth) => Accepts(value.RawText);

    private bool Accepts(ReadOnlySpan<byte> raw) => Accepts(raw, ShortDecimal.TryParse(raw, out var number), number);

    public override bool Evaluate(EvaluationState state, in JsonProperties instance, int depth, EvaluatedSet? evaluated)
    {
        if (!instance.TryGetElement(out var number) || number.ValueKind != JsonValueKind.Number)
        {
            return true;
        }

        if (Accepts(JsonRaw.Utf8(number)))
        {
            return true;
        }

        var relation = kind switch
        {
            BoundKind.Minimum => "is less than the minimum",
            BoundKind.Maximum => "is greater than the maximum",
            BoundKind.ExclusiveMinimum => "must be greater than",
            _ => "must be less than",
        };
        return state.CollectsErrors && Fail(state, $"{ValueText.Number(number)} {relation} {boundText}");
    }

    /// <summary>Whether a number satisfies the bound, given its raw text and, when <paramref name="isShort"/>, its short-decimal form.</summary>
    /// <remarks>
    /// The number is taken by value, so it travels in registers: by reference, the caller copied the number it had just
    /// parsed field by field into memory, and that copy waited for those writes to complete.
    /// </remarks>
    public bool Accepts(ReadOnlySpan<byte> raw, bool isShort, ShortDecimal number)
    {
        var comparison = isShort && _shortBound.HasValue
            ? ShortDecimal.Compare(number, _shortBound.GetValueOrDefault())
            : JsonNumber.Compare(raw, bound);
        return kind switch
        {
            BoundKind.Minimum => comparison >= 0,
            BoundKind.Maximum => comparison <= 0,
            BoundKind.ExclusiveMinimum => comparison > 0,
            _ => comparison < 0,
        };
    }
}

/// <summary><c>multipleOf</c>, exact for decimals and integers of any size.</summary>
internal sealed class MultipleOfKeyword(string nodeLocation, byte[] divisor, string divisorText) : Keyword("multipleOf", nodeLocation)
{
    public override JsonTypes AppliesTo => JsonTypes.Number;

    public override bool IsValid(EvaluationState state, in InstanceValue value, int depth) => Accepts(value.RawText);

    /// <summary>Whether a number, given as its raw text, is a multiple of the divisor.</summary>
    public bool Accepts(ReadOnlySpan<byte> raw) => ExactArithmetic.IsMultipleOf(raw, divisor);

    public override bool Evaluate(EvaluationState state, in JsonProperties instance, int depth, EvaluatedSet? evaluated)
    {
        if (!instance.TryGetElement(out var number) || number.ValueKind != JsonValueKind.Number)
        {
            return true;
        }

        if (ExactArithmetic.IsMultipleOf(JsonRaw.Utf8(number), divisor))
        {
            return true;
        }

        return state.CollectsErrors && Fail(state, $"{ValueText.Number(number)} is not a multiple of {divisorText}");
    }
}

/// <summary>Divisibility of decimal numbers without rounding.</summary>
internal static class ExactArithmetic
{
    /// <summary>
    /// Whether <c>value / divisor</c> is an integer. Both are written <c>A × 10^a</c> and <c>B × 10^b</c> with integer
    /// significands free of trailing zeros: when <c>a &lt; b</c>, A would need b - a trailing zeros, which it has not
    /// (unless A is 0); otherwise the test is <c>A × 10^(a-b) mod B = 0</c>, computed with modular exponentiation so huge
    /// exponents cost little.
    /// </summary>
    public static bool IsMultipleOf(ReadOnlySpan<byte> value, ReadOnlySpan<byte> divisor)
    {
        var v = JsonNumber.Parse(value);
        var d = JsonNumber.Parse(divisor);
        if (v.IsZero)
        {
            return true;
        }

        if (d.IsZero)
        {
            return false;
        }

        // a - b = (Scale - DigitCount) of each; from the scales' difference, which stays exact (or keeps its sign
        // and a size beyond every factor 2 or 5 of B) whatever the written exponents.
        var shift = JsonNumber.ScaleDifference(v, d) - v.DigitCount + d.DigitCount;
        if (shift < 0)
        {
            return false;
        }

        if (v.DigitCount <= 18 && d.DigitCount <= 18)
        {
            var a = Significand(v);
            var b = Significand(d);
            var power = ModPow10(shift, b);
            return (ulong)((UInt128)(a % b) * power % b) == 0;
        }

        var bigA = BigSignificand(v);
        var bigB = BigSignificand(d);
        return bigA * System.Numerics.BigInteger.ModPow(10, shift, bigB) % bigB == 0;
    }

    private static ulong Significand(in JsonNumber number)
    {
        ulong result = 0;
        for (var k = 0; k < number.DigitCount; k++)
        {
            result = (result * 10) + (ulong)number.Digit(k);
        }

        return result;
    }

    private static System.Numerics.BigInteger BigSignificand(in JsonNumber number)
    {
        var digits = new char[number.DigitCount];
        for (var k = 0; k < digits.Length; k++)
        {
            digits[k] = (char)('0' + number.Digit(k));
        }

        return System.Numerics.BigInteger.Parse(digits, System.Globalization.CultureInfo.InvariantCulture);
    }

    private static ulong ModPow10(long exponent, ulong modulus)
    {
        UInt128 result = 1 % modulus;
        UInt128 @base = 10 % modulus;
        while (exponent > 0)
        {
            if ((exponent & 1) == 1)
            {
                result = result * @base % modulus;
            }

            @base = @base * @base % modulus;
            exponent >>= 1;
        }

        return (ulong)result;
    }
}
