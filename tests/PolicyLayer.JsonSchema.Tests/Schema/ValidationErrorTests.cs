using PolicyLayer.Schema;
using static PolicyLayer.JsonSchema.Tests.Schema.SchemaTestHelpers;

namespace PolicyLayer.JsonSchema.Tests.Schema;

public class ValidationErrorTests
{
    private const string Refund = """
        {
          "type": "object",
          "required": ["amount", "mode"],
          "additionalProperties": false,
          "properties": {
            "amount": { "type": "number", "maximum": 100 },
            "mode": { "enum": ["safe", "slow"] },
            "sku": { "type": "string", "pattern": "^[A-Z]{3}-[0-9]+$" },
            "items": { "type": "array", "items": { "type": "object", "required": ["qty"], "properties": { "qty": { "type": "integer", "minimum": 1 } } } }
          }
        }
        """;

    [Fact]
    public void Validate_ValueAboveMaximum_ReportsLocationKeywordAndMessage()
    {
        var error = Assert.Single(Compile(Refund).Validate(Parse("""{"amount": 150, "mode": "safe"}""")));
        Assert.Equal("/amount", error.InstanceLocation);
        Assert.Equal("/properties/amount/maximum", error.KeywordLocation);
        Assert.Equal("maximum", error.Keyword);
        Assert.Equal("/amount: 150 is greater than the maximum 100", error.Message);
    }

    [Fact]
    public void Validate_MissingRequiredProperty_NamesIt()
    {
        var error = Assert.Single(Compile(Refund).Validate(Parse("""{"mode": "safe"}""")));
        Assert.Equal(string.Empty, error.InstanceLocation);
        Assert.Equal("/required", error.KeywordLocation);
        Assert.Equal("/: missing required property 'amount'", error.Message);
    }

    [Fact]
    public void Validate_ValueNotInEnum_ListsAllowedValues()
    {
        var error = Assert.Single(Compile(Refund).Validate(Parse("""{"amount": 1, "mode": "fast"}""")));
        Assert.Equal("/mode: 'fast' is not one of 'safe', 'slow'", error.Message);
    }

    [Fact]
    public void Validate_SeveralProblems_ReportsEveryOneInDocumentOrder()
    {
        var errors = Compile(Refund).Validate(Parse("""{"amount": "10", "sku": "abc", "extra": true, "items": [{"qty": 0}, {}]}"""));
        Assert.Equal(
            [
                "/: missing required property 'mode'",
                "/extra: property 'extra' is not allowed; the allowed properties are 'amount', 'mode', 'sku', 'items'; remove it",
                "/amount: '10' is a string, expected a number",
                "/sku: 'abc' does not match the pattern '^[A-Z]{3}-[0-9]+$'",
                "/items/0/qty: 0 is less than the minimum 1",
                "/items/1: missing required property 'qty'",
            ],
            errors.Select(e => e.Message).OrderBy(Order).ToArray());
        Assert.Equal(errors.Select(e => e.Message), Compile(Refund).Validate(Parse("""{"amount": "10", "sku": "abc", "extra": true, "items": [{"qty": 0}, {}]}""")).Select(e => e.Message));

        static int Order(string message) => message switch
        {
            _ when message.Contains("'mode'", StringComparison.Ordinal) => 0,
            _ when message.Contains("extra", StringComparison.Ordinal) => 1,
            _ when message.StartsWith("/amount", StringComparison.Ordinal) => 2,
            _ when message.StartsWith("/sku", StringComparison.Ordinal) => 3,
            _ when message.StartsWith("/items/0", StringComparison.Ordinal) => 4,
            _ => 5,
        };
    }

    [Fact]
    public void Validate_ValidInstance_ReturnsEmptyList()
    {
        Assert.Empty(Compile(Refund).Validate(Parse("""{"amount": 100, "mode": "slow", "items": [{"qty": 2}]}""")));
    }

    [Fact]
    public void Validate_PropertyNameWithSlash_EscapesPointer()
    {
        var error = Assert.Single(Compile("""{"properties": {"a/b~c": {"type": "string"}}}""").Validate(Parse("""{"a/b~c": 1}""")));
        Assert.Equal("/a~1b~0c", error.InstanceLocation);
        Assert.Equal("/properties/a~1b~0c/type", error.KeywordLocation);
    }

    [Fact]
    public void Validate_OneOfMatchingNone_ExplainsEachAlternative()
    {
        var error = Assert.Single(Compile("""{"oneOf": [{"type": "string"}, {"type": "integer"}]}""").Validate(Parse("1.5")));
        Assert.Equal("oneOf", error.Keyword);
        Assert.Contains("(0) /: 1.5 is a number, expected a string", error.Message, StringComparison.Ordinal);
        Assert.Contains("(1) /: 1.5 is a number, expected an integer", error.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("""{"minLength": 3}""", "\"ab\"", "/: 'ab' is 2 characters long, shorter than the minimum length 3")]
    [InlineData("""{"maxItems": 1}""", "[1, 2]", "/: the array has 2 items, more than the maximum 1")]
    [InlineData("""{"multipleOf": 0.01}""", "1.005", "/: 1.005 is not a multiple of 0.01")]
    [InlineData("""{"const": "x"}""", "\"y\"", "/: 'y' must be exactly 'x'")]
    [InlineData("""{"uniqueItems": true}""", "[1, 1.0]", "/: items 0 and 1 are equal; array items must be unique")]
    [InlineData("""{"exclusiveMaximum": 10}""", "10", "/: 10 must be less than 10")]
    [InlineData("""{"not": {"type": "null"}}""", "null", "/: null must not match the schema under 'not'")]
    [InlineData("""{"dependentRequired": {"a": ["b"]}}""", """{"a": 1}""", "/: missing property 'b', required when 'a' is present")]
    [InlineData("""{"contains": {"type": "string"}}""", "[1]", "/: no item matches the 'contains' schema; add one that does")]
    [InlineData("""{"format": "date"}""", "\"2024-02-30\"", "/: '2024-02-30' is not a valid date")]
    public void Validate_Keyword_ExplainsFailure(string schema, string instance, string message)
    {
        var options = new JsonSchemaOptions { AssertFormat = true };
        var error = Assert.Single(Compile(schema, options).Validate(Parse(instance)));
        Assert.Equal(message, error.Message);
    }

    [Fact]
    public void IsValid_FormatWithoutAssertFormat_IsAnnotationOnly()
    {
        Assert.True(Compile("""{"format": "date"}""").IsValid(Parse("\"not a date\"")));
        Assert.False(Compile("""{"format": "date"}""", new JsonSchemaOptions { AssertFormat = true }).IsValid(Parse("\"not a date\"")));
    }
}
