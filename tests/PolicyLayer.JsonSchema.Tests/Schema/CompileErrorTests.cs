using PolicyLayer.Schema;
using static PolicyLayer.JsonSchema.Tests.Schema.SchemaTestHelpers;

namespace PolicyLayer.JsonSchema.Tests.Schema;

public class CompileErrorTests
{
    [Theory]
    [InlineData("""{"minimum": "5"}""", "/minimum", "'minimum' must be a number, not a string; write 5 without quotes")]
    [InlineData("""{"required": "a"}""", "/required", "'required' must be an array of property names, such as [\"id\", \"name\"]")]
    [InlineData("""{"type": "strnig"}""", "/type", "'strnig' is not a JSON Schema type; use one of \"array\", \"boolean\", \"integer\", \"null\", \"number\", \"object\", \"string\"")]
    [InlineData("""{"maxLength": -1}""", "/maxLength", "'maxLength' must be a non-negative integer, such as 1")]
    [InlineData("""{"multipleOf": 0}""", "/multipleOf", "'multipleOf' must be greater than 0")]
    [InlineData("""{"properties": {"a": 5}}""", "/properties/a", "a schema must be an object or a boolean, not a number; write {} to allow anything")]
    [InlineData("""{"allOf": []}""", "/allOf", "'allOf' must be a non-empty array of schemas")]
    [InlineData("""{"enum": "a"}""", "/enum", "'enum' must be an array of the allowed values, such as [\"a\", \"b\"]")]
    public void TryCompile_InvalidKeywordValue_ReportsLocationAndFix(string schema, string location, string message)
    {
        var error = Assert.Single(CompileErrors(schema));
        Assert.Equal(location, error.SchemaLocation);
        Assert.Equal(message, error.Message);
    }

