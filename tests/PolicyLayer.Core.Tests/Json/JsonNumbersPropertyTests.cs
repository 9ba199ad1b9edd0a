using System.Globalization;
using System.Numerics;
using System.Text;
using System.Text.Json;
using FsCheck;
using FsCheck.Fluent;
using FsCheck.Xunit;
using PolicyLayer.Auditing;
using PolicyLayer.Json;

namespace PolicyLayer.Tests.Json;

/// <summary>
/// The fast number path against the exact one: any plain number token the fast path accepts parses to the exact
/// decimal the runtime's parser gives, and comparisons through it agree with the digit-by-digit comparison.
/// </summary>
public sealed class JsonNumbersPropertyTests
{
    private static readonly Gen<string> Tokens =
        from negative in Gen.Elements(false, true)
        from integer in Gen.Choose(0, 25).SelectMany(n => Gen.ArrayOf(Gen.Choose(0, 9), n))
        from fraction in Gen.Choose(0, 12).SelectMany(n => Gen.ArrayOf(Gen.Choose(0, 9), n))
        from exponent in Gen.Frequency((4, Gen.Constant(string.Empty)), (1, Gen.Choose(-5, 5).Select(e => "e" + e.ToString(CultureInfo.InvariantCulture))))
        select Token(negative, integer, fraction, exponent);

    [Property(MaxTest = 2000)]
    public Property ShortDecimalTryParse_AnyToken_ExactOrDeclined() =>
        Prop.ForAll(Tokens.ToArbitrary(), token =>
        {
            if (ShortDecimal.TryParse(Encoding.UTF8.GetBytes(token), out ShortDecimal fast))
            {
                Assert.Equal(decimal.Parse(token, NumberStyles.Float, CultureInfo.InvariantCulture), fast.ToDecimal());
                Assert.DoesNotContain('e', token);
            }
        });

    [Property(MaxTest = 2000)]
    public Property Compare_AnyTwoTokens_AgreesWithTheExactComparison() =>
        Prop.ForAll(Tokens.ToArbitrary(), Tokens.ToArbitrary(), (left, right) =>
        {
            JsonElement a = JsonDocument.Parse(left).RootElement;
            JsonElement b = JsonDocument.Parse(right).RootElement;
            ShortDecimal? constant = JsonNumbers.TryGetShort(b, out ShortDecimal exact) ? exact : null;

            Assert.Equal(Math.Sign(JsonValues.CompareNumbers(a, b)), Math.Sign(JsonNumbers.Compare(a, b, constant)));
        });

    // Exponents around the places where a fixed-width exponent would give way: 10^18 (the most digits converted
    // exactly), long.MaxValue / 4 and long.MaxValue, 2^64, and far beyond; plus everyday ones, so huge meets small.
    private static readonly BigInteger[] ExponentBases =
    [
        BigInteger.Zero,
        BigInteger.Pow(10, 18),
        long.MaxValue / 4,
        long.MaxValue,
        BigInteger.Pow(2, 64),
        BigInteger.Pow(10, 19),
        BigInteger.Pow(10, 40),
    ];

    private static readonly Gen<string> HugeExponentTokens =
        from negative in Gen.Elements(false, true)
        from integer in Gen.Choose(0, 25).SelectMany(n => Gen.ArrayOf(Gen.Choose(0, 9), n))
        from fraction in Gen.Choose(0, 25).SelectMany(n => Gen.ArrayOf(Gen.Choose(0, 9), n))
        from exponentBase in Gen.Elements(ExponentBases)
        from delta in Gen.Choose(-30, 30)
        from exponentNegative in Gen.Elements(false, true)
        from leadingZeros in Gen.Choose(0, 3)
        select Token(negative, integer, fraction, ExponentText(exponentBase + delta, exponentNegative, leadingZeros));

