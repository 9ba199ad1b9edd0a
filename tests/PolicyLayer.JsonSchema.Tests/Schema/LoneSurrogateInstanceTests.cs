using System.Text.Json;
using PolicyLayer.Schema;
using static PolicyLayer.JsonSchema.Tests.Schema.SchemaTestHelpers;

namespace PolicyLayer.JsonSchema.Tests.Schema;

/// <summary>
/// Values holding an escaped lone surrogate (<c>"\ud800"</c>: valid JSON, which System.Text.Json parses but throws on
/// when asked for the text) as a string or a name: a caller may send them, and every keyword that compares or looks
/// up text evaluates them like any other value, on every path, instead of throwing.
/// </summary>
public class LoneSurrogateInstanceTests
{
    [Theory]
    [InlineData("""{"const": {"a": 1}}""", """{"a": 1}""", true)]
    [InlineData("""{"const": {"a": 1}}""", """{"\ud800": 1}""", false)]
    [InlineData("""{"const": {"a": 1}}""", """{"\ud800": 1, "a": 1}""", false)]
    [InlineData("""{"const": {"a": 1, "b": 2}}""", """{"\ud800": 1, "a": 1}""", false)]
    [InlineData("""{"enum": [{"a": 1}, "x"]}""", """{"\udc00": 1}""", false)]
    [InlineData("""{"enum": [{"a": "\ufffd"}]}""", """{"a": "\ud800"}""", false)]
    [InlineData("""{"const": ["\ud83d\ude00"]}""", """["\ud83d"]""", false)]
    [InlineData("""{"dependentRequired": {"a": ["b"]}}""", """{"a": 1, "\ud800": 2}""", false)]
    [InlineData("""{"dependentRequired": {"a": ["b"]}}""", """{"\ud800": 2, "a": 1, "b": 3}""", true)]
    [InlineData("""{"uniqueItems": true}""", """[{"\ud800": 1}, {"\ud800": 1}]""", false)]
    [InlineData("""{"uniqueItems": true}""", """[{"\ud800": 1}, {"\udc00": 1}]""", true)]
    [InlineData("""{"uniqueItems": true}""", """["\ud800", "\uD800"]""", false)]
    [InlineData("""{"uniqueItems": true}""", """["\ud800", "\ufffd"]""", true)]
    [InlineData("""{"uniqueItems": true}""", """["\ud800", "\ud800\udc00"]""", true)]
    public void Keyword_ValueWithLoneSurrogate_EvaluatesOnEveryPath(string schema, string value, bool valid)
    {
        var compiled = Compile(schema);
        var instance = Parse(value);

        Assert.Equal(valid, compiled.IsValid(instance));
        Assert.Equal(valid, compiled.Validate(instance).Count == 0);
        Assert.Equal(valid, compiled.CollectErrors(new JsonProperties(instance)).Count == 0);
    }

    [Theory]
    [InlineData("""{"const": {"a": 1}}""", false)]
    [InlineData("""{"properties": {"a": {"const": 1}}, "additionalProperties": {"type": "string", "maxLength": 1}}""", true)]
    [InlineData("""{"properties": {"a": true}, "additionalProperties": false}""", false)]
    public void RootHeldAsDictionary_WithLoneSurrogates_IsEvaluated(string schemaText, bool valid)
    {
        // JsonProperty.Name refuses a lone surrogate, but a host's dictionary may hold one as a key.
        var schema = Compile(schemaText);
        var arguments = new Dictionary<string, JsonElement>
        {
            ["\ud800"] = Parse("\"\\udc00\""),
            ["a"] = Parse("1"),
        };

        Assert.Equal(valid, schema.IsValid(new JsonProperties(arguments)));
        Assert.Equal(valid, schema.Validate(new JsonProperties(arguments)).Count == 0);
    }
}
