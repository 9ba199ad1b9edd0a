using PolicyLayer.Schema;
using static PolicyLayer.JsonSchema.Tests.Schema.SchemaTestHelpers;

namespace PolicyLayer.JsonSchema.Tests.Schema;

/// <summary>
/// What only the metaschema says about a schema (annotation keywords, <c>$defs</c>, <c>$anchor</c> syntax ...) is a
/// compile error too, at the keyword's location, naming the metaschema.
/// </summary>
public class MetaschemaCheckTests
{
    private const string Draft7 = "http://json-schema.org/draft-07/schema#";
    private const string Draft201909 = "https://json-schema.org/draft/2019-09/schema";

    [Theory]
    [InlineData("""{"$defs": 1}""", "/$defs", "1 is a number, expected an object")]
    [InlineData("""{"$defs": {"money": 5}}""", "/$defs/money", "5 is a number, expected an object or a boolean")]
    [InlineData("""{"title": 5}""", "/title", "5 is a number, expected a string")]
    [InlineData("""{"description": ["a"]}""", "/description", "the value is an array, expected a string")]
    [InlineData("""{"examples": 3}""", "/examples", "3 is a number, expected an array")]
    [InlineData("""{"deprecated": "yes"}""", "/deprecated", "'yes' is a string, expected a boolean")]
    [InlineData("""{"readOnly": 1}""", "/readOnly", "1 is a number, expected a boolean")]
    [InlineData("""{"$comment": {}}""", "/$comment", "the value is an object, expected a string")]
    [InlineData("""{"contentMediaType": 1}""", "/contentMediaType", "1 is a number, expected a string")]
    [InlineData("""{"contentSchema": 3}""", "/contentSchema", "3 is a number, expected an object or a boolean")]
    [InlineData("""{"$anchor": "1st"}""", "/$anchor", "'1st' does not match the pattern '^[A-Za-z_][-A-Za-z0-9._]*$'")]
    [InlineData("""{"$vocabulary": {"https://example.com/vocab": 1}}""", "/$vocabulary/https:~1~1example.com~1vocab", "1 is a number, expected a boolean")]
    [InlineData("""{"properties": {"amount": {"title": 5}}}""", "/properties/amount/title", "5 is a number, expected a string")]
    [InlineData("""{"$recursiveAnchor": true}""", "/$recursiveAnchor", "true is a boolean, expected a string")]
    public void TryCompile_ValueTheMetaschemaForbids_ReportsItWithTheMetaschema(string schema, string location, string problem)
    {
        var error = Assert.Single(CompileErrors(schema));
        Assert.Equal(location, error.SchemaLocation);
        Assert.Equal($"{problem} (required by the draft 2020-12 metaschema); correct the value or remove the keyword", error.Message);
    }

    [Fact]
    public void TryCompile_SeveralAnnotationProblems_ReportsEachOnce()
    {
        // The 2020-12 metaschema reaches a subschema through several vocabularies; each problem is still reported once.
        var errors = CompileErrors("""{"title": 5, "properties": {"a": {"$comment": 1, "deprecated": "no"}}, "items": {"examples": {}}}""");
        Assert.Equal(["/items/examples", "/properties/a/$comment", "/properties/a/deprecated", "/title"], errors.Select(e => e.SchemaLocation).Order(StringComparer.Ordinal));
    }

    [Fact]
    public void TryCompile_KeywordProblems_AreReportedByTheKeywordsAlone()
    {
        // Keywords that take effect have messages of their own; the metaschema does not repeat them.
        var error = Assert.Single(CompileErrors("""{"minimum": "5", "title": 5}"""));
        Assert.Equal("/minimum", error.SchemaLocation);
    }

    [Fact]
    public void TryCompile_Draft7_ChecksAgainstTheDraft7Metaschema()
    {
        var error = Assert.Single(CompileErrors($$"""{"$schema": "{{Draft7}}", "title": 1}"""));
        Assert.Equal("/title", error.SchemaLocation);
        Assert.Contains("draft-07 metaschema", error.Message, StringComparison.Ordinal);

        // $defs is no keyword of draft-07, so anything goes there.
        Assert.True(Compile($$"""{"$schema": "{{Draft7}}", "$defs": 1}""").IsValid(Parse("1")));
    }

