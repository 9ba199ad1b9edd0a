using System.Text;
using PolicyLayer.Schema;
using static PolicyLayer.JsonSchema.Tests.Schema.SchemaTestHelpers;

namespace PolicyLayer.JsonSchema.Tests.Schema;

/// <summary>The errors of a hostile value are bounded in number and in size, whatever it holds.</summary>
public class ErrorBoundsTests
{
    private static string Ones(int count) => "[" + string.Join(",", Enumerable.Repeat("1", count)) + "]";

    [Fact]
    public void Validate_MillionErrors_ReportsTheFirstHundredAndSaysMoreWereLeftOut()
    {
        var schema = Compile("""{"items": {"type": "string"}}""");
        var errors = schema.Validate(Parse(Ones(1_000_000)));

        Assert.Equal(101, errors.Count);
        Assert.Equal("/99", errors[99].InstanceLocation);
        Assert.Equal("/: at least one more error was not reported (only the first 100 are); fix these and validate again", errors[^1].Message);
    }

    [Fact]
    public void Validate_MaxErrorsOption_CapsTheList()
    {
        var schema = Compile("""{"items": {"type": "string"}}""", new JsonSchemaOptions { MaxErrors = 3 });
        var errors = schema.Validate(Parse(Ones(10)));
        Assert.Equal(["/0", "/1", "/2", ""], errors.Select(e => e.InstanceLocation));
        Assert.Contains("only the first 3", errors[^1].Message, StringComparison.Ordinal);
        Assert.Equal(3, schema.Validate(Parse(Ones(3))).Count);
    }

