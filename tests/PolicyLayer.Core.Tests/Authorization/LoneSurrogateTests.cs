using System.Text.Json;
using PolicyLayer.Auditing;
using PolicyLayer.Authorization;
using PolicyLayer.Tests.Production;

namespace PolicyLayer.Tests.Authorization;

/// <summary>
/// JSON may escape a lone surrogate (<c>"\ud800"</c> is valid, and <see cref="JsonDocument"/> accepts it), which
/// <see cref="JsonElement.GetString"/> refuses with an exception. Nothing a caller sends may make the authorizer
/// throw: such strings, as values or as names, get a decision like any other.
/// </summary>
public class LoneSurrogateTests
{
    private static readonly byte[] Salt = System.Text.Encoding.UTF8.GetBytes("0123456789abcdef-test-salt");

    private static AuthorizerFixture OnePerCustomer() => new("""
        { "version": "1", "default": "deny", "tools": { "refund": { "limits": [
            { "counter": "per_customer", "window": "day", "max": 1, "scope": "global", "key": "args.customer_id" } ] } } }
        """);

    [Theory]
    [InlineData("args.a", """{"a": "x", "\ud800": 1}""", true)]
    [InlineData("args.a", """{"\ud800": 1, "a": "y"}""", false)]
    [InlineData("args.o.a", """{"o": {"\ud800": 1, "a": "x"}}""", true)]
    [InlineData("args.o.a", """{"o": {"a": "y", "\ud800": 1}}""", false)]
    public void Condition_ObjectWithALoneSurrogateName_ReadsPastIt(string path, string arguments, bool allowed)
    {
        var f = new AuthorizerFixture($$"""
            { "version": "1", "default": "deny", "tools": { "t": { "deny_if": [ { "conditions": [ { "path": "{{path}}", "op": "eq", "value": "y" } ] } ] } } }
            """);

        var decision = f.Call("t", arguments);

        Assert.Equal(allowed, decision.IsAllowed);
        Assert.Equal(allowed ? "/tools/t" : "/tools/t/deny_if/0", decision.Rule);
    }

    [Fact]
    public void Key_InsideAnObjectWithALoneSurrogateName_IsRead()
    {
        var f = new AuthorizerFixture("""
            { "version": "1", "default": "deny", "tools": { "t": { "limits": [
                { "counter": "c", "window": "day", "max": 1, "scope": "global", "key": "args.o.k" } ] } } }
            """);

        Assert.True(f.Call("t", """{"o": {"\ud800": 1, "k": "x"}}""").IsAllowed);
        Assert.False(f.Call("t", """{"o": {"k": "x", "\udc00": 2}}""").IsAllowed);
        Assert.True(f.Call("t", """{"o": {"\ud800": 1, "k": "z"}}""").IsAllowed);
    }

    [Fact]
    public void Key_LoneSurrogate_ItsOwnBudget()
    {
        var f = OnePerCustomer();
        Assert.True(f.Call("refund", """{"customer_id": "\ud800"}""").IsAllowed);
        Assert.False(f.Call("refund", """{"customer_id": "\uD800"}""").IsAllowed);

        // Not merged with the replacement character, the other half of a pair, the pair, or its escaped spelling.
        Assert.True(f.Call("refund", """{"customer_id": "\ufffd"}""").IsAllowed);
        Assert.True(f.Call("refund", """{"customer_id": "\udc00"}""").IsAllowed);
        Assert.True(f.Call("refund", """{"customer_id": "\ud800\udc00"}""").IsAllowed);
        Assert.True(f.Call("refund", """{"customer_id": "\\ud800"}""").IsAllowed);
        Assert.True(f.Call("refund", """{"customer_id": "json:\"\\uD800\""}""").IsAllowed);
        Assert.True(f.Call("refund", """{"customer_id": "a\ud800"}""").IsAllowed);
        Assert.False(f.Call("refund", """{"customer_id": "\u0061\ud800"}""").IsAllowed);
    }

    [Fact]
    public void Key_ObjectWithLoneSurrogates_ItsOwnBudget()
    {
        var f = OnePerCustomer();
        Assert.True(f.Call("refund", """{"customer_id": {"\ud800": "\udc01", "b": 1}}""").IsAllowed);
        Assert.False(f.Call("refund", """{"customer_id": {"b": 1.0, "\ud800": "\udc01"}}""").IsAllowed);
        Assert.True(f.Call("refund", """{"customer_id": {"\ufffd": "\udc01", "b": 1}}""").IsAllowed);
        Assert.True(f.Call("refund", """{"customer_id": {"\ud800": "\ufffd", "b": 1}}""").IsAllowed);
    }

