using System.Text.Json;

namespace PolicyLayer.Tests.Authorization;

/// <summary>A tool's declared input schema (an MCP server's <c>inputSchema</c>), registered through the authorizer.</summary>
public class DeclaredSchemaTests
{
    private const string Declared = """{ "type": "object", "required": ["currency"], "properties": { "currency": { "enum": ["EUR", "USD"] } } }""";

    [Fact]
    public void DeclaredSchema_Enforced_RefusesWithEveryErrorAndItsInstancePath()
    {
        var f = new AuthorizerFixture(AuthorizerFixture.Policy1("""{ "pay": {} }"""));
        Assert.Empty(f.Authorizer.RegisterInputSchema("pay", Parse(Declared)));

        var refused = f.Call("pay", """{"currency": "CHF"}""");

        Assert.Equal(DecisionOutcome.Deny, refused.Outcome);
        Assert.Equal(RuleIds.InputSchema, refused.Rule);
        var error = Assert.Single(refused.ValidationErrors);
        Assert.Equal("/currency", error.InstanceLocation);
        Assert.StartsWith("The arguments do not match the tool's input schema: /currency:", refused.Message, StringComparison.Ordinal);
        Assert.True(f.Call("pay", """{"currency": "EUR"}""").IsAllowed);
    }

    [Fact]
    public void DeclaredSchema_InputSchemaIgnore_NotEnforced()
    {
        var f = new AuthorizerFixture(AuthorizerFixture.Policy1("""{ "pay": {} }""", extra: "\"input_schema\": \"ignore\","));
        f.Authorizer.RegisterInputSchema("pay", Parse(Declared));

        Assert.True(f.Call("pay", """{"currency": "CHF"}""").IsAllowed);
    }

    [Fact]
    public void DeclaredSchema_Unregistered_NoLongerEnforced()
    {
        var f = new AuthorizerFixture(AuthorizerFixture.Policy1("""{ "pay": {} }"""));
        f.Authorizer.RegisterInputSchema("pay", Parse(Declared));

        f.Authorizer.UnregisterInputSchema("pay");

        Assert.True(f.Call("pay", """{"currency": "CHF"}""").IsAllowed);
    }

    [Fact]
    public void DeclaredSchema_ThatDoesNotCompile_RefusesEveryCallToTheTool()
    {
        var f = new AuthorizerFixture(AuthorizerFixture.Policy1("""{ "pay": {}, "other": {} }"""));

        Assert.NotEmpty(f.Authorizer.RegisterInputSchema("pay", Parse("""{ "type": "objekt" }""")));

        var refused = f.Call("pay", """{"currency": "EUR"}""");
        Assert.Equal(RuleIds.InputSchema, refused.Rule);
        Assert.Contains("declares an input schema that is not valid", refused.Message, StringComparison.Ordinal);
        Assert.True(f.Call("other").IsAllowed);
    }

    [Fact]
    public void DeclaredSchema_WithLoneSurrogate_RefusesEveryCallToTheToolInsteadOfThrowing()
    {
        // A server may declare any JSON; System.Text.Json parses "\ud800" but throws when it is read as a string.
        var f = new AuthorizerFixture(AuthorizerFixture.Policy1("""{ "pay": {} }"""));

        var error = Assert.Single(f.Authorizer.RegisterInputSchema("pay", Parse("""{ "type": "object", "properties": { "code": { "pattern": "^\ud800" } } }""")));

        Assert.Equal("/properties/code/pattern", error.SchemaLocation);
        var refused = f.Call("pay", """{"code": "x"}""");
        Assert.Equal(RuleIds.InputSchema, refused.Rule);
        Assert.Contains("declares an input schema that is not valid", refused.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void BothSchemasFail_TheRefusalListsTheErrorsOfBoth()
    {
        var f = new AuthorizerFixture(AuthorizerFixture.Policy1("""{ "pay": { "schema": { "properties": { "amount": { "type": "number" } } } } }"""));
        f.Authorizer.RegisterInputSchema("pay", Parse(Declared));

        var refused = f.Call("pay", """{"amount": "ten", "currency": "CHF"}""");

        Assert.Equal("/tools/pay/schema", refused.Rule);
        Assert.Equal(["/amount", "/currency"], refused.ValidationErrors.Select(e => e.InstanceLocation));
        Assert.Contains("the policy's schema for this tool: /amount:", refused.Message, StringComparison.Ordinal);
        Assert.Contains("the tool's input schema: /currency:", refused.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void OnlyThePolicySchemaFails_TheRefusalListsOnlyItsErrors()
    {
        var f = new AuthorizerFixture(AuthorizerFixture.Policy1("""{ "pay": { "schema": { "properties": { "amount": { "type": "number" } } } } }"""));
        f.Authorizer.RegisterInputSchema("pay", Parse(Declared));

        var refused = f.Call("pay", """{"amount": "ten", "currency": "EUR"}""");

        Assert.Equal("/amount", Assert.Single(refused.ValidationErrors).InstanceLocation);
        Assert.DoesNotContain("input schema", refused.Message, StringComparison.Ordinal);
    }

    private static JsonElement Parse(string json) => JsonDocument.Parse(json).RootElement.Clone();
}