    [Fact]
    public void TryCompile_MaxErrorsBelowOne_IsAnError()
    {
        var error = Assert.Single(CompileErrors("{}", new JsonSchemaOptions { MaxErrors = 0 }));
        Assert.Contains("MaxErrors must be at least 1", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Validate_LongNameWithManyErrors_StaysSmall()
    {
        // A long key repeated in every error's pointer and message used to take gigabytes.
        var name = new string('k', 20_000);
        var schema = Compile("""{"additionalProperties": {"items": {"type": "string"}}}""");
        var errors = schema.Validate(Parse($"{{\"{name}\": {Ones(10_000)}}}"));

        Assert.Equal(101, errors.Count);
        Assert.All(errors, e => Assert.True(e.Message.Length < 300 && e.InstanceLocation.Length < 100, e.Message));
        Assert.Equal("/" + new string('k', 60) + "…/0", errors[0].InstanceLocation);
    }

    [Theory]
    [InlineData("""{"additionalProperties": false}""", "{{\"{0}\": 1}}")]
    [InlineData("""{"unevaluatedProperties": false}""", "{{\"{0}\": 1}}")]
    [InlineData("""{"propertyNames": {"maxLength": 3}}""", "{{\"{0}\": 1}}")]
    [InlineData("""{"additionalProperties": {"type": "integer"}}""", "{{\"{0}\": \"s\"}}")]
    [InlineData("""{"required": ["a"], "properties": {"{0}": true}}""", "{{\"{0}\": 1}}")]
    public void Validate_MegabyteName_IsQuotedCutShort(string schemaTemplate, string instanceTemplate)
    {
        var name = new string('n', 1_000_000);
        var schema = Compile(schemaTemplate.Replace("{0}", name, StringComparison.Ordinal));
        var errors = schema.Validate(Parse(string.Format(System.Globalization.CultureInfo.InvariantCulture, instanceTemplate, name)));
        Assert.NotEmpty(errors);
        Assert.All(errors, e => Assert.True(e.Message.Length < 300 && e.InstanceLocation.Length < 100, e.Message[..Math.Min(300, e.Message.Length)]));
    }

    [Fact]
    public void Validate_DependentRequiredMegabyteName_IsQuotedCutShort()
    {
        var name = new string('n', 1_000_000);
        var schema = Compile("{\"dependentRequired\": {\"" + name + "\": [\"b\"]}}");
        var error = Assert.Single(schema.Validate(Parse("{\"" + name + "\": 1}")));
        Assert.True(error.Message.Length < 300);
    }

    [Theory]
    [InlineData("""{"maximum": 1}""")]
    [InlineData("""{"multipleOf": 3}""")]
    [InlineData("""{"const": 1}""")]
    public void Validate_NumberOf200000Digits_IsQuotedCutShort(string schemaText)
    {
        var number = "2" + new string('1', 200_000);
        var error = Assert.Single(Compile(schemaText).Validate(Parse(number)));
        Assert.True(error.Message.Length < 200, error.Message[..Math.Min(200, error.Message.Length)]);
        Assert.StartsWith("/: 2111", error.Message, StringComparison.Ordinal);
        Assert.Contains("1111…", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Validate_NestedAlternatives_ExplanationBounded()
    {
        // anyOf nested 16 levels: each level explained every alternative, multiplying the message to megabytes.
        var defs = new StringBuilder();
        for (var i = 0; i < 16; i++)
        {
            defs.Append($$"""
                "d{{i}}": {"anyOf": [{"$ref": "#/$defs/d{{i + 1}}"}, {"$ref": "#/$defs/d{{i + 1}}"}, {"type": "integer", "minimum": {{i}}}]},
                """);
        }

        defs.Append("""
            "d16": {"type": "number"}
            """);
        var schema = Compile($$"""{"$defs": {{{defs}}}, "$ref": "#/$defs/d0"}""");
        var errors = schema.Validate(Parse("\"x\""));
        var error = Assert.Single(errors);
        Assert.True(error.Message.Length <= 1001, error.Message.Length.ToString(System.Globalization.CultureInfo.InvariantCulture));
        Assert.StartsWith("/: 'x' matches none of the 3 alternatives of anyOf: (0) /: 'x' matches none", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Validate_AdditionalPropertyNotAllowed_PointsAtTheProperty()
    {
        var schema = Compile("""{"properties": {"a": {}}, "additionalProperties": false}""");
        var error = Assert.Single(schema.Validate(Parse("""{"a": 1, "x/y": 2}""")));
        Assert.Equal("/x~1y", error.InstanceLocation);
        Assert.Equal("/additionalProperties", error.KeywordLocation);
        Assert.Equal("/x~1y: property 'x/y' is not allowed; the allowed properties are 'a'; remove it", error.Message);
    }

    [Fact]
    public void Validate_AdditionalPropertyWithPatternProperties_NamesThePatterns()
    {
        var schema = Compile("""{"patternProperties": {"^x": {"type": "string"}}, "additionalProperties": false}""");
        var errors = schema.Validate(Parse("""{"x1": 1, "y": 2}"""));
        Assert.Equal(["/x1", "/y"], errors.Select(e => e.InstanceLocation));
        Assert.Equal("/y: property 'y' is not allowed; the allowed property names are those matching '^x'; remove it", errors[1].Message);

        var both = Compile("""{"properties": {"a": {}}, "patternProperties": {"^x": {}}, "additionalProperties": false}""");
        Assert.Equal("/y: property 'y' is not allowed; the allowed properties are 'a' and names matching '^x'; remove it", Assert.Single(both.Validate(Parse("""{"y": 2}"""))).Message);
        Assert.Equal("/y: property 'y' is not allowed; no properties are allowed; remove it", Assert.Single(Compile("""{"additionalProperties": false}""").Validate(Parse("""{"y": 2}"""))).Message);
    }

    [Fact]
    public void Validate_UnevaluatedPropertyNotAllowed_PointsAtTheProperty()
    {
        var schema = Compile("""{"properties": {"a": {}}, "unevaluatedProperties": false}""");
        var error = Assert.Single(schema.Validate(Parse("""{"a": 1, "c~d": 2}""")));
        Assert.Equal("/c~0d", error.InstanceLocation);
        Assert.Equal("/c~0d: property 'c~d' is not allowed (unevaluatedProperties); remove it", error.Message);
    }
}