    [Theory]
    [InlineData("regex", "\"^x\"", """{"a": "\ud800"}""", false)]
    [InlineData("regex", "\".\"", """{"a": "\ud800"}""", true)]
    [InlineData("eq", "\"x\"", """{"a": "\ud800"}""", false)]
    [InlineData("eq", "\"\\ufffd\"", """{"a": "\ud800"}""", false)]
    [InlineData("in", "[\"x\", \"\\ufffd\"]", """{"a": "\udfff"}""", false)]
    [InlineData("contains", "\"x\"", """{"a": "x\ud800"}""", true)]
    [InlineData("neq", "\"x\"", """{"a": "\ud800"}""", true)]
    public void DenyIf_OnALoneSurrogate_Decides(string op, string value, string args, bool denied)
    {
        var f = new AuthorizerFixture($$"""
            { "version": "1", "default": "allow", "tools": { "t": {
                "deny_if": [ { "conditions": [ { "path": "args.a", "op": "{{op}}", "value": {{value}} } ] } ] } } }
            """);
        Assert.Equal(denied, !f.Call("t", args).IsAllowed);
    }

    [Theory]
    [InlineData("""{ "type": "object", "properties": { "a": { "enum": ["x"] } } }""", """{"a": "\ud800"}""")]
    [InlineData("""{ "type": "object", "properties": { "a": { "maxLength": 0 } } }""", """{"a": "\ud800"}""")]
    [InlineData("""{ "type": "object", "additionalProperties": false }""", """{"\ud800": 1}""")]
    [InlineData("""{ "type": "object", "propertyNames": { "maxLength": 0 } }""", """{"\ud800": 1}""")]
    public void Schema_RefusingALoneSurrogate_SaysWhy(string schema, string args)
    {
        var f = new AuthorizerFixture($$"""{ "version": "1", "default": "deny", "tools": { "t": { "schema": {{schema}} } } }""");
        var decision = f.Call("t", args);
        Assert.False(decision.IsAllowed);
        Assert.Equal("/tools/t/schema", decision.Rule);
    }

    [Fact]
    public void Record_NamesAndValuesWithLoneSurrogates_RecordedAndHashedApart()
    {
        var fixture = new ProductionFixture(ProductionFixture.Policy("""{ "t": {} }"""), records: new DecisionRecordOptions { HashArguments = true, ArgumentHashSalt = Salt });

        Assert.True(fixture.Call("t", """{"\ud800": "\udc00"}""").IsAllowed);
        Assert.True(fixture.Call("t", """{"\ufffd": "\udc00"}""").IsAllowed);
        Assert.True(fixture.Call("t", """{"\ud800": "\ufffd"}""").IsAllowed);
        Assert.True(fixture.Call("t", """{"\uD800": "\uDC00"}""").IsAllowed);

        var records = fixture.Sink.Records;
        Assert.Equal("\ud800", Assert.Single(records[0].ArgumentKeys!));
        Assert.Equal(3, records.Take(3).Select(r => r.ArgumentsHash).Distinct().Count());
        Assert.Equal(records[0].ArgumentsHash, records[3].ArgumentsHash);
    }

    [Fact]
    public async Task Approval_ArgumentsWithALoneSurrogate_OneRequestForThoseArgumentsOnly()
    {
        var fixture = new ProductionFixture(ProductionFixture.Policy("""{ "wire": { "action": "require_approval" } }"""), approvals: true);

        var first = fixture.Call("wire", """{"to": "\ud800"}""");
        var again = fixture.Call("wire", """{"to": "\uD800"}""");
        var other = fixture.Call("wire", """{"to": "\ufffd"}""");

        Assert.Equal(DecisionOutcome.RequireApproval, first.Outcome);
        Assert.Equal(first.ApprovalId, again.ApprovalId);
        Assert.NotEqual(first.ApprovalId, other.ApprovalId);
        Assert.Contains(await fixture.ApprovalService!.GetPendingAsync(), p => p.Arguments == """{"to":"\uD800"}""");
    }

    [Theory]
    [InlineData("""{"a": "\ud800"}""", """{"a":"\uD800"}""")]
    [InlineData("""{"\udc00x": 1.0}""", """{"\uDC00x":1}""")]
    [InlineData("""{"b": {"\ud800": "\u00e9\""}, "a": 1}""", """{"a":1,"b":{"\uD800":"\u00E9\u0022"}}""")]
    public void CanonicalArguments_LoneSurrogates_EscapedNotReplaced(string args, string expected)
    {
        Assert.Equal(expected, CanonicalArguments.Text(new JsonProperties(JsonDocument.Parse(args).RootElement)));
    }
}
