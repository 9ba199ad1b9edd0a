namespace PolicyLayer.Tests.Authorization;

/// <summary>
/// A limit's key partitions its budget by the key's JSON value, not by how the value is written: values equal as
/// JSON share one budget, and values of different kinds never do.
/// </summary>
public class LimitKeyTests
{
    private static AuthorizerFixture OnePerCustomer() => new("""
        { "version": "1", "default": "deny", "tools": { "refund": { "limits": [
            { "counter": "per_customer", "window": "day", "max": 1, "scope": "global", "key": "args.customer_id" } ] } } }
        """);

    [Fact]
    public void Key_NumbersEqualByValue_ShareOneBudget()
    {
        var f = OnePerCustomer();
        Assert.True(f.Call("refund", """{"customer_id": 1}""").IsAllowed);
        Assert.False(f.Call("refund", """{"customer_id": 1.0}""").IsAllowed);
        Assert.False(f.Call("refund", """{"customer_id": 1e0}""").IsAllowed);
        Assert.False(f.Call("refund", """{"customer_id": 10e-1}""").IsAllowed);
        Assert.False(f.Call("refund", """{"customer_id": 0.1E+1}""").IsAllowed);
        Assert.True(f.Call("refund", """{"customer_id": 2}""").IsAllowed);
    }

    [Fact]
    public void Key_ZeroAndMinusZero_ShareOneBudget()
    {
        var f = OnePerCustomer();
        Assert.True(f.Call("refund", """{"customer_id": 0}""").IsAllowed);
        Assert.False(f.Call("refund", """{"customer_id": -0.0}""").IsAllowed);
    }

    [Fact]
    public void Key_ObjectsEqualAsJson_ShareOneBudget()
    {
        var f = OnePerCustomer();
        Assert.True(f.Call("refund", """{"customer_id": {"a":1,"b":2}}""").IsAllowed);
        Assert.False(f.Call("refund", """{"customer_id": { "b":2, "a":1.0 }}""").IsAllowed);
        Assert.True(f.Call("refund", """{"customer_id": {"a":1,"b":3}}""").IsAllowed);
        Assert.True(f.Call("refund", """{"customer_id": [1, {"x": [2.50]}]}""").IsAllowed);
        Assert.False(f.Call("refund", """{"customer_id": [ 1e0 , { "x" : [ 25e-1 ] } ]}""").IsAllowed);
    }

    [Fact]
    public void Key_StringAndNumber_NeverShareABudget()
    {
        var f = OnePerCustomer();
        Assert.True(f.Call("refund", """{"customer_id": 1}""").IsAllowed);
        Assert.True(f.Call("refund", """{"customer_id": "1"}""").IsAllowed);
        Assert.True(f.Call("refund", """{"customer_id": "json:1"}""").IsAllowed);
        Assert.True(f.Call("refund", """{"customer_id": true}""").IsAllowed);
        Assert.True(f.Call("refund", """{"customer_id": "json:true"}""").IsAllowed);
        Assert.True(f.Call("refund", """{"customer_id": "true"}""").IsAllowed);
        Assert.True(f.Call("refund", """{"customer_id": {"a": 1}}""").IsAllowed);
        Assert.True(f.Call("refund", """{"customer_id": "json:{\"a\":1}"}""").IsAllowed);
        Assert.True(f.Call("refund", """{"customer_id": "json:\"json:1\""}""").IsAllowed);
    }

    [Fact]
    public void Key_EqualStrings_ShareOneBudgetWhateverTheirEscapes()
    {
        var f = OnePerCustomer();
        Assert.True(f.Call("refund", """{"customer_id": "c1"}""").IsAllowed);
        Assert.False(f.Call("refund", """{"customer_id": "\u0063\u0031"}""").IsAllowed);
        Assert.True(f.Call("refund", """{"customer_id": "json:x"}""").IsAllowed);
        Assert.False(f.Call("refund", """{"customer_id": "json:\u0078"}""").IsAllowed);
    }
}