    [Property(MaxTest = 3000)]
    public Property Compare_HugeExponents_AgreesWithBigIntegerArithmetic() =>
        Prop.ForAll(HugeExponentTokens.ToArbitrary(), HugeExponentTokens.ToArbitrary(), (left, right) =>
        {
            using var a = JsonDocument.Parse(left);
            using var b = JsonDocument.Parse(right);
            var expected = ExactCompare(left, right);

            Assert.Equal(expected, Math.Sign(JsonValues.CompareNumbers(a.RootElement, b.RootElement)));
            Assert.Equal(-expected, Math.Sign(JsonValues.CompareNumbers(b.RootElement, a.RootElement)));
            Assert.Equal(expected == 0, CanonicalArguments.NormalNumber(Encoding.UTF8.GetBytes(left)) == CanonicalArguments.NormalNumber(Encoding.UTF8.GetBytes(right)));
        });

    [Property(MaxTest = 1000)]
    public Property Compare_HugeAgainstEverydayTokens_AgreesWithBigIntegerArithmetic() =>
        Prop.ForAll(HugeExponentTokens.ToArbitrary(), Tokens.ToArbitrary(), (left, right) =>
        {
            using var a = JsonDocument.Parse(left);
            using var b = JsonDocument.Parse(right);
            ShortDecimal? constant = JsonNumbers.TryGetShort(b.RootElement, out ShortDecimal exact) ? exact : null;

            Assert.Equal(ExactCompare(left, right), Math.Sign(JsonNumbers.Compare(a.RootElement, b.RootElement, constant)));
        });

    private static string ExponentText(BigInteger exponent, bool negative, int leadingZeros)
    {
        // A negative delta on a zero base gives a negative exponent; the sign is written, never the magnitude's.
        var sign = (exponent.Sign < 0) ^ negative ? "-" : string.Empty;
        return "e" + sign + new string('0', leadingZeros) + BigInteger.Abs(exponent).ToString(CultureInfo.InvariantCulture);
    }

    // The oracle: each number as sign, significant digits without trailing zeros and the (BigInteger) exponent of the
    // first of them; values compare by sign, then that exponent, then the digits as text.
    private static int ExactCompare(string left, string right)
    {
        var (signA, digitsA, scaleA) = Normalize(left);
        var (signB, digitsB, scaleB) = Normalize(right);
        if (signA != signB || signA == 0)
        {
            return signA.CompareTo(signB);
        }

        var magnitude = scaleA != scaleB ? scaleA.CompareTo(scaleB) : Math.Sign(string.CompareOrdinal(digitsA, digitsB));
        return signA * magnitude;
    }

    private static (int Sign, string Digits, BigInteger Scale) Normalize(string token)
    {
        var negative = token.StartsWith('-');
        var body = negative ? token[1..] : token;
        var e = body.IndexOfAny(['e', 'E']);
        var exponent = e < 0 ? BigInteger.Zero : BigInteger.Parse(body[(e + 1)..], NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture);
        var mantissa = e < 0 ? body : body[..e];
        var point = mantissa.IndexOf('.');
        var integer = point < 0 ? mantissa : mantissa[..point];
        var all = integer + (point < 0 ? string.Empty : mantissa[(point + 1)..]);
        var significant = all.TrimStart('0');
        if (significant.Length == 0)
        {
            return (0, string.Empty, BigInteger.Zero);
        }

        var scale = integer.Length - (all.Length - significant.Length) + exponent;
        return (negative ? -1 : 1, significant.TrimEnd('0'), scale);
    }

    private static string Token(bool negative, int[] integer, int[] fraction, string exponent)
    {
        // JSON grammar: no leading zeros on the integer part, at least one digit before an optional fraction.
        string whole = string.Concat(integer).TrimStart('0');
        var text = new StringBuilder(negative ? "-" : string.Empty).Append(whole.Length == 0 ? "0" : whole);
        if (fraction.Length > 0)
        {
            text.Append('.').Append(string.Concat(fraction));
        }

        return text.Append(exponent).ToString();
    }
}
