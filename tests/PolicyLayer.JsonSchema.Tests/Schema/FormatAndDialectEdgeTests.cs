using PolicyLayer.Schema;
using static PolicyLayer.JsonSchema.Tests.Schema.SchemaTestHelpers;

namespace PolicyLayer.JsonSchema.Tests.Schema;

/// <summary>Formats at the edges of their RFCs, and drafts that are not supported.</summary>
public class FormatAndDialectEdgeTests
{
    private static bool Valid(string format, string value) =>
        Compile($$"""{"format": "{{format}}"}""", new JsonSchemaOptions { AssertFormat = true }).IsValid(Parse(System.Text.Json.JsonSerializer.Serialize(value)));

    [Theory]
    [InlineData("date", "0000-02-29", true)]      // year 0 is a leap year (RFC 3339 Appendix C)
    [InlineData("date-time", "0000-02-29T00:00:00Z", true)]
    [InlineData("date", "0000-02-30", false)]
    [InlineData("date", "0100-02-29", false)]
    [InlineData("date", "0400-02-29", true)]
    [InlineData("date", "2023-02-29", false)]
    [InlineData("date", "2024-04-31", false)]
    [InlineData("date", "2024-12-31", true)]
    public void Date_LeapYears(string format, string value, bool valid) => Assert.Equal(valid, Valid(format, value));

    [Fact]
    public void Email_LocalPartOver64Octets_IsInvalid()
    {
        Assert.True(Valid("email", new string('a', 64) + "@example.com"));
        Assert.False(Valid("email", new string('a', 65) + "@example.com"));
        Assert.False(Valid("email", new string('a', 76) + "@example.com"));
        var longDomain = string.Join(".", Enumerable.Repeat(new string('d', 60), 4)) + ".com"; // 248 characters
        Assert.False(Valid("email", "abcdefgh@" + longDomain));
    }

    [Theory]
    [InlineData("http://[v1.x]/")]
    [InlineData("http://[V1.x]/")]
    public void Uri_IPvFuture_EitherCase(string value) => Assert.True(Valid("uri", value));

    [Theory]
    [InlineData("http://json-schema.org/draft-04/schema#", "draft-04 is not supported")]
    [InlineData("http://json-schema.org/draft-06/schema#", "draft-06 is not supported")]
    public void TryCompile_Draft04Or06_IsRefusedWithTheDialectNamed(string uri, string message)
    {
        var errors = CompileErrors($$"""{"$schema": "{{uri}}", "minimum": 5, "exclusiveMinimum": true}""");
        var error = Assert.Single(errors, e => e.SchemaLocation == "/$schema");
        Assert.StartsWith(message, error.Message, StringComparison.Ordinal);
        Assert.Contains("draft-07", error.Message, StringComparison.Ordinal);
    }
}