    [Fact]
    public void TryCompile_Draft201909_ChecksAgainstThe201909Metaschema()
    {
        // Its tuple form of items and a false $recursiveAnchor are fine there, unlike in 2020-12.
        var error = Assert.Single(CompileErrors($$"""{"$schema": "{{Draft201909}}", "$recursiveAnchor": false, "items": [{}], "title": 2}"""));
        Assert.Equal("/title", error.SchemaLocation);
        Assert.Contains("draft 2019-09 metaschema", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void TryCompile_EmbeddedResourceOfAnotherDialect_IsNotHeldToTheRootsMetaschema()
    {
        var schema = Compile("""
            {"$ref": "http://example.com/tuple", "$defs": {"tuple": {"$schema": "http://json-schema.org/draft-07/schema#", "$id": "http://example.com/tuple", "items": [{"type": "string"}]}}}
            """);
        Assert.True(schema.IsValid(Parse("""["a", 1]""")));
        Assert.False(schema.IsValid(Parse("""[1]""")));
    }

    [Fact]
    public void TryCompile_RegisteredMetaschema_IsTheOneThatChecks()
    {
        var registry = new JsonSchemaRegistry();
        registry.Register(new Uri("https://example.com/strict-meta"), Parse("""
            {
              "$schema": "https://json-schema.org/draft/2020-12/schema",
              "$id": "https://example.com/strict-meta",
              "$dynamicAnchor": "meta",
              "allOf": [{"$ref": "https://json-schema.org/draft/2020-12/schema"}],
              "properties": {"title": {"maxLength": 8}}
            }
            """));
        var options = new JsonSchemaOptions { Registry = registry };

        var error = Assert.Single(CompileErrors("""{"$schema": "https://example.com/strict-meta", "title": "a title too long"}""", options));
        Assert.Equal("/title", error.SchemaLocation);
        Assert.Contains("required by the 'https://example.com/strict-meta' metaschema", error.Message, StringComparison.Ordinal);
        Assert.True(Compile("""{"$schema": "https://example.com/strict-meta", "title": "short"}""", options).IsValid(Parse("1")));
    }

    [Fact]
    public void TryCompile_RegisteredDocumentAReferenceReaches_IsCheckedAgainstItsMetaschema()
    {
        var registry = new JsonSchemaRegistry();
        registry.Register(new Uri("https://example.com/money"), Parse("""{"type": "number", "title": 5, "$defs": {"cents": 1}}"""));
        var options = new JsonSchemaOptions { Registry = registry };

        var errors = CompileErrors("""{"properties": {"amount": {"$ref": "https://example.com/money"}}}""", options);

        Assert.Equal(["https://example.com/money#/$defs/cents", "https://example.com/money#/title"], errors.Select(e => e.SchemaLocation).Order(StringComparer.Ordinal));
        Assert.All(errors, e => Assert.EndsWith("(required by the draft 2020-12 metaschema); correct the value or remove the keyword", e.Message, StringComparison.Ordinal));
    }

    [Fact]
    public void TryCompile_RegisteredDocumentOfAnotherDialect_IsCheckedAgainstThatDialect()
    {
        // draft-07 has no $defs keyword, so anything goes there; its title must still be a string.
        var registry = new JsonSchemaRegistry();
        registry.Register(new Uri("https://example.com/legacy"), Parse($$"""{"$schema": "{{Draft7}}", "$defs": 1, "title": 2}"""));
        var options = new JsonSchemaOptions { Registry = registry };

        var error = Assert.Single(CompileErrors("""{"$ref": "https://example.com/legacy"}""", options));

        Assert.Equal("https://example.com/legacy#/title", error.SchemaLocation);
        Assert.Contains("draft-07 metaschema", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void TryCompile_ValidRegisteredDocument_AndOneNoReferenceReaches_Compile()
    {
        var registry = new JsonSchemaRegistry();
        registry.Register(new Uri("https://example.com/money"), Parse("""{"type": "number", "title": "Money", "minimum": 0}"""));
        registry.Register(new Uri("https://example.com/unused"), Parse("""{"title": 5}"""));
        var options = new JsonSchemaOptions { Registry = registry };

        var schema = Compile("""{"properties": {"amount": {"$ref": "https://example.com/money"}}}""", options);

        Assert.True(schema.IsValid(Parse("""{"amount": 5}""")));
        Assert.False(schema.IsValid(Parse("""{"amount": -5}""")));
    }

    [Fact]
    public void TryCompile_DeeplyNestedValidSchema_StillCompiles()
    {
        // Far deeper than the metaschema check can follow within its own bounds: the check gives up, never the schema.
        var depth = 200;
        var schema = string.Concat(Enumerable.Repeat("""{"properties": {"a": """, depth)) + "{}" + new string('}', depth * 2);
        Assert.True(Compile(schema).IsValid(Parse("""{"a": {"a": 1}}""")));
    }

    [Fact]
    public void TryCompile_TypicalToolSchemaWithAnnotations_Compiles()
    {
        var schema = Compile("""
            {
              "$schema": "https://json-schema.org/draft/2020-12/schema",
              "title": "create_refund", "description": "Refunds a charge.", "$comment": "generated",
              "type": "object", "required": ["amount"],
              "properties": {
                "amount": {"type": "number", "description": "In the charge's currency.", "examples": [10, 25.5], "default": 1, "deprecated": false},
                "memo": {"type": ["string", "null"], "readOnly": false, "contentMediaType": "text/plain"}
              },
              "$defs": {"unused": {"title": "kept"}}
            }
            """);
        Assert.True(schema.IsValid(Parse("""{"amount": 5}""")));
    }
}
