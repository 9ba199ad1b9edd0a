using PolicyLayer.Schema;
using static PolicyLayer.JsonSchema.Tests.Schema.SchemaTestHelpers;

namespace PolicyLayer.JsonSchema.Tests.Schema;

/// <summary>Keyword locations are where the failing keyword was reached, through references.</summary>
public class KeywordLocationTests
{
    [Theory]
    [InlineData("""{"properties": {"a": false}}""", """{"a": 1}""", "/properties/a")]
    [InlineData("""{"prefixItems": [{}], "unevaluatedItems": false}""", "[1, 2]", "/unevaluatedItems")]
    [InlineData("""{"$defs": {"pos": {"minimum": 0}}, "properties": {"n": {"$ref": "#/$defs/pos"}}}""", """{"n": -1}""", "/properties/n/$ref/minimum")]
    [InlineData("""{"$defs": {"a": {"$ref": "#/$defs/b"}, "b": {"type": "string"}}, "items": {"$ref": "#/$defs/a"}}""", "[1]", "/items/$ref/$ref/type")]
    [InlineData("""{"$defs": {"node": {"type": "object", "properties": {"next": {"$ref": "#/$defs/node"}}}}, "$ref": "#/$defs/node"}""", """{"next": {"next": 5}}""", "/$ref/properties/next/$ref/properties/next/$ref/type")]
    [InlineData("""{"type": "object", "properties": {"child": {"$ref": "#"}}}""", """{"child": {"child": 1}}""", "/properties/child/$ref/properties/child/$ref/type")]
    public void Validate_KeywordLocation_IsTheEvaluationPath(string schemaText, string instance, string location)
    {
        var error = Assert.Single(Compile(schemaText).Validate(Parse(instance)));
        Assert.Equal(location, error.KeywordLocation);
    }

    [Fact]
    public void Validate_FalseSchemaAndDepthLimit_NameNoInventedKeyword()
    {
        var error = Assert.Single(Compile("""{"properties": {"a": false}}""").Validate(Parse("""{"a": 1}""")));
        Assert.Equal(string.Empty, error.Keyword);

        var deep = Compile("""{"$defs": {"n": {"items": {"$ref": "#/$defs/n"}}}, "$ref": "#/$defs/n"}""", new JsonSchemaOptions { MaxInstanceDepth = 2 });
        var tooDeep = Assert.Single(deep.Validate(Parse("[[[[1]]]]")));
        Assert.Equal(string.Empty, tooDeep.Keyword);
        Assert.Equal("/$ref/items/$ref/items/$ref/items", tooDeep.KeywordLocation);
    }
}
