using static PolicyLayer.JsonSchema.Tests.Schema.SchemaTestHelpers;

namespace PolicyLayer.JsonSchema.Tests.Schema;

/// <summary>
/// The fast path checks a node's string keywords, and its number keywords, together; these cases cover the text forms
/// that take different routes there (escapes, non-ASCII, exponents) and require IsValid to agree with Validate.
/// </summary>
public class MergedChecksTests
{
    private const string StringSchema = """
        { "type": "object", "properties": { "v": { "type": "string", "minLength": 2, "maxLength": 4, "pattern": "^[a-zé]+$", "enum": ["ab", "abcd", "é\u00e9", "a\\b", "abcde", "x"] } } }
        """;

    private const string NumberSchema = """
        { "type": "object", "properties": { "v": { "type": "number", "exclusiveMinimum": 0, "maximum": 100, "multipleOf": 0.5 } } }
        """;

    [Theory]
    [InlineData("\"ab\"", true)]
    [InlineData("\"abcd\"", true)]
    [InlineData("\"\\u0061b\"", true)]          // an escape decoding to an allowed value
    [InlineData("\"\u00e9\u00e9\"", true)]       // two code points, four bytes
    [InlineData("\"\\u00e9\\u00e9\"", true)]     // the same, escaped
    [InlineData("\"a\\\\b\"", false)]            // in the enum, but the pattern rejects the backslash
    [InlineData("\"abcde\"", false)]             // in the enum, too long
    [InlineData("\"x\"", false)]                 // in the enum, too short
    [InlineData("\"abc\"", false)]               // not in the enum
    [InlineData("\"AB\"", false)]
    [InlineData("12", false)]
    public void IsValid_StringKeywordsTogether_AgreesWithValidate(string value, bool expected) =>
        AssertAgrees(StringSchema, value, expected);

    [Theory]
    [InlineData("0.5", true)]
    [InlineData("100", true)]
    [InlineData("100.0", true)]
    [InlineData("1e2", true)]
    [InlineData("5e-1", true)]
    [InlineData("0", false)]
    [InlineData("-0.5", false)]
    [InlineData("100.5", false)]
    [InlineData("1.01e2", false)]
    [InlineData("0.25", false)]
    [InlineData("99.50000000000000000000000000001", false)]
    [InlineData("\"1\"", false)]
    public void IsValid_NumberKeywordsTogether_AgreesWithValidate(string value, bool expected) =>
        AssertAgrees(NumberSchema, value, expected);

    private static void AssertAgrees(string schema, string value, bool expected)
    {
        var compiled = Compile(schema);
        var instance = Parse($$"""{"v": {{value}}}""");
        Assert.Equal(expected, compiled.IsValid(instance));
        Assert.Equal(expected, compiled.Validate(instance).Count == 0);
    }
}
