using System.Text.Json;
using System.Text.RegularExpressions;
using PolicyLayer.Json;

namespace PolicyLayer.JsonSchema.Tests.Json;

public class JsonStringsTests
{
    private static JsonElement Parse(string json) => JsonDocument.Parse(json).RootElement;

    [Theory]
    [InlineData("\"plain\"", "plain")]
    [InlineData("\"a\\\"b\\\\c\\/d\"", "a\"b\\c/d")]
    [InlineData("\"\\b\\f\\n\\r\\t\"", "\b\f\n\r\t")]
    [InlineData("\"\\u00e9t\\u00E9\"", "été")]
    [InlineData("\"\\ud83d\\ude00\"", "😀")]
    [InlineData("\"😀é\"", "😀é")]
    [InlineData("\"refund for order 1234, café\"", "refund for order 1234, café")]
    [InlineData("\"naïve\\ttab\"", "naïve\ttab")]
    [InlineData("\"\"", "")]
    public void GetChars_Strings_Unescapes(string json, string expected)
    {
        Span<char> scratch = stackalloc char[64];
        var chars = JsonStrings.GetChars(Parse(json), scratch, out var rented);
        Assert.Equal(expected, chars.ToString());
        Assert.Null(rented);
    }

    // Test data are written with escapes (Regex.Unescape turns "\\ud800" into the code unit) so that no lone
    // surrogate has to pass through the test runner's own serialization.
    [Theory]
    [InlineData("\"\\ud800\"", "\\ud800")]
    [InlineData("\"a\\uDC00b\"", "a\\udc00b")]
    [InlineData("\"\\udc00\\ud800\"", "\\udc00\\ud800")]
    public void GetChars_LoneSurrogate_KeptAsThatCodeUnit(string json, string escaped)
    {
        var expected = Regex.Unescape(escaped);
        Span<char> scratch = stackalloc char[64];
        Assert.Equal(expected, JsonStrings.GetChars(Parse(json), scratch, out _).ToString());
        Assert.Equal(expected, JsonStrings.GetString(Parse(json)));
        Assert.False(JsonStrings.IsWellFormed(expected));
    }

    [Fact]
    public void GetName_LoneSurrogate_KeptAsThatCodeUnit()
    {
        var property = Assert.Single(Parse("{\"x\\ud800\\\"\": 1}").EnumerateObject());
        Assert.Equal(Regex.Unescape("x\\ud800\""), JsonStrings.GetName(property));
    }

    [Theory]
    [InlineData("", true)]
    [InlineData("plain \\u00e9", true)]
    [InlineData("\\ud83d\\ude00", true)]
    [InlineData("\\ud83d", false)]
    [InlineData("\\ude00", false)]
    [InlineData("\\ude00\\ud83d", false)]
    [InlineData("x\\ud83d\\ude00\\ud83d", false)]
    public void IsWellFormed_Surrogates_OnlyInPairs(string escaped, bool expected) =>
        Assert.Equal(expected, JsonStrings.IsWellFormed(Regex.Unescape(escaped)));

    [Fact]
    public void GetChars_LongerThanScratch_RentsAndReturnsText()
    {
        var text = new string('x', 1000) + "\\n";
        Span<char> scratch = stackalloc char[16];
        var chars = JsonStrings.GetChars(Parse("\"" + text + "\""), scratch, out var rented);
        Assert.Equal(new string('x', 1000) + "\n", chars.ToString());
        Assert.NotNull(rented);
        JsonStrings.Return(rented);
    }

    [Fact]
    public void GetChars_NotAString_Throws()
    {
        Assert.Throws<ArgumentException>(() => JsonStrings.GetChars(Parse("1"), Span<char>.Empty, out _));
    }

    [Theory]
    [InlineData("\"abc\"", 3)]
    [InlineData("\"😀😀\"", 2)]
    [InlineData("\"\\ud83d\\ude00x\"", 2)]
    [InlineData("\"é\"", 1)]
    [InlineData("\"\"", 0)]
    public void CodePointLength_Strings_CountsCodePoints(string json, int expected)
    {
        Assert.Equal(expected, JsonStrings.CodePointLength(Parse(json)));
    }
}
