using System.Text.Json;
using FsCheck;
using FsCheck.Fluent;
using FsCheck.Xunit;
using PolicyLayer.Authorization;
using PolicyLayer.Policies;

namespace PolicyLayer.Tests.Authorization;

/// <summary>
/// Conditions that take their argument from one pass over the arguments decide exactly as conditions that look each
/// argument up: repeated names (the last wins), escaped names, missing names, dictionary-held arguments.
/// </summary>
public sealed class ArgumentValuesTests
{
    private const string Policy = """
        { "version": "1", "default": "allow", "tools": { "t": { "deny_if": [
            { "conditions": [ { "path": "args.amount", "op": "gt", "value": 100 } ] },
            { "conditions": [ { "path": "args.memo", "op": "regex", "value": "drop" } ] },
            { "conditions": [ { "path": "args.currency", "op": "in", "value": ["BTC", "ETH", 7] } ] },
            { "conditions": [ { "path": "args.nested.level", "op": "eq", "value": 3 } ] },
            { "conditions": [ { "path": "args.amount", "op": "exists" }, { "path": "args.memo", "op": "not_exists" } ] } ] } } }
        """;

    // Names the conditions address, others, and escaped spellings of addressed names.
    private static readonly string[] Names = ["amount", "memo", "currency", "nested", "other", "\\u0061mount", "m\\u0065mo"];

    private static readonly string[] Values =
        ["50", "150", "100.5", "\"drop table\"", "\"hello\"", "\"BTC\"", "\"E\\u0054H\"", "7", "7.0", "null", "{\"level\": 3}", "{\"level\": 4}", "[1, 2]"];

    private static readonly Gen<string> Objects =
        from count in Gen.Choose(0, 7)
        from names in Gen.ArrayOf(Gen.Elements(Names), count)
        from values in Gen.ArrayOf(Gen.Elements(Values), count)
        select "{" + string.Join(", ", names.Zip(values, (n, v) => $"\"{n}\": {v}")) + "}";

    [Fact]
    public void Policy_ConditionsOnSeveralArguments_ReadThemInOnePass()
    {
        var rules = PolicyLayer.Policies.Policy.Parse(Policy).Tools["t"];

        Assert.NotNull(rules.ArgumentNames);
        Assert.All(rules.DenyIf.SelectMany(g => g.Conditions), c => Assert.True(c.ArgumentSlot >= 0, c.Description));
    }

    [Property(MaxTest = 1000)]
    public Property Evaluate_AnyArguments_SameResultAsLookingEachUp() =>
        Prop.ForAll(Objects.ToArbitrary(), json =>
        {
            var rules = PolicyLayer.Policies.Policy.Parse(Policy).Tools["t"];
            var call = new ToolCall("t", JsonDocument.Parse(json).RootElement);
            var arguments = default(ArgumentValues);
            Assert.True(arguments.Fill(rules.ArgumentNames!, call.Arguments));

            foreach (var condition in rules.DenyIf.SelectMany(g => g.Conditions))
            {
                Assert.Equal(ConditionEvaluator.Evaluate(condition, call), ConditionEvaluator.Evaluate(condition, call, arguments));
            }
        });

    [Theory]
    [InlineData("""{"amount": 500, "amount": 5, "memo": "x"}""", true)]
    [InlineData("""{"amount": 5, "amount": 500, "memo": "x"}""", false)]
    [InlineData("""{"\u0061mount": 500}""", false)]
    [InlineData("""{"currency": "E\u0054H"}""", false)]
    [InlineData("""{"currency": 7.0, "memo": "x"}""", false)]
    [InlineData("""{"currency": "EUR", "memo": "x", "amount": 5}""", true)]
    public void Authorize_RepeatedAndEscapedNames_DecidesAsTheElementLookupDoes(string json, bool allowed)
    {
        var fixture = new AuthorizerFixture(Policy);

        Assert.Equal(allowed, fixture.Call("t", json).IsAllowed);
    }

    [Fact]
    public async Task Authorize_DictionaryHeldArguments_DecideAsTheSameElement()
    {
        var fixture = new AuthorizerFixture(Policy);
        var element = JsonDocument.Parse("""{"amount": 5, "memo": "ok", "currency": "ETH"}""").RootElement;
        var dictionary = element.EnumerateObject().ToDictionary(p => p.Name, p => p.Value);

        var fromElement = await fixture.Authorizer.AuthorizeAsync(new ToolCall("t", element));
        var fromDictionary = await fixture.Authorizer.AuthorizeAsync(new ToolCall("t", dictionary));

        Assert.False(fromElement.IsAllowed);
        Assert.Equal(fromElement.Rule, fromDictionary.Rule);
        Assert.Equal("/tools/t/deny_if/2", fromElement.Rule);
    }

    // The same conditions behind a schema and a limit keyed by an argument: every step that reads arguments.
    private const string EveryStepPolicy = """
        { "version": "1", "default": "allow", "tools": { "t": {
            "schema": { "type": "object", "properties": { "amount": { "type": "number", "maximum": 120 }, "nested": { "type": "object" } } },
            "deny_if": [
                { "conditions": [ { "path": "args.memo", "op": "regex", "value": "drop" } ] },
                { "conditions": [ { "path": "args.currency", "op": "in", "value": ["BTC", "ETH", 7] } ] },
                { "conditions": [ { "path": "args.nested.level", "op": "eq", "value": 3 } ] },
                { "conditions": [ { "path": "args", "op": "eq", "value": { "currency": "XMR" } } ] } ],
            "limits": [
                { "counter": "per_currency", "window": "minute", "max": 1000000, "key": "args.currency", "cost": "args.amount" },
                { "counter": "per_arguments", "window": "minute", "max": 1000000, "key": "args" } ] } } }
        """;

