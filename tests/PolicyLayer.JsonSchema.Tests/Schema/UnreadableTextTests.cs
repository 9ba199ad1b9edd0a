using PolicyLayer.Schema;
using static PolicyLayer.JsonSchema.Tests.Schema.SchemaTestHelpers;

namespace PolicyLayer.JsonSchema.Tests.Schema;

/// <summary>
/// Schemas holding an escaped lone surrogate, which System.Text.Json parses but refuses to read as a string: each is
/// refused with its location, never thrown at the host (declared input schemas come from MCP servers).
/// </summary>
public class UnreadableTextTests
{
    private const string Surrogate = "an escaped lone surrogate";

    [Theory]
    [InlineData("""{"pattern": "^\ud800$"}""", "/pattern")]
    [InlineData("""{"properties": {"code": {"pattern": "x\udc32*"}}}""", "/properties/code/pattern")]
    [InlineData("""{"enum": ["a", "\ud83d"]}""", "/enum/1")]
    [InlineData("""{"$ref": "#/$defs/\ud800"}""", "/$ref")]
    [InlineData("""{"$id": "https://example.com/\ud800"}""", "/$id")]
    [InlineData("""{"description": "\udfff"}""", "/description")]
    public void TryCompile_LoneSurrogateInAString_ReportsItsLocation(string schema, string location)
    {
        var error = Assert.Single(CompileErrors(schema));
        Assert.Equal(location, error.SchemaLocation);
        Assert.StartsWith("this string contains " + Surrogate, error.Message, StringComparison.Ordinal);
        Assert.Contains("surrogate pair", error.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("""{"\ud983D": "string"}""", "")]
    [InlineData("""{"properties": {"a\ud800": {"type": "string"}}}""", "/properties")]
    [InlineData("""{"required": ["a"], "properties": {"a": {"properties": {"\udc00": true}}}}""", "/properties/a/properties")]
    public void TryCompile_LoneSurrogateInAName_ReportsTheObjectHoldingIt(string schema, string location)
    {
        var error = Assert.Single(CompileErrors(schema));
        Assert.Equal(location, error.SchemaLocation);
        Assert.StartsWith("a property name in this object contains " + Surrogate, error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void TryCompile_SurrogatePairs_Compile()
    {
        var schema = Compile("""{"properties": {"\ud83d\ude00": {"const": "\ud83d\ude00"}}, "pattern": "^\ud83d\ude00"}""");
        Assert.True(schema.IsValid(Parse("""{"😀": "😀"}""")));
        Assert.False(schema.IsValid(Parse("""{"😀": "x"}""")));
    }

    [Fact]
    public void TryCompile_ManyLoneSurrogates_ReportsTheFirstOnesAndCountsTheRest()
    {
        var members = string.Join(", ", Enumerable.Range(0, 25).Select(i => $"\"p{i}\": {{\"const\": \"\\ud800\"}}"));
        var errors = CompileErrors("{\"properties\": {" + members + "}}");

        Assert.Equal(21, errors.Count);
        Assert.Equal("/properties/p0/const", errors[0].SchemaLocation);
        Assert.Equal("/properties/p19/const", errors[19].SchemaLocation);
        Assert.Equal("", errors[20].SchemaLocation);
        Assert.StartsWith("5 more strings of this document are not Unicode text", errors[20].Message, StringComparison.Ordinal);
    }

    [Fact]
    public void TryCompile_RegisteredDocumentWithLoneSurrogate_ReportsItThere()
    {
        var registry = new JsonSchemaRegistry();
        registry.Register(new Uri("https://example.com/schemas/code.json"), Parse("""{"type": "string", "pattern": "\ud800"}"""));

        var error = Assert.Single(CompileErrors("""{"$ref": "https://example.com/schemas/code.json"}""", new JsonSchemaOptions { Registry = registry }));

        Assert.Equal("https://example.com/schemas/code.json#/pattern", error.SchemaLocation);
        Assert.Contains(Surrogate, error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void TryCompile_InstanceWithLoneSurrogate_IsStillEvaluated()
    {
        // Only the schema must be Unicode text: a value that is not is an argument like any other.
        var schema = Compile("""{"type": "object", "properties": {"name": {"type": "string", "maxLength": 2}}, "additionalProperties": false}""");

        Assert.True(schema.IsValid(Parse("""{"name": "\ud800"}""")));
        Assert.False(schema.IsValid(Parse("""{"\ud800": 1}""")));
        Assert.Single(schema.Validate(Parse("""{"\ud800": 1}""")));
    }
}
