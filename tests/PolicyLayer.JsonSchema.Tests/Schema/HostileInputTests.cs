using System.Text;
using PolicyLayer.Schema;
using static PolicyLayer.JsonSchema.Tests.Schema.SchemaTestHelpers;

namespace PolicyLayer.JsonSchema.Tests.Schema;

public class HostileInputTests
{
    [Fact]
    public void IsValid_InstanceNested10000Levels_IsInvalidWithClearMessage()
    {
        var deep = new string('[', 10_000) + new string(']', 10_000);
        var schema = Compile("""{"$defs": {"a": {"type": "array", "items": {"$ref": "#/$defs/a"}}}, "$ref": "#/$defs/a"}""");
        Assert.False(schema.IsValid(Parse(deep)));
        var error = Assert.Single(schema.Validate(Parse(deep)));
        Assert.Contains("nested deeper than 64 levels", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void IsValid_NestingWithinLimit_IsValid()
    {
        var schema = Compile("""{"$defs": {"a": {"type": "array", "items": {"$ref": "#/$defs/a"}}}, "$ref": "#/$defs/a"}""", new JsonSchemaOptions { MaxInstanceDepth = 100 });
        Assert.True(schema.IsValid(Parse(new string('[', 90) + new string(']', 90))));
    }

    [Theory]
    [InlineData("""{"$ref": "#"}""")]
    [InlineData("""{"$defs": {"a": {"$ref": "#/$defs/b"}, "b": {"$ref": "#/$defs/a"}}, "$ref": "#/$defs/a"}""")]
    [InlineData("""{"$defs": {"a": {"allOf": [{"$ref": "#/$defs/b"}]}, "b": {"anyOf": [{"$ref": "#/$defs/a"}]}}, "$ref": "#/$defs/a"}""")]
    [InlineData("""{"dependentSchemas": {"a": {"$ref": "#"}}}""")]
    [InlineData("""{"$dynamicAnchor": "x", "$dynamicRef": "#x"}""")]
    public void TryCompile_ReferenceLoopConsumingNothing_IsCompileError(string schemaText)
    {
        var error = Assert.Single(CompileErrors(schemaText));
        Assert.Contains("applies itself to the same value again", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void TryCompile_RecursionThroughProperties_IsAllowed()
    {
        var tree = Compile("""{"type": "object", "properties": {"children": {"type": "array", "items": {"$ref": "#"}}}}""");
        Assert.True(tree.IsValid(Parse("""{"children": [{"children": []}]}""")));
        Assert.False(tree.IsValid(Parse("""{"children": [1]}""")));
    }

    [Fact]
    public void IsValid_ExponentialAlternatives_StopsAtStepBudget()
    {
        // 40 levels of anyOf with two branches each and a false leaf: 2^40 paths, no cycle.
        var defs = string.Join(", ", Enumerable.Range(0, 40).Select(i => $$"""
            "a{{i}}": {"anyOf": [{"$ref": "#/$defs/a{{i + 1}}"}, {"$ref": "#/$defs/a{{i + 1}}"}]}
            """));
        var schema = Compile($$"""{"$defs": { {{defs}}, "a40": false }, "$ref": "#/$defs/a0"}""");
        Assert.False(schema.IsValid(Parse("1")));
        Assert.Contains(schema.Validate(Parse("1")), e => e.Message.Contains("too many steps", StringComparison.Ordinal));
    }

    [Fact]
    public void IsValid_CatastrophicBacktrackingPattern_RunsInLinearTime()
    {
        var schema = Compile("""{"pattern": "^(a+)+$"}""");
        var text = "\"" + new string('a', 100_000) + "!\"";
        Assert.False(schema.IsValid(Parse(text)));
        Assert.True(schema.IsValid(Parse("\"" + new string('a', 100_000) + "\"")));
    }

    [Fact]
    public void IsValid_BackreferencePatternTimingOut_IsInvalidWithClearMessage()
    {
        // A backreference needs the backtracking engine, which the timeout bounds.
        var schema = Compile("""{"pattern": "^(a+)+\\1$"}""", new JsonSchemaOptions { RegexTimeout = TimeSpan.FromMilliseconds(20) });
        var instance = Parse("\"" + new string('a', 5_000) + "!\"");
        Assert.False(schema.IsValid(instance));
        Assert.Contains("took too long", Assert.Single(schema.Validate(instance)).Message, StringComparison.Ordinal);
    }

    [Fact]
    public void IsValid_BackreferencePattern_StillMatches()
    {
        var schema = Compile("""{"pattern": "^(ab)\\1$"}""");
        Assert.True(schema.IsValid(Parse("\"abab\"")));
        Assert.False(schema.IsValid(Parse("\"abba\"")));
    }

    [Fact]
    public void TryCompile_SchemaNested10000Levels_ReportsErrorNotStackOverflow()
    {
        var builder = new StringBuilder();
        for (var i = 0; i < 10_000; i++)
        {
            builder.Append("{\"not\":");
        }

        builder.Append("true").Append('}', 10_000);
        var errors = CompileErrors(builder.ToString());
        Assert.Contains(errors, e => e.Message.Contains("nested more than", StringComparison.Ordinal));
    }

    [Fact]
    public void IsValid_HugeNumbers_ComparedExactly()
    {
        var schema = Compile("""{"maximum": 18446744073709551615, "multipleOf": 0.01}""");
        Assert.True(schema.IsValid(Parse("18446744073709551615")));
        Assert.False(schema.IsValid(Parse("18446744073709551615.01")));
        Assert.False(schema.IsValid(Parse("18446744073709551616")));
        Assert.True(Compile("""{"multipleOf": 0.01}""").IsValid(Parse("19.99")));
        Assert.False(Compile("""{"multipleOf": 0.01}""").IsValid(Parse("19.999")));
        Assert.True(Compile("""{"multipleOf": 1e-300}""").IsValid(Parse("1e300")));
        Assert.True(Compile("""{"type": "integer", "multipleOf": 0.5}""").IsValid(Parse("1e308")));
    }

    [Fact]
    public void IsValid_AbsurdExponents_DoNotHang()
    {
        Assert.False(Compile("""{"multipleOf": 3}""").IsValid(Parse("1e999999999")));
        Assert.True(Compile("""{"maximum": 1e999999999}""").IsValid(Parse("1e999999998")));
    }

    // Exponents longer than a long holds: the value is still ordered and divided exactly.
    [Theory]
    [InlineData("""{"maximum": 1000}""", "1e10000000000000000000", false)]
    [InlineData("""{"maximum": 1000}""", "1e18446744073709551616", false)]
    [InlineData("""{"minimum": 1000}""", "1e10000000000000000000", true)]
    [InlineData("""{"exclusiveMaximum": 0}""", "-1e10000000000000000000", true)]
    [InlineData("""{"minimum": -1000}""", "-1e10000000000000000000", false)]
    [InlineData("""{"exclusiveMinimum": 0}""", "1e-10000000000000000000", true)]
    [InlineData("""{"maximum": 0}""", "1e-10000000000000000000", false)]
    [InlineData("""{"maximum": 0.001}""", "1e-10000000000000000000", true)]
    [InlineData("""{"maximum": 1e10000000000000000000}""", "10e9999999999999999999", true)]
    [InlineData("""{"maximum": 1e10000000000000000000}""", "1.0000000000000000001e10000000000000000000", false)]
    [InlineData("""{"type": "integer"}""", "1e10000000000000000000", true)]
    [InlineData("""{"type": "integer"}""", "1e-10000000000000000000", false)]
    [InlineData("""{"multipleOf": 1}""", "1e10000000000000000000", true)]
    [InlineData("""{"multipleOf": 0.5}""", "1.5e10000000000000000000", true)]
    [InlineData("""{"multipleOf": 7}""", "1e10000000000000000000", false)]
    [InlineData("""{"multipleOf": 1}""", "1e-10000000000000000000", false)]
    [InlineData("""{"multipleOf": 1e-10000000000000000000}""", "1", true)]
    [InlineData("""{"multipleOf": 1e-10000000000000000000}""", "1e-10000000000000000001", false)]
    [InlineData("""{"multipleOf": 1e10000000000000000000}""", "2e10000000000000000000", true)]
    [InlineData("""{"multipleOf": 1e10000000000000000001}""", "1e10000000000000000000", false)]
    public void IsValid_ExponentsBeyondALong_Exact(string schema, string instance, bool valid)
    {
        var compiled = Compile(schema);
        Assert.Equal(valid, compiled.IsValid(Parse(instance)));
        Assert.Equal(valid, compiled.Validate(Parse(instance)).Count == 0);
    }
}
