using System.Text.Json;
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
    [InlineData("\"\"", "")]
    public void GetChars_Strings_Unescapes(string json, string expected)
    {
        Span<char> scratch = stackalloc char[64];
        var chars = JsonStrings.GetChars(Parse(json), scratch, out var rented);
        Assert.Equal(expected, chars.ToString());
        Assert.Null(rented);
    }

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
