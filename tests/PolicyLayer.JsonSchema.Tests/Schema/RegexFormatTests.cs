using System.Collections;
using System.Runtime.CompilerServices;
using PolicyLayer.Schema;
using static PolicyLayer.JsonSchema.Tests.Schema.SchemaTestHelpers;

namespace PolicyLayer.JsonSchema.Tests.Schema;

/// <summary><c>format: "regex"</c> checks what a caller sends without keeping it.</summary>
public class RegexFormatTests
{
    private static readonly PolicyLayer.Schema.JsonSchema Regex = Compile("""{"format": "regex"}""", new JsonSchemaOptions { AssertFormat = true });

    [Theory]
    [InlineData("^[a-z]+$", true)]
    [InlineData("(?<=a)b\\1", false)]
    [InlineData("([a-z", false)]
    [InlineData("\\Z", false)]
    [InlineData("(a)\\1", true)]
    public void IsValid_ChecksTheSyntax(string pattern, bool valid) =>
        Assert.Equal(valid, Regex.IsValid(Parse(System.Text.Json.JsonSerializer.Serialize(pattern))));

    [Fact]
    public void IsValid_SentPatterns_AreNotCached()
    {
        // Each pattern was kept in the process-wide cache, with its compiled regex, for good.
        var patterns = Enumerable.Range(0, 50).Select(i => $"^{Guid.NewGuid():N}-{i}(a|b)+$").ToList();
        foreach (var pattern in patterns)
        {
            Assert.True(Regex.IsValid(Parse($"\"{pattern}\"")));
        }

        var cache = typeof(PolicyLayer.Schema.JsonSchema).Assembly.GetType("PolicyLayer.Text.RegexCache")!
            .GetField("Entries", System.Reflection.BindingFlags.NonPublic | System.Reflection.BindingFlags.Static)!.GetValue(null)!;
        var cached = ((IDictionary)cache).Keys.Cast<ITuple>().Select(key => (string)key[0]!).ToHashSet();
        Assert.DoesNotContain(patterns, p => cached.Any(c => c.Contains(p[1..20], StringComparison.Ordinal)));
    }

    [Fact]
    public void IsValid_VeryLongPattern_IsRefused()
    {
        Assert.True(Regex.IsValid(Parse("\"" + new string('a', 10_000) + "\"")));
        Assert.False(Regex.IsValid(Parse("\"" + new string('a', 10_001) + "\"")));
    }
}
