using System.Text;
using System.Text.RegularExpressions;
using FsCheck;
using FsCheck.Fluent;
using FsCheck.Xunit;
using PolicyLayer.Schema.Keywords;

namespace PolicyLayer.JsonSchema.Tests.Schema;

public class DeterministicPatternTests
{
    // Patterns of the supported shape, and inputs built from the characters they mention (plus a few others).
    private static readonly string[] Patterns =
    [
        "^cus_[A-Za-z0-9]{8,24}$", @"^\d{4}-\d{2}-\d{2}$", "^[a-z]+_[a-z]+$", @"^[a-z0-9-]+\.[a-z]{2,}$", "^ab?c*d+$",
        @"^[^_]+_\d*$", @"^\w+$", @"^\s*x$", "^a{0,3}b", "^[A-Z]{3}-[0-9]{4,}$", @"^[^@\s]+@[a-z]+\.[a-z]+$", "^x.y$", @"^[\-+]?\d+$",
    ];

    private const string Alphabet = "abcdxyzABZ_-+.@ 019\t\n";

    [Theory]
    [InlineData("^cus_[A-Za-z0-9]{8,24}$")]
    [InlineData(@"^\d{4}-\d{2}-\d{2}$")]
    [InlineData("^[a-z]+$")]
    [InlineData("^abc")]
    [InlineData("^")]
    public void TryCreate_SupportedShape_Compiles(string pattern) => Assert.NotNull(DeterministicPattern.TryCreate(pattern));

    [Theory]
    [InlineData("[a-z]+")]         // unanchored: a search
    [InlineData("^a*a$")]          // a repetition followed by what it can consume: greedy would be wrong
    [InlineData("^.*foo$")]
    [InlineData("^(ab)+$")]        // groups
    [InlineData("^a|b$")]          // alternation
    [InlineData(@"^\bx$")]         // assertions
    [InlineData(@"^\p{L}+$")]      // Unicode properties
    [InlineData("^[]a]$")]         // an empty class, read differently by engines
    [InlineData(@"^[\d-x]$")]      // a range from a class escape
    [InlineData("^a+?$")]          // lazy quantifier
    [InlineData("^é+$")]           // non-ASCII
    public void TryCreate_OtherShapes_LeavesThemToTheEngine(string pattern) => Assert.Null(DeterministicPattern.TryCreate(pattern));

    [Theory]
    [InlineData("^cus_[A-Za-z0-9]{8,24}$", "cus_Q8f3kLm29xPz", true)]
    [InlineData("^cus_[A-Za-z0-9]{8,24}$", "cus_short", false)]
    [InlineData("^cus_[A-Za-z0-9]{8,24}$", "cus_0123456789012345678901234", false)]
    [InlineData("^cus_[A-Za-z0-9]{8,24}$", "customer-42", false)]
    [InlineData("^abc", "abcdef", true)]
    [InlineData("^x.y$", "x\ny", false)]
    public void IsMatch_KnownCases(string pattern, string input, bool expected) =>
        Assert.Equal(expected, DeterministicPattern.TryCreate(pattern)!.IsMatch(Encoding.ASCII.GetBytes(input)));

    [Fact]
    public void TryCreate_EveryPatternOfTheDifferentialTest_Compiles() =>
        Assert.All(Patterns, pattern => Assert.NotNull(DeterministicPattern.TryCreate(pattern)));

    [Property(MaxTest = 2000)]
    public Property IsMatch_AgreesWithTheRegexEngine()
    {
        var inputs = Gen.Elements(Alphabet.ToCharArray()).ArrayOf().Select(chars => new string(chars));
        return Prop.ForAll(Gen.Elements(Patterns).ToArbitrary(), inputs.ToArbitrary(), (pattern, input) =>
        {
            var expected = new Regex(EcmaRegex.Translate(pattern), RegexOptions.CultureInvariant).IsMatch(input);
            return DeterministicPattern.TryCreate(pattern)!.IsMatch(Encoding.ASCII.GetBytes(input)) == expected;
        });
    }

    [Fact]
    public void Schema_PatternOnEscapedOrNonAsciiText_StillUsesFullSemantics()
    {
        var schema = SchemaTestHelpers.Compile("""{"pattern": "^[a-z]+$"}""");
        Assert.True(schema.IsValid(SchemaTestHelpers.Parse("\"ab\\u0063\"")));   // "abc" written with an escape
        Assert.False(schema.IsValid(SchemaTestHelpers.Parse("\"ab\\n\"")));
        Assert.False(schema.IsValid(SchemaTestHelpers.Parse("\"abé\"")));
    }
}
