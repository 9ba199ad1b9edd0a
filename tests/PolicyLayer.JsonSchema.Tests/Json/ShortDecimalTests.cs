using System.Globalization;
using System.Text;
using FsCheck;
using FsCheck.Xunit;
using PolicyLayer.Json;
using static PolicyLayer.JsonSchema.Tests.Schema.SchemaTestHelpers;

namespace PolicyLayer.JsonSchema.Tests.Json;

/// <summary>The short-decimal comparison is a shortcut: wherever it answers, it must answer as the exact digit comparison does.</summary>
public class ShortDecimalTests
{
    [Theory]
    [InlineData("1", "1.0", 0)]
    [InlineData("-0", "0.000", 0)]
    [InlineData("0.1", "0.09999999999999999999", 1)]
    [InlineData("9999999999999999999", "0.0000000000000000000000000001", 1)]
    [InlineData("0.0000000000000000000000000001", "0.0000000000000000000000000002", -1)]
    [InlineData("-129.95", "-129.9", -1)]
    [InlineData("10000", "9999.99", 1)]
    public void Compare_EdgeValues_MatchesExactOrder(string a, string b, int expected)
    {
        Assert.True(ShortDecimal.TryParse(Encoding.ASCII.GetBytes(a), out var x));
        Assert.True(ShortDecimal.TryParse(Encoding.ASCII.GetBytes(b), out var y));
        Assert.Equal(expected, Math.Sign(ShortDecimal.Compare(x, y)));
        Assert.Equal(expected, Math.Sign(JsonNumber.Compare(Encoding.ASCII.GetBytes(a), Encoding.ASCII.GetBytes(b))));
    }

    [Theory]
    [InlineData("1e3")]
    [InlineData("12345678901234567890")]            // 20 significant digits
    [InlineData("0.00000000000000000000000000001")] // 29 digits after the point
    public void TryParse_OutsideTheShortForm_Declines(string raw) =>
        Assert.False(ShortDecimal.TryParse(Encoding.ASCII.GetBytes(raw), out _));

    [Property(MaxTest = 3000)]
    public bool Compare_IndependentNumbers_AgreesWithExactComparison(bool negativeA, DoNotSize<ulong> a, byte widthA, byte scaleA, bool negativeB, DoNotSize<ulong> b, byte widthB, byte scaleB) =>
        AgreesWhenParsed(Text(negativeA, Significand(a, widthA), scaleA % 32, 0), Text(negativeB, Significand(b, widthB), scaleB % 32, 0));

    [Property(MaxTest = 2000)]
    public bool Compare_SameValueWrittenDifferently_AgreesWithExactComparison(bool negative, DoNotSize<ulong> a, byte width, byte scale, byte zeros) =>
        AgreesWhenParsed(Text(negative, Significand(a, width), scale % 24, 0), Text(negative, Significand(a, width), scale % 24, zeros % 12));

    [Property(MaxTest = 2000)]
    public bool Compare_NeighbouringValues_AgreesWithExactComparison(bool negative, DoNotSize<ulong> a, byte width, byte scale, byte zeros, bool up)
    {
        var significand = Significand(a, width);
        var neighbour = up ? unchecked(significand + 1) : unchecked(significand - 1);
        return AgreesWhenParsed(Text(negative, significand, scale % 24, zeros % 6), Text(negative, neighbour, scale % 24, 0));
    }

    [Property(MaxTest = 500)]
    public bool Bounds_EveryForm_AgreeWithExactComparison(bool negativeA, DoNotSize<ulong> a, byte widthA, byte scaleA, sbyte exponentA, bool negativeB, DoNotSize<ulong> b, byte widthB, byte scaleB)
    {
        // The instance may be short or not (an exponent, many digits); the keyword must decide as the exact comparison does.
        var value = exponentA % 3 == 0
            ? Text(negativeA, Significand(a, widthA), scaleA % 32, 0)
            : Text(negativeA, Significand(a, widthA), 0, 0) + "e" + (exponentA % 40).ToString(CultureInfo.InvariantCulture);
        var bound = Text(negativeB, Significand(b, widthB), scaleB % 24, 0);
        var order = Math.Sign(JsonNumber.Compare(Encoding.ASCII.GetBytes(value), Encoding.ASCII.GetBytes(bound)));
        var instance = Parse(value);
        return Compile($$"""{"minimum": {{bound}}}""").IsValid(instance) == order >= 0
            && Compile($$"""{"maximum": {{bound}}}""").IsValid(instance) == order <= 0
            && Compile($$"""{"exclusiveMinimum": {{bound}}}""").IsValid(instance) == order > 0
            && Compile($$"""{"exclusiveMaximum": {{bound}}}""").IsValid(instance) == order < 0;
    }

    // Random bits shifted right by a random width: magnitudes from 0 to 20 digits are all common.
    private static ulong Significand(DoNotSize<ulong> bits, byte width) => bits.Item >> (width % 64);

    // Numbers outside the short form are left to the exact path, so there is nothing to compare for them.
    private static bool AgreesWhenParsed(string a, string b)
    {
        var x = Encoding.ASCII.GetBytes(a);
        var y = Encoding.ASCII.GetBytes(b);
        if (!ShortDecimal.TryParse(x, out var shortA) || !ShortDecimal.TryParse(y, out var shortB))
        {
            return true;
        }

        return Math.Sign(ShortDecimal.Compare(shortA, shortB)) == Math.Sign(JsonNumber.Compare(x, y))
            && shortA.ToDecimal() == decimal.Parse(a, CultureInfo.InvariantCulture);
    }

    // significand × 10^-scale as JSON text, with extra trailing zeros after the point.
    private static string Text(bool negative, ulong significand, int scale, int trailingZeros)
    {
        var digits = significand.ToString(CultureInfo.InvariantCulture).PadLeft(scale + 1, '0');
        var text = scale == 0 ? digits : digits[..^scale] + "." + digits[^scale..];
        if (trailingZeros > 0)
        {
            text += (scale == 0 ? "." : string.Empty) + new string('0', trailingZeros);
        }

        return (negative ? "-" : string.Empty) + text;
    }
}
