using System.Text.Json;
using static PolicyLayer.JsonSchema.Tests.Schema.SchemaTestHelpers;

namespace PolicyLayer.JsonSchema.Tests.Schema;

public class JsonPropertiesTests
{
    private const string Schema = """
        {
          "type": "object", "required": ["amount"], "additionalProperties": false,
          "properties": { "amount": { "type": "number", "maximum": 100 }, "note": { "type": "string" } },
          "patternProperties": { "^x-": true }
        }
        """;

    private static Dictionary<string, JsonElement> Arguments(string json) =>
        Parse(json).EnumerateObject().ToDictionary(p => p.Name, p => p.Value.Clone());

    [Theory]
    [InlineData("""{"amount": 5}""", true)]
    [InlineData("""{"amount": 5, "note": "hi", "x-trace": 1}""", true)]
    [InlineData("""{"amount": 500}""", false)]
    [InlineData("""{"note": "hi"}""", false)]
    [InlineData("""{"amount": 5, "extra": 1}""", false)]
    public void IsValid_DictionaryRoot_AgreesWithElementRoot(string json, bool expected)
    {
        var schema = Compile(Schema);
        Assert.Equal(expected, schema.IsValid(new JsonProperties(Arguments(json))));
        Assert.Equal(expected, schema.IsValid(Parse(json)));
        Assert.Equal(
            schema.Validate(Parse(json)).Select(e => e.Message),
            schema.Validate(new JsonProperties(Arguments(json))).Select(e => e.Message));
    }

    [Theory]
    [InlineData("""{"amount": 5, "note": "hi"}""", true)]
    [InlineData("""{"note": "hi", "amount": 5}""", true)]
    [InlineData("""{"amount": 500}""", false)]
    [InlineData("""{"note": "hi"}""", false)]
    [InlineData("""{"amount": 5, "extra": 1}""", false)]
    [InlineData("""{"amount": "5"}""", false)]
    public void IsValid_DictionaryRootWithoutPatterns_AgreesWithElementRoot(string json, bool expected)
    {
        // Without patternProperties a dictionary root takes the fast path; with unevaluatedProperties the general one.
        foreach (var closing in new[] { "\"additionalProperties\": false", "\"unevaluatedProperties\": false" })
        {
            var schema = Compile("""{"type": "object", "required": ["amount"], """ + closing + """, "properties": {"amount": {"type": "number", "maximum": 100}, "note": {"type": "string"}}}""");
            Assert.Equal(expected, schema.IsValid(new JsonProperties(Arguments(json))));
            Assert.Equal(expected, schema.IsValid(Parse(json)));
            Assert.Equal(expected, schema.Validate(new JsonProperties(Arguments(json))).Count == 0);
        }
    }

    [Fact]
    public void IsValid_DictionaryWithAnUndefinedValue_IsInvalidWithoutThrowing()
    {
        var schema = Compile("""{"type": "object", "properties": {"amount": {"type": "number"}}}""");
        var arguments = new Dictionary<string, JsonElement> { ["amount"] = default };
        Assert.False(schema.IsValid(new JsonProperties(arguments)));
        Assert.NotEmpty(schema.Validate(new JsonProperties(arguments)));
    }

    [Fact]
    public void IsValid_DictionaryRootWithConst_ComparesTheWholeObject()
    {
        var schema = Compile("""{"const": {"a": 1}}""");
        Assert.True(schema.IsValid(new JsonProperties(Arguments("""{"a": 1.0}"""))));
        Assert.False(schema.IsValid(new JsonProperties(Arguments("""{"a": 2}"""))));
    }

    [Fact]
    public void IsValid_EmptyView_IsAnEmptyObject()
    {
        Assert.False(Compile(Schema).IsValid(JsonProperties.Empty));
        Assert.True(Compile("""{"type": "object"}""").IsValid(JsonProperties.Empty));
    }
}
