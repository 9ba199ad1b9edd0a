using System.Text.Json;
using PolicyLayer.Json;
using PolicyLayer.Tests.Authorization;

namespace PolicyLayer.Tests.Json;

/// <summary>
/// JSON allows exponents of any length. A number such as <c>1e10000000000000000000</c> must order as the enormous
/// value it is (and <c>1e-10000000000000000000</c> as the tiny positive one), not as whatever its exponent wraps to.
/// </summary>
public class HugeExponentTests
{
    private const string Huge = "1e10000000000000000000";
    private const string Tiny = "1e-10000000000000000000";

    private static AuthorizerFixture Rule(string kind, string op, string value) => new($$"""
        { "version": "1", "default": "allow", "tools": { "t": {
            "{{kind}}": [ { "conditions": [ { "path": "args.amount", "op": "{{op}}", "value": {{value}} } ] } ] } } }
        """);

    [Fact]
    public void DenyIf_GreaterThan100_HugeAmount_Denies()
    {
        var decision = Rule("deny_if", "gt", "100").Call("t", $$"""{"amount": {{Huge}}}""");
        Assert.False(decision.IsAllowed);
        Assert.Equal("/tools/t/deny_if/0", decision.Rule);
    }

    [Fact]
    public void Require_AtMost100_HugeAmount_Refuses()
    {
        var decision = Rule("require", "lte", "100").Call("t", $$"""{"amount": {{Huge}}}""");
        Assert.False(decision.IsAllowed);
        Assert.Equal("/tools/t/require/0", decision.Rule);
    }

    [Theory]
    [InlineData("eq", "100", false)]
    [InlineData("eq", "1e10000000000000000000", true)]
    [InlineData("eq", "10e9999999999999999999", true)]
    [InlineData("eq", "1e10000000000000000001", false)]
    [InlineData("neq", "100", true)]
    [InlineData("neq", "0.1e10000000000000000001", false)]
    [InlineData("in", "[1, 100]", false)]
    public void Equality_HugeAmount_ByValue(string op, string value, bool holds)
    {
        Assert.Equal(holds, Rule("require", op, value).Call("t", $$"""{"amount": {{Huge}}}""").IsAllowed);
    }

    [Theory]
    [InlineData("gt", "0", true)]
    [InlineData("lt", "0.001", true)]
    [InlineData("lt", "1e-300", true)]
    [InlineData("eq", "0", false)]
    [InlineData("neq", "0", true)]
    public void Require_TinyAmount_IsPositiveAndBelowAnyShortNumber(string op, string value, bool holds)
    {
        Assert.Equal(holds, Rule("require", op, value).Call("t", $$"""{"amount": {{Tiny}}}""").IsAllowed);
    }

    [Theory]
    [InlineData(Huge, "100", 1)]
    [InlineData("-" + Huge, "-100", -1)]
    [InlineData(Tiny, "0", 1)]
    [InlineData(Tiny, "0.001", -1)]
    [InlineData("-" + Tiny, "0", -1)]
    [InlineData(Huge, "10e9999999999999999999", 0)]
    [InlineData(Huge, "0.0001e10000000000000000004", 0)]
    [InlineData(Huge, "100000000000000000000000e9999999999999999977", 0)]
    [InlineData("1e10000000000000000001", Huge, 1)]
    [InlineData("1e-10000000000000000001", Tiny, -1)]
    [InlineData("1e9999999999999999999", "1e999999999999999999", 1)]
    [InlineData("1e-9999999999999999999", "1e-999999999999999999", -1)]
    [InlineData("1e2305843009213693951", "1e2305843009213693952", -1)]
    [InlineData("1e9223372036854775807", "1e9223372036854775808", -1)]
    [InlineData("1e18446744073709551616", "1e18446744073709551615", 1)]
    [InlineData("1e100000000000000000000000000000000000000", "9.99e99999999999999999999999999999999999999", 1)]
    [InlineData("1e000000000000000000000000000002", "100", 0)]
    [InlineData("1e-1000000000000000000", "1e999999999999999999", -1)]
    public void Compare_HugeExponents_Exact(string a, string b, int expected)
    {
        using var left = JsonDocument.Parse(a);
        using var right = JsonDocument.Parse(b);
        Assert.Equal(expected, Math.Sign(JsonValues.CompareNumbers(left.RootElement, right.RootElement)));
        Assert.Equal(-expected, Math.Sign(JsonValues.CompareNumbers(right.RootElement, left.RootElement)));
    }

    [Theory]
    [InlineData(Huge, true)]
    [InlineData("1.5e10000000000000000000", true)]
    [InlineData(Tiny, false)]
    public void IsInteger_HugeExponents(string raw, bool expected)
    {
        using var number = JsonDocument.Parse(raw);
        Assert.Equal(expected, JsonValues.IsInteger(number.RootElement));
    }
}