    [Fact]
    public async Task Authorize_WholeArgumentsInAConditionAndAsALimitKey_EveryFormDecidesAndCountsAlike()
    {
        // "args" alone is the whole arguments object: equal objects are one value however the host holds them.
        var f = new AuthorizerFixture("""
            { "version": "1", "default": "deny", "tools": { "t": {
                "deny_if": [ { "conditions": [ { "path": "args", "op": "eq", "value": { "to": "mallory", "amount": 5 } } ] } ],
                "limits": [ { "counter": "same_call", "window": "minute", "max": 1, "key": "args" } ] } } }
            """);
        var element = JsonDocument.Parse("""{"amount": 5.0, "to": "alice"}""").RootElement;
        var dictionary = element.EnumerateObject().ToDictionary(p => p.Name, p => p.Value);
        var readOnly = (IReadOnlyDictionary<string, JsonElement>)new System.Collections.ObjectModel.ReadOnlyDictionary<string, JsonElement>(dictionary);
        var forbidden = JsonDocument.Parse("""{"to": "mallory", "amount": 5}""").RootElement.EnumerateObject().ToDictionary(p => p.Name, p => p.Value);

        var first = await f.Authorizer.AuthorizeAsync(new ToolCall("t", element));
        var sameAsDictionary = await f.Authorizer.AuthorizeAsync(new ToolCall("t", dictionary));
        var sameAsReadOnly = await f.Authorizer.AuthorizeAsync(new ToolCall("t", new JsonProperties(readOnly)));
        var other = await f.Authorizer.AuthorizeAsync(new ToolCall("t", JsonDocument.Parse("""{"amount": 6, "to": "alice"}""").RootElement));
        var denied = await f.Authorizer.AuthorizeAsync(new ToolCall("t", forbidden));

        Assert.True(first.IsAllowed);
        Assert.Equal(("/tools/t/limits/0", "/tools/t/limits/0"), (sameAsDictionary.Rule, sameAsReadOnly.Rule));
        Assert.True(other.IsAllowed);
        Assert.Equal("/tools/t/deny_if/0", denied.Rule);
    }

    // Objects whose names are all different once unescaped: a dictionary holds exactly their members. (An object that
    // repeats a name has no dictionary form: a schema checks every member it holds, conditions read the last.)
    private static readonly Gen<string> ObjectsWithDistinctNames = Objects.Where(json =>
    {
        var names = JsonDocument.Parse(json).RootElement.EnumerateObject().Select(p => p.Name).ToList();
        return names.Distinct(StringComparer.Ordinal).Count() == names.Count;
    });

    [Property(MaxTest = 500)]
    public Property Authorize_AnyArgumentsHeldAsDictionaries_DecideAsTheElement() =>
        Prop.ForAll(ObjectsWithDistinctNames.ToArbitrary(), json =>
        {
            var element = JsonDocument.Parse(json).RootElement;
            var dictionary = element.EnumerateObject().ToDictionary(p => p.Name, p => p.Value, StringComparer.Ordinal);

            var expected = Decide(new JsonProperties(element));
            Assert.Equal(expected, Decide(new JsonProperties(dictionary)));
            Assert.Equal(expected, Decide(new JsonProperties((IReadOnlyDictionary<string, JsonElement>)new System.Collections.ObjectModel.ReadOnlyDictionary<string, JsonElement>(dictionary))));

            // A sorted dictionary lists its members in another order, and schema errors come in member order: it is
            // compared with the element of its own order.
            var sorted = new SortedDictionary<string, JsonElement>(dictionary, StringComparer.Ordinal);
            var sortedElement = JsonSerializer.SerializeToElement(sorted);
            Assert.Equal(Decide(new JsonProperties(sortedElement)), Decide(new JsonProperties((IDictionary<string, JsonElement>)sorted)));
        });

    // A fresh authorizer per call, so budgets spent by one form of the arguments cannot change another's decision.
    private static (DecisionOutcome Outcome, string Rule, string Message) Decide(JsonProperties arguments)
    {
        var decision = new AuthorizerFixture(EveryStepPolicy).Authorizer.AuthorizeAsync(new ToolCall("t", arguments)).AsTask().GetAwaiter().GetResult();
        return (decision.Outcome, decision.Rule, decision.Message);
    }

    [Fact]
    public void Policy_MoreArgumentNamesThanSlots_EachConditionLooksItsOwnUp()
    {
        var conditions = string.Join(", ", Enumerable.Range(0, ArgumentValues.Capacity + 1).Select(i => $$"""{ "path": "args.a{{i}}", "op": "eq", "value": {{i}} }"""));
        var fixture = new AuthorizerFixture($$"""{ "version": "1", "default": "allow", "tools": { "t": { "deny_if": [ { "conditions": [ {{conditions}} ] } ] } } }""");
        var all = "{" + string.Join(", ", Enumerable.Range(0, ArgumentValues.Capacity + 1).Select(i => $"\"a{i}\": {i}")) + "}";

        Assert.Null(fixture.Authorizer.Policy!.Tools["t"].ArgumentNames);
        Assert.False(fixture.Call("t", all).IsAllowed);
        Assert.True(fixture.Call("t", all.Replace("\"a8\": 8", "\"a8\": 9", StringComparison.Ordinal)).IsAllowed);
    }
}
