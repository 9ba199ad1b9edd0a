using PolicyLayer.Schema;
using static PolicyLayer.JsonSchema.Tests.Schema.SchemaTestHelpers;

namespace PolicyLayer.JsonSchema.Tests.Schema;

/// <summary>2019-09 <c>$recursiveRef</c>: a plain reference unless <c>$recursiveAnchor</c> makes it dynamic, which is refused.</summary>
public class RecursiveRefTests
{
    private const string Tree = """
        {"$schema": "https://json-schema.org/draft/2019-09/schema", "$id": "http://x/tree.json", "$recursiveAnchor": true, "type": "object",
         "properties": {"data": true, "children": {"type": "array", "items": {"$recursiveRef": "#"}}}}
        """;

    [Fact]
    public void TryCompile_ExtendedRecursiveSchema_IsRefusedNotResolvedStatically()
    {
        // Resolved statically, the nested nodes escaped the extension's unevaluatedProperties: {"children": [{"daat": 1}]} passed.
        var registry = new JsonSchemaRegistry();
        registry.Register(new Uri("http://x/tree.json"), Parse(Tree));
        var errors = CompileErrors(
            """{"$schema": "https://json-schema.org/draft/2019-09/schema", "$id": "http://x/strict-tree.json", "$recursiveAnchor": true, "$ref": "tree.json", "unevaluatedProperties": false}""",
            new JsonSchemaOptions { Registry = registry });
        Assert.NotEmpty(errors);
        Assert.All(errors, e => Assert.EndsWith("/$recursiveAnchor", e.SchemaLocation, StringComparison.Ordinal));
        Assert.Contains("'$dynamicAnchor' and '$dynamicRef'", errors[0].Message, StringComparison.Ordinal);
    }

    [Fact]
    public void TryCompile_RecursiveAnchorNotBoolean_IsAnError()
    {
        var error = Assert.Single(CompileErrors("""{"$schema": "https://json-schema.org/draft/2019-09/schema", "$recursiveAnchor": "yes"}"""));
        Assert.Equal("/$recursiveAnchor", error.SchemaLocation);
    }

    [Fact]
    public void IsValid_RecursiveRefWithoutRecursiveAnchor_IsAPlainReference()
    {
        var schema = Compile("""
            {"$schema": "https://json-schema.org/draft/2019-09/schema", "$recursiveAnchor": false, "type": "object",
             "properties": {"children": {"type": "array", "items": {"$recursiveRef": "#"}}}, "unevaluatedProperties": false}
            """);
        Assert.True(schema.IsValid(Parse("""{"children": [{"children": []}]}""")));
        Assert.False(schema.IsValid(Parse("""{"children": [{"daat": 1}]}""")));
    }
}
