using System.Text.Json;
using static PolicyLayer.JsonSchema.Tests.Schema.SchemaTestHelpers;

namespace PolicyLayer.JsonSchema.Tests.Schema;

/// <summary>Patterns mean what ECMA-262 says, where .NET would read them otherwise.</summary>
public class EcmaRegexTests
{
    [Theory]
    // \W inside a class is everything but [A-Za-z0-9_]: "[^\W_]" is ASCII letters and digits only.
    [InlineData(@"^[^\W_]+$", "abc123", true)]
    [InlineData(@"^[^\W_]+$", "é", false)]
    [InlineData(@"^[^\W_]+$", "٣٤", false)]
    [InlineData(@"^[^\W_]+$", "ｆｕｌｌ", false)]
    [InlineData(@"^[^\W_]+$", "a_b", false)]
    [InlineData(@"^[\W]+$", "é", true)]
    [InlineData(@"^[\W]+$", "a", false)]
    // \D inside a class: everything but 0-9.
    [InlineData(@"^[\D]+$", "٣", true)]
    [InlineData(@"^[\D]+$", "a3", false)]
    [InlineData(@"^[^\D]+$", "٣", false)]
    [InlineData(@"^[^\D]+$", "123", true)]
    // \S inside a class: U+FEFF is ECMA-262 whitespace, so not \S, inside a class or out.
    [InlineData(@"^[\S]+$", "rm\ufeff-rf", false)]
    [InlineData(@"^\S+$", "rm\ufeff-rf", false)]
    [InlineData(@"^[\S]+$", "rm-rf", true)]
    [InlineData(@"^[\S]+$", "a\u00a0b", false)]
    [InlineData(@"^[\S]+$", "a\u200bb", true)]
    [InlineData(@"^[\s\S]+$", "anything\u2028", true)]
    // \b and \B look at ASCII word characters only.
    [InlineData(@"\bdrop\b", "édropé", true)]
    [InlineData(@"\bdrop\b", "please drop it", true)]
    [InlineData(@"\bdrop\b", "dropped", false)]
    [InlineData(@"\Bdrop", "édrop", false)]
    [InlineData(@"\Bdrop", "xdrop", true)]
    [InlineData(@"^[\b]$", "\b", true)]
    // Unicode mode's code point escapes; a code point beyond the BMP is one unit, so a quantifier repeats all of it.
    [InlineData(@"^\u{1F600}$", "\U0001F600", true)]
    [InlineData(@"^\u{1F600}{2}$", "\U0001F600\U0001F600", true)]
    [InlineData(@"^\u{41}\u{e9}$", "Aé", true)]
    // Otherwise a pattern counts UTF-16 code units, as without the u flag: '.' is half an emoji (the README says so).
    [InlineData(@"^.{1,10}$", "\U0001F600\U0001F600\U0001F600\U0001F600\U0001F600", true)]
    [InlineData(@"^.{1,10}$", "\U0001F600\U0001F600\U0001F600\U0001F600\U0001F600\U0001F600", false)]
    [InlineData(@"^.$", "\U0001F600", false)]
    public void Pattern_Ecma262Meaning(string pattern, string text, bool matches)
    {
        var schema = Compile(JsonSerializer.Serialize(new { pattern }));
        var instance = Parse(JsonSerializer.Serialize(text));
        Assert.Equal(matches, schema.IsValid(instance));
        Assert.Equal(matches, schema.Validate(instance).Count == 0);
    }

    [Theory]
    [InlineData(@"\u{110000}")]
    [InlineData(@"\u{12")]
    [InlineData(@"[\u{1F600}]")]
    public void Pattern_BadCodePointEscape_IsACompileError(string pattern)
    {
        Assert.Throws<PolicyLayer.Schema.JsonSchemaException>(() => Compile(JsonSerializer.Serialize(new { pattern })));
    }

    [Fact]
    public void NotPattern_WordBoundaryBesideNonAsciiLetters_IsRefused()
    {
        var schema = Compile("""{"not": {"pattern": "\\bdrop\\b"}}""");
        Assert.False(schema.IsValid(Parse("\"édropé\"")));
        Assert.True(schema.IsValid(Parse("\"airdrop\"")));
    }
}