    [Fact]
    public void TryCompile_InvalidPattern_ReportsPatternLocation()
    {
        var error = Assert.Single(CompileErrors("""{"properties": {"code": {"pattern": "([a-z"}}}"""));
        Assert.Equal("/properties/code/pattern", error.SchemaLocation);
        Assert.StartsWith("'([a-z' is not a valid regular expression", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void TryCompile_SeveralProblems_ReportsEveryOne()
    {
        var errors = CompileErrors("""{"type": "strnig", "minimum": "5", "properties": {"a": {"required": "x"}, "b": {"pattern": "("}}}""");
        Assert.Equal(["/minimum", "/properties/a/required", "/properties/b/pattern", "/type"], errors.Select(e => e.SchemaLocation).Order(StringComparer.Ordinal));
    }

    [Fact]
    public void TryCompile_UnknownExternalReference_NamesTheUri()
    {
        var error = Assert.Single(CompileErrors("""{"$ref": "https://example.com/schemas/money.json"}"""));
        Assert.Equal("/$ref", error.SchemaLocation);
        Assert.Contains("'https://example.com/schemas/money.json'", error.Message, StringComparison.Ordinal);
        Assert.Contains("JsonSchemaRegistry", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void TryCompile_ReferenceToRegisteredDocument_Resolves()
    {
        var registry = new JsonSchemaRegistry();
        registry.Register(new Uri("https://example.com/schemas/money.json"), Parse("""{"type": "number", "minimum": 0}"""));
        var schema = Compile("""{"$ref": "https://example.com/schemas/money.json"}""", new JsonSchemaOptions { Registry = registry });
        Assert.True(schema.IsValid(Parse("5")));
        Assert.False(schema.IsValid(Parse("-5")));
    }

    [Fact]
    public void TryCompile_MissingLocalDefinition_ReportsIt()
    {
        var error = Assert.Single(CompileErrors("""{"$ref": "#/$defs/nope"}"""));
        Assert.Contains("'/$defs/nope', which does not exist", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void TryCompile_UnknownKeyword_IsIgnored()
    {
        Assert.True(Compile("""{"x-note": 1, "maximumm": 3}""").IsValid(Parse("10")));
    }

    [Fact]
    public void Compile_InvalidSchema_ThrowsWithErrors()
    {
        var exception = Assert.Throws<JsonSchemaException>(() => Compile("""{"type": 5}"""));
        Assert.Single(exception.Errors);
        Assert.Contains("/type", exception.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Compile_ChainOfReferencesLongerThanTheBound_SaysItIsTheChain()
    {
        // A flat $defs: nothing is nested, but each $ref followed counts as one level.
        var defs = string.Join(",", Enumerable.Range(0, 300).Select(i => $"\"d{i}\": {{\"$ref\": \"#/$defs/d{i + 1}\"}}"));
        var schema = $"{{\"$ref\": \"#/$defs/d0\", \"$defs\": {{{defs}, \"d300\": {{\"type\": \"number\"}}}}}}";

        var exception = Assert.Throws<JsonSchemaException>(() => Compile(schema));

        Assert.Contains("counting each $ref (or $dynamicRef) followed as one level; shorten the chain of references", exception.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void TryCompile_MetaschemaReference_ResolvesBuiltIn()
    {
        var draft2020 = Compile("""{"$ref": "https://json-schema.org/draft/2020-12/schema"}""");
        Assert.True(draft2020.IsValid(Parse("""{"type": "string"}""")));
        Assert.False(draft2020.IsValid(Parse("""{"type": "strnig"}""")));
        var draft7 = Compile("""{"$ref": "http://json-schema.org/draft-07/schema#"}""");
        Assert.False(draft7.IsValid(Parse("""{"minimum": "5"}""")));
        var draft2019 = Compile("""{"$ref": "https://json-schema.org/draft/2019-09/schema"}""");
        Assert.False(draft2019.IsValid(Parse("""{"required": "a"}""")));
    }

    [Fact]
    public void TryCompile_Draft7Selected_IgnoresRefSiblings()
    {
        var schema = Compile("""{"$schema": "http://json-schema.org/draft-07/schema#", "definitions": {"n": {"type": "number"}}, "$ref": "#/definitions/n", "maximum": 1}""");
        Assert.True(schema.IsValid(Parse("5")));
        var modern = Compile("""{"$defs": {"n": {"type": "number"}}, "$ref": "#/$defs/n", "maximum": 1}""");
        Assert.False(modern.IsValid(Parse("5")));
    }

    [Theory]
    [InlineData("""{"$defs": {"unused": {"minimum": "5"}}}""", "/$defs/unused/minimum")]
    [InlineData("""{"$defs": {"unused": {"properties": {"a": {"type": "strnig"}}}}}""", "/$defs/unused/properties/a/type")]
    [InlineData("""{"definitions": {"unused": {"pattern": "("}}}""", "/definitions/unused/pattern")]
    [InlineData("""{"$defs": {"a": {"$defs": {"b": {"required": "x"}}}}, "$ref": "#/$defs/a"}""", "/$defs/a/$defs/b/required")]
    [InlineData("""{"type": "string", "not": {"$defs": {"unused": {"maxLength": -1}}}}""", "/not/$defs/unused/maxLength")]
    public void TryCompile_InvalidKeywordInUnreferencedSubschema_IsReportedWithItsLocation(string schema, string location)
    {
        var error = Assert.Single(CompileErrors(schema));
        Assert.Equal(location, error.SchemaLocation);
    }

    [Fact]
    public void TryCompile_UnreferencedDefinitionReferringToItself_IsAllowed()
    {
        // Never evaluated, so it cannot loop; only definitions evaluation reaches are checked for in-place cycles.
        var schema = Compile("""{"type": "integer", "$defs": {"loop": {"$ref": "#/$defs/loop"}}}""");
        Assert.True(schema.IsValid(Parse("1")));
    }

    [Fact]
    public void TryCompile_UnreferencedDefinitionWithUnknownReference_IsReported()
    {
        var error = Assert.Single(CompileErrors("""{"$defs": {"unused": {"$ref": "https://example.com/missing.json"}}}"""));
        Assert.Equal("/$defs/unused/$ref", error.SchemaLocation);
    }
}
