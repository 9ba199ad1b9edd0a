using System.Globalization;
using System.Text;
using FsCheck.Xunit;
using PolicyLayer.Json;

namespace PolicyLayer.JsonSchema.Tests.Json;

public class JsonNumbersTests
{
    [Theory]
    [InlineData("0", "0")]
    [InlineData("-0", "0")]
    [InlineData("129.95", "129.95")]
    [InlineData("-0.001", "-0.001")]
    [InlineData("9999999999999999999", "9999999999999999999")]
    [InlineData("0.0000000000000000000000000001", "0.0000000000000000000000000001")]
    public void ShortDecimalTryParse_EverydayNumbers_AreExact(string raw, string expected)
    {
        Assert.True(ShortDecimal.TryParse(Encoding.ASCII.GetBytes(raw), out var value));
        Assert.Equal(decimal.Parse(expected, CultureInfo.InvariantCulture), value.ToDecimal());
    }

    [Theory]
    [InlineData("1e3")]
    [InlineData("12345678901234567890")]            // 20 significant digits
    [InlineData("0.00000000000000000000000000001")] // scale 29
    public void ShortDecimalTryParse_OutsideTheFastRange_Declines(string raw) =>
        Assert.False(ShortDecimal.TryParse(Encoding.ASCII.GetBytes(raw), out _));

    [Property]
    public bool ShortDecimalTryParse_AgreesWithDecimalParse(long significand, byte scale)
    {
        var s = scale % 20;
        var digits = Math.Abs((decimal)significand).ToString(CultureInfo.InvariantCulture).PadLeft(s + 1, '0');
        var text = (significand < 0 ? "-" : string.Empty) + (s == 0 ? digits : digits[..^s] + "." + digits[^s..]);
        return ShortDecimal.TryParse(Encoding.ASCII.GetBytes(text), out var value)
            && value.ToDecimal() == decimal.Parse(text, CultureInfo.InvariantCulture);
    }

    [Theory]
    [InlineData("1", true)]
    [InlineData("1.0", true)]
    [InlineData("1e2", true)]
    [InlineData("1.5", false)]
    [InlineData("15e-1", false)]
    public void IsInteger_ReadsTheDigits(string raw, bool expected) =>
        Assert.Equal(expected, JsonNumbers.IsInteger(Encoding.ASCII.GetBytes(raw)));
}
