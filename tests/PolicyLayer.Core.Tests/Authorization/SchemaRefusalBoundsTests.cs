namespace PolicyLayer.Tests.Authorization;

/// <summary>A refusal for arguments with very many schema errors stays small, whatever the arguments hold.</summary>
public class SchemaRefusalBoundsTests
{
    [Fact]
    public void SchemaRefusal_TenThousandErrorsUnderALongName_MessageBounded()
    {
        // 40 KB of arguments used to produce a 200 MB message.
        var f = new AuthorizerFixture(AuthorizerFixture.Policy1("""{ "t": { "schema": { "type": "object", "additionalProperties": { "items": { "type": "string" } } } } }"""));
        var args = $"{{\"{new string('k', 20_000)}\": [{string.Join(",", Enumerable.Repeat("1", 10_000))}]}}";

        var refused = f.Call("t", args);

        Assert.Equal(DecisionOutcome.Deny, refused.Outcome);
        Assert.Equal(101, refused.ValidationErrors.Count);
        Assert.True(refused.Message.Length < 3_000, $"{refused.Message.Length} characters");
        Assert.EndsWith("; and 91 more not shown.", refused.Message, StringComparison.Ordinal);
    }
}
