using System.Globalization;
using System.Text;
using System.Text.Json;
using FsCheck;
using FsCheck.Fluent;
using FsCheck.Xunit;
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
