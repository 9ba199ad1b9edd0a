using System.Globalization;
using System.Numerics;
using System.Text.Json;
using FsCheck.Xunit;
using PolicyLayer.Json;

namespace PolicyLayer.JsonSchema.Tests.Json;

public class JsonValuesTests
{
    private static JsonElement Parse(string json) => JsonDocument.Parse(json, new JsonDocumentOptions { MaxDepth = 1000 }).RootElement;

    [Theory]
    [InlineData("1", "1.0")]
    [InlineData("1", "1e0")]
    [InlineData("100", "1E2")]
    [InlineData("0.01", "1e-2")]
    [InlineData("-0", "0")]
    [InlineData("0.0", "0e10")]
    [InlineData("12345678901234567890123456789012345678901234567890", "1.2345678901234567890123456789012345678901234567890e49")]
    [InlineData("\"a\"", "\"\\u0061\"")]
    [InlineData("[1, \"x\", null]", "[1.0, \"x\", null]")]
    [InlineData("{\"a\": 1, \"b\": [true]}", "{\"b\": [true], \"a\": 1.00}")]
    [InlineData("{}", "{}")]
    public void DeepEquals_EqualValues_ReturnsTrue(string a, string b)
    {
        Assert.True(JsonValues.DeepEquals(Parse(a), Parse(b)));
        Assert.True(JsonValues.DeepEquals(Parse(b), Parse(a)));
    }

    [Theory]
    [InlineData("1", "\"1\"")]
    [InlineData("1", "true")]
    [InlineData("0", "false")]
    [InlineData("null", "false")]
    [InlineData("12345678901234567890123456789012345678901234567890", "12345678901234567890123456789012345678901234567891")]
    [InlineData("9007199254740993", "9007199254740992")]
    [InlineData("0.1", "0.10000000000000001")]
    [InlineData("\"a\"", "\"A\"")]
    [InlineData("[1, 2]", "[2, 1]")]
    [InlineData("[1]", "[1, 1]")]
    [InlineData("{\"a\": 1}", "{\"a\": 1, \"b\": 2}")]
    [InlineData("{\"a\": 1}", "{\"b\": 1}")]
    [InlineData("{\"a\": 1}", "[1]")]
    public void DeepEquals_DifferentValues_ReturnsFalse(string a, string b)
    {
        Assert.False(JsonValues.DeepEquals(Parse(a), Parse(b)));
        Assert.False(JsonValues.DeepEquals(Parse(b), Parse(a)));
    }

    [Fact]
    public void DeepEquals_DeepValues_ComparedWithoutOverflowingTheStack()
    {
        // Equal values past 64 levels used to compare as different; the schema's depth limit bounds the instance now.
        var deep = new string('[', 100) + new string(']', 100);
        Assert.True(JsonValues.DeepEquals(Parse(deep), Parse(deep)));
        Assert.False(JsonValues.DeepEquals(Parse(deep), Parse(new string('[', 99) + "1" + new string(']', 99))));
        var veryDeep = new string('[', 15_000) + new string(']', 15_000);
        _ = JsonValues.DeepEquals(Schema.SchemaTestHelpers.Parse(veryDeep), Schema.SchemaTestHelpers.Parse(veryDeep)); // no stack overflow, whatever the answer
    }

    [Theory]
    [InlineData("1", "2", -1)]
    [InlineData("2", "1", 1)]
    [InlineData("1.5", "1.50", 0)]
    [InlineData("-1", "1", -1)]
    [InlineData("-2", "-1", -1)]
    [InlineData("-0.0", "0", 0)]
    [InlineData("1e400", "1e399", 1)]
    [InlineData("-1e400", "1e-400", -1)]
    [InlineData("9007199254740993", "9007199254740992", 1)]
    [InlineData("18446744073709551616", "18446744073709551615", 1)]
    [InlineData("0.0000000000000000000000000000001", "0", 1)]
    [InlineData("123.456e2", "12345.6", 0)]
    public void CompareNumbers_Pairs_OrdersExactly(string a, string b, int expected)
    {
        Assert.Equal(expected, Math.Sign(JsonValues.CompareNumbers(Parse(a), Parse(b))));
        Assert.Equal(-expected, Math.Sign(JsonValues.CompareNumbers(Parse(b), Parse(a))));
    }

    [Fact]
    public void CompareNumbers_NotANumber_Throws()
    {
        Assert.Throws<ArgumentException>(() => JsonValues.CompareNumbers(Parse("\"1\""), Parse("1")));
    }

    [Theory]
    [InlineData("1", true)]
    [InlineData("1.0", true)]
    [InlineData("1e2", true)]
    [InlineData("1.5e1", true)]
    [InlineData("1.5", false)]
    [InlineData("1e-2", false)]
    [InlineData("0", true)]
    [InlineData("-0.0", true)]
    [InlineData("12345678901234567890123456789012345678901234567890", true)]
    [InlineData("1.000000000000000000000000000000001", false)]
    public void IsInteger_Numbers_Classifies(string number, bool expected)
    {
        Assert.Equal(expected, JsonValues.IsInteger(Parse(number)));
    }

    [Property]
    public bool CompareNumbers_AgreesWithBigIntegerArithmetic(long a, long b, byte scaleA, byte scaleB)
    {
        // a × 10^-sa against b × 10^-sb, written as decimal text with a point.
        var sa = scaleA % 20;
        var sb = scaleB % 20;
        var expected = Math.Sign((new BigInteger(a) * BigInteger.Pow(10, sb)).CompareTo(new BigInteger(b) * BigInteger.Pow(10, sa)));
        var actual = Math.Sign(JsonValues.CompareNumbers(Parse(Decimal(a, sa)), Parse(Decimal(b, sb))));
        return expected == actual;
    }

    [Property]
    public bool DeepEquals_NumberAndItsExponentForm_AreEqual(long a, byte exponent)
    {
        var e = a == 0 ? 0 : exponent % 30;
        var plain = a.ToString(CultureInfo.InvariantCulture) + new string('0', e);
        var scientific = a.ToString(CultureInfo.InvariantCulture) + "e" + e.ToString(CultureInfo.InvariantCulture);
        return JsonValues.DeepEquals(Parse(plain), Parse(scientific));
    }

    private static string Decimal(long value, int scale)
    {
        var digits = BigInteger.Abs(value).ToString(CultureInfo.InvariantCulture).PadLeft(scale + 1, '0');
        var text = scale == 0 ? digits : digits[..^scale] + "." + digits[^scale..];
        return (value < 0 ? "-" : string.Empty) + text;
    }
}
