using System.Text;
using System.Text.RegularExpressions;
using FsCheck;
using FsCheck.Fluent;
using FsCheck.Xunit;
using PolicyLayer.Schema.Keywords;

namespace PolicyLayer.JsonSchema.Tests.Schema;

public class DeterministicPatternTests
{
    // Patterns of the supported shape, each with a text it matches; inputs are those texts after a few random edits
    // (so about as many match as do not), or random text over the characters the patterns mention (plus a few others).
    private static readonly (string Pattern, string Sample)[] Patterns =
    [
        ("^cus_[A-Za-z0-9]{8,24}$", "cus_Q8f3kLm29xPz"), (@"^\d{4}-\d{2}-\d{2}$", "2026-11-25"), ("^[a-z]+_[a-z]+$", "ab_cd"),
        (@"^[a-z0-9-]+\.[a-z]{2,}$", "my-site1.io"), ("^ab?c*d+$", "acccdd"), (@"^[^_]+_\d*$", "x y_019"), (@"^\w+$", "a_Z0"),
        (@"^\s*x$", " \t x"), ("^a{0,3}b", "aab-"), ("^[A-Z]{3}-[0-9]{4,}$", "ABZ-01999"), (@"^[^@\s]+@[a-z]+\.[a-z]+$", "a.b@x.yz"),
        ("^x.y$", "x+y"), (@"^[\-+]?\d+$", "-019"), (@"^\t*x\r?\n$", "\t\tx\r\n"), (@"^\D+\d$", "ab-1"), (@"^\W*\w+$", "+@ab"),
        (@"^\S+\s\f?\v?$", "ab\n\f\v"), (@"^a\.b\+c\@$", "a.b+c@"), (@"^[\t\r\n\f\v]+z", "\r\n\fzz"),
    ];

    private const string Alphabet = "abcdxyzABZ_-+.@ 019\t\n\r\f\v";

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
    public void DifferentialTestPatterns_CompileAndMatchTheirSamples() =>
        Assert.All(Patterns, p =>
        {
            Assert.NotNull(DeterministicPattern.TryCreate(p.Pattern));
            Assert.True(EngineMatches(p.Pattern, p.Sample), p.Pattern);
        });

    private static readonly Gen<(string Pattern, string Input)> Cases =
        from pattern in Gen.Elements(Patterns)
        from input in Gen.Frequency(
            (1, Gen.Elements(Alphabet.ToCharArray()).ArrayOf().Select(chars => new string(chars))),
            (3, from seeds in Gen.Choose(0, int.MaxValue).ArrayOf(3) from edits in Gen.Choose(0, 3) select Edit(pattern.Sample, seeds, edits)))
        select (pattern.Pattern, input);

    [Fact]
    public void Cases_MatchAndDoNot()
    {
        var matching = Cases.Sample(2000).Count(c => EngineMatches(c.Pattern, c.Input));
        Assert.InRange(matching, 400, 1600);
    }

    [Property(MaxTest = 2000)]
    public Property IsMatch_AgreesWithTheRegexEngine() =>
        Prop.ForAll(Cases.ToArbitrary(), c =>
            DeterministicPattern.TryCreate(c.Pattern)!.IsMatch(Encoding.ASCII.GetBytes(c.Input)) == EngineMatches(c.Pattern, c.Input));

    private static bool EngineMatches(string pattern, string input) =>
        new Regex(EcmaRegex.Translate(pattern), RegexOptions.CultureInvariant).IsMatch(input);

    /// <summary>The sample after <paramref name="edits"/> edits (insert, delete or replace one character), chosen by the seeds.</summary>
    private static string Edit(string sample, int[] seeds, int edits)
    {
        var text = new StringBuilder(sample);
        for (var i = 0; i < edits; i++)
        {
            var seed = seeds[i];
            var at = text.Length == 0 ? 0 : seed % (text.Length + 1);
            var character = Alphabet[(seed / 7) % Alphabet.Length];
            switch ((seed / 3) % 3)
            {
                case 0:
                    text.Insert(at, character);
                    break;
                case 1 when at < text.Length:
                    text.Remove(at, 1);
                    break;
                default:
                    if (at < text.Length)
                    {
                        text[at] = character;
                    }

                    break;
            }
        }

        return text.ToString();
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
