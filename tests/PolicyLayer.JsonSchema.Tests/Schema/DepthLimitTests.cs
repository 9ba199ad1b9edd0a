using PolicyLayer.Schema;
using static PolicyLayer.JsonSchema.Tests.Schema.SchemaTestHelpers;

namespace PolicyLayer.JsonSchema.Tests.Schema;

/// <summary>MaxInstanceDepth holds for every value, whether or not a subschema descends into it.</summary>
public class DepthLimitTests
{
    private static string Nested(int levels) => new string('[', levels) + new string(']', levels);

    private static string NestedWithMember(int levels) => new string('[', levels) + "1" + new string(']', levels);

    [Theory]
    [InlineData("""{"type": "array"}""")]
    [InlineData("""{}""")]
    [InlineData("""true""")]
    [InlineData("""{"minItems": 1}""")]
    [InlineData("""{"not": {"type": "string"}}""")]
    [InlineData("""{"contains": {"type": "array"}}""")]
    [InlineData("""{"prefixItems": [{}]}""")]
    [InlineData("""{"anyOf": [{"type": "string"}, {"type": "array"}]}""")]
    [InlineData("""{"allOf": [{"type": "array"}]}""")]
    [InlineData("""{"if": {"type": "array"}, "then": {"minItems": 1}}""")]
    public void IsValid_NestedBeyondTheLimit_IsInvalidWhateverTheKeywords(string schemaText)
    {
        var schema = Compile(schemaText, new JsonSchemaOptions { MaxInstanceDepth = 10 });
        Assert.True(schema.IsValid(Parse(NestedWithMember(10))));
        Assert.Empty(schema.Validate(Parse(NestedWithMember(10))));
        Assert.True(schema.IsValid(Parse(Nested(11)))); // the innermost array is empty: nothing stands at level 11

        Assert.False(schema.IsValid(Parse(NestedWithMember(11))));
        Assert.False(schema.IsValid(Parse(Nested(30))));
        var error = Assert.Single(schema.Validate(Parse(Nested(30))));
        Assert.Contains("nested deeper than 10 levels", error.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("""{"properties": {"a": {"type": "integer"}}}""", """{"b": X}""", "/b")]
    [InlineData("""{"properties": {"a": {}}}""", """{"a": X}""", "/a")]
    [InlineData("""{"properties": {"a": true}}""", """{"a": X}""", "/a")]
    [InlineData("""{"items": {"const": 1}}""", """[1, X]""", "/1")]
    public void Validate_MemberNestedBeyondTheLimit_PointsAtIt(string schemaText, string instanceTemplate, string location)
    {
        var schema = Compile(schemaText, new JsonSchemaOptions { MaxInstanceDepth = 10 });
        var instance = Parse(instanceTemplate.Replace("X", Nested(30), StringComparison.Ordinal));
        Assert.False(schema.IsValid(instance));
        var error = Assert.Single(schema.Validate(instance));
        Assert.Equal(location, error.InstanceLocation);
        Assert.Contains("nested deeper than 10 levels", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void IsValid_NotConstOfDeepValue_IsInvalid()
    {
        // Equality stopped at 64 levels and called equal values different, so "not const" admitted the constant.
        var deep = Nested(70);
        Assert.False(Compile("{\"not\": {\"const\": " + deep + "}}").IsValid(Parse(deep)));
        var wide = Compile("{\"not\": {\"const\": " + deep + "}}", new JsonSchemaOptions { MaxInstanceDepth = 200 });
        Assert.False(wide.IsValid(Parse(deep)));
        Assert.True(wide.IsValid(Parse(Nested(69))));
        Assert.True(Compile($$"""{"const": {{deep}}}""", new JsonSchemaOptions { MaxInstanceDepth = 200 }).IsValid(Parse(deep)));
        Assert.True(Compile($$"""{"enum": [1, {{deep}}]}""", new JsonSchemaOptions { MaxInstanceDepth = 200 }).IsValid(Parse(deep)));
    }

    [Theory]
    [InlineData("const")]
    [InlineData("enum")]
    public void Validate_ConstOrEnumAgainstTooDeepValue_SaysItIsTooDeep(string keyword)
    {
        var deep = Nested(70);
        var constant = keyword == "enum" ? $"[{deep}]" : deep;
        var error = Assert.Single(Compile($$"""{"{{keyword}}": {{constant}}}""").Validate(Parse(deep)));
        Assert.Contains("nested deeper than 64 levels", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void IsValid_DictionaryValueNestedBeyondTheLimit_IsInvalid()
    {
        var schema = Compile("""{"type": "object"}""", new JsonSchemaOptions { MaxInstanceDepth = 10 });
        var dictionary = new Dictionary<string, System.Text.Json.JsonElement> { ["a"] = Parse(Nested(30)) };
        Assert.False(schema.IsValid(new PolicyLayer.JsonProperties(dictionary)));
        Assert.True(schema.IsValid(new PolicyLayer.JsonProperties(new Dictionary<string, System.Text.Json.JsonElement> { ["a"] = Parse(NestedWithMember(9)) })));
    }

    [Fact]
    public void IsValid_StringsWithBrackets_DoNotCountAsNesting()
    {
        var schema = Compile("""{"type": "array"}""", new JsonSchemaOptions { MaxInstanceDepth = 2 });
        var text = "\"" + new string('[', 100) + "\\\"[{" + "\"";
        Assert.True(schema.IsValid(Parse($"[[{text}, {text}], {text}]")));
        Assert.False(schema.IsValid(Parse($"[[[{text}]]]")));
    }
}
