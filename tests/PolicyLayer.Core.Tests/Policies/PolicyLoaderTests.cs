using PolicyLayer.Counters;
using PolicyLayer.Policies;

namespace PolicyLayer.Tests.Policies;

public class PolicyLoaderTests
{
    private static PolicyError SingleError(string json)
    {
        var result = Policy.Load(json, "policy.json");
        Assert.False(result.Succeeded);
        return Assert.Single(result.Errors);
    }

    [Fact]
    public void Load_SpecExample_BuildsModel()
    {
        var policy = Policy.Parse("""
            {
              "version": "1",
              "default": "deny",
              "hide": ["delete_account"],
              "all_tools": { "require": [], "deny_if": [], "limits": [] },
              "tools": {
                "close_session": {
                  "limits": [ { "counter": "close_session_rate", "window": "minute", "max": 30, "scope": "grant" } ]
                },
                "create_refund": {
                  "deny_if": [ { "conditions": [ { "path": "args.amount", "op": "gt", "value": 100 } ],
                                 "on_deny": "Refund exceeds the policy limit." } ]
                },
                "drop_database": { "action": "deny", "reason": "Never from an agent." }
              }
            }
            """);

        Assert.Equal(DefaultAction.Deny, policy.Default);
        Assert.True(policy.IsHidden("delete_account"));
        Assert.False(policy.IsHidden("close_session"));
        Assert.Equal(3, policy.Tools.Count);
        var limit = Assert.Single(policy.Tools["close_session"].Limits);
        Assert.Equal("/tools/close_session/limits/0", limit.Pointer);
        Assert.Equal(new CounterDefinition("close_session_rate", TimeSpan.FromMinutes(1), 30, CounterScope.Grant), limit.Counter);
        var group = Assert.Single(policy.Tools["create_refund"].DenyIf);
        Assert.Equal("/tools/create_refund/deny_if/0", group.Pointer);
        Assert.Equal("Refund exceeds the policy limit.", group.OnDeny);
        Assert.Equal(ToolAction.Deny, policy.Tools["drop_database"].Action);
        Assert.StartsWith("sha256:", policy.Revision, StringComparison.Ordinal);
    }

    [Fact]
    public void Load_InvalidLiteral_QuotesOnlyItsStartOnOneLine()
    {
        // The reader quotes everything after an invalid literal: here the rest of the file.
        var error = SingleError("{ \"version\": \"1\", \"default\": tru,\n  \"tools\": {\n    \"a\": {}\n  }\n}\n");

        Assert.Equal(PolicyErrorCodes.InvalidJson, error.Code);
        Assert.Equal("the policy is not valid JSON: 'tru,…' is an invalid JSON literal. Expected the literal 'true'", error.Message);
        Assert.DoesNotContain('\n', error.ToString());
    }

    [Fact]
    public void ErrorText_QuotingControlCharacters_StaysOnOneLine()
    {
        var result = Policy.Load("""{ "version": "1", "default": "deny", "tools": { "t": { "deny_if": [ { "conditions": [ { "path": "args.a", "op": "regex", "value": "(\n\u001b[31m" } ] } ] } } }""", "policy.json");

        var error = Assert.Single(result.Errors);
        Assert.Contains('\n', error.Message);
        var line = error.ToString();
        Assert.Contains("the regex '(\\n\\u001b[31m'", line, StringComparison.Ordinal);
        Assert.DoesNotContain('\n', line);
        Assert.DoesNotContain('\u001b', line);
    }

    [Fact]
    public void Load_CommentsTrailingCommasAndExtensionFields_Accepted()
    {
        var result = Policy.Load("""
            // a comment
            { "version": "1", "default": "allow", /* inline */ "x-owner": "payments",
              "tools": { "a": { "x-note": "why", }, }, }
            """);
        Assert.True(result.Succeeded, string.Join("\n", result.Errors));
    }

    [Fact]
    public void Load_SameText_SameRevision_DifferentText_DifferentRevision()
    {
        const string a = """{"version":"1","default":"allow"}""";
        const string b = """{"version":"1","default":"deny"}""";
        Assert.Equal(Policy.Parse(a).Revision, Policy.Parse(a).Revision);
        Assert.NotEqual(Policy.Parse(a).Revision, Policy.Parse(b).Revision);
    }

    [Theory]
    [InlineData("{\n  \"version\": \"1\",\n  \"default\": \"deny\",\n  \"tols\": {}\n}", PolicyErrorCodes.UnknownField, "/tols", 4, 3, "did you mean 'tools'")]
    [InlineData("{\n  \"version\": \"2\",\n  \"default\": \"deny\"\n}", PolicyErrorCodes.UnknownVersion, "/version", 2, 14, "\"1\"")]
    [InlineData("{\n  \"version\": 1,\n  \"default\": \"deny\"\n}", PolicyErrorCodes.UnknownVersion, "/version", 2, 14, "\"1\"")]
    [InlineData("{ \"version\": \"1\", \"default\": \"maybe\" }", PolicyErrorCodes.UnknownDefault, "/default", 1, 30, "\"allow\" or \"deny\"")]
    [InlineData("{ \"default\": \"deny\" }", PolicyErrorCodes.MissingField, "", 1, 1, "version")]
    [InlineData("{ \"version\": \"1\" }", PolicyErrorCodes.MissingField, "", 1, 1, "default")]
    [InlineData("{ \"version\": \"1\", \"default\": \"deny\", \"tools\": [] }", PolicyErrorCodes.WrongType, "/tools", 1, 47, "object keyed by tool name")]
    [InlineData("{ \"version\": \"1\", \"default\": \"deny\", \"mode\": \"audit\" }", PolicyErrorCodes.InvalidValue, "/mode", 1, 46, "\"enforce\", \"shadow\"")]
    [InlineData("{ \"version\": \"1\", \"default\": \"deny\", \"input_schema\": \"strict\" }", PolicyErrorCodes.InvalidValue, "/input_schema", 1, 54, "\"enforce\", \"ignore\"")]
    [InlineData("{ \"version\": \"1\", \"default\": \"deny\", \"hide\": \"x\" }", PolicyErrorCodes.WrongType, "/hide", 1, 46, "array of tool names")]
    [InlineData("{ \"version\": \"1\", \"default\": \"deny\", \"hide\": [1] }", PolicyErrorCodes.WrongType, "/hide/0", 1, 47, "tool names")]
    [InlineData("{ \"version\": \"1\", \"default\": \"deny\", \"tools\": { \"t\": { \"action\": \"block\" } } }", PolicyErrorCodes.InvalidValue, "/tools/t/action", 1, 66, "\"require_approval\"")]
    [InlineData("{ \"version\": \"1\", \"default\": \"deny\", \"tools\": { \"t\": 5 } }", PolicyErrorCodes.WrongType, "/tools/t", 1, 54, "use {} to allow")]
    [InlineData("{ \"version\": \"1\", \"default\": \"deny\", \"all_tools\": { \"action\": \"deny\" } }", PolicyErrorCodes.UnknownField, "/all_tools/action", 1, 53, "allowed here: require, deny_if, limits")]
    [InlineData("{ \"version\": \"1\", \"default\": \"deny\", \"tools\": { \"t\": { \"action\": \"deny\", \"reason\": \"\" } } }", PolicyErrorCodes.InvalidValue, "/tools/t/reason", 1, 84, "write the message the model should read")]
    public void Load_DocumentErrors_ReportCodePointerLineAndColumn(string json, string code, string pointer, int line, int column, string hint)
    {
        var error = SingleError(json);
        Assert.Equal(code, error.Code);
        Assert.Equal(pointer, error.Pointer);
        Assert.Equal((line, column), (error.Line, error.Column));
        Assert.Contains(hint, error.Message, StringComparison.Ordinal);
    }

    private static string Tool(string rules) => $$"""{ "version": "1", "default": "deny", "tools": { "t": {{rules}} } }""";

    [Theory]
    [InlineData("""{ "require": [ { "conditions": [ { "path": "args.a", "op": "like", "value": 1 } ] } ] }""", PolicyErrorCodes.UnknownOperator, "/tools/t/require/0/conditions/0/op")]
    [InlineData("""{ "require": [ { "conditions": [ { "path": "body.a", "op": "eq", "value": 1 } ] } ] }""", PolicyErrorCodes.InvalidPath, "/tools/t/require/0/conditions/0/path")]
    [InlineData("""{ "require": [ { "conditions": [ { "path": "args..a", "op": "eq", "value": 1 } ] } ] }""", PolicyErrorCodes.InvalidPath, "/tools/t/require/0/conditions/0/path")]
    [InlineData("""{ "require": [ { "conditions": [ { "path": "tool.name", "op": "eq", "value": 1 } ] } ] }""", PolicyErrorCodes.InvalidPath, "/tools/t/require/0/conditions/0/path")]
    [InlineData("""{ "require": [ { "conditions": [ { "path": "args.a", "op": "eq" } ] } ] }""", PolicyErrorCodes.InvalidConditionValue, "/tools/t/require/0/conditions/0")]
    [InlineData("""{ "deny_if": [ { "conditions": [ { "path": "args.a", "op": "in", "value": "x" } ] } ] }""", PolicyErrorCodes.InvalidConditionValue, "/tools/t/deny_if/0/conditions/0/value")]
    [InlineData("""{ "deny_if": [ { "conditions": [ { "path": "args.a", "op": "gt", "value": "100" } ] } ] }""", PolicyErrorCodes.InvalidConditionValue, "/tools/t/deny_if/0/conditions/0/value")]
    [InlineData("""{ "deny_if": [ { "conditions": [ { "path": "args.a", "op": "regex", "value": 5 } ] } ] }""", PolicyErrorCodes.InvalidConditionValue, "/tools/t/deny_if/0/conditions/0/value")]
    [InlineData("""{ "deny_if": [ { "conditions": [ { "path": "args.a", "op": "exists", "value": true } ] } ] }""", PolicyErrorCodes.InvalidConditionValue, "/tools/t/deny_if/0/conditions/0/value")]
    [InlineData("""{ "deny_if": [ { "conditions": [ { "path": "args.a", "op": "regex", "value": "([a-z" } ] } ] }""", PolicyErrorCodes.InvalidRegex, "/tools/t/deny_if/0/conditions/0/value")]
    [InlineData("""{ "deny_if": [ { "conditions": [ { "path": "args.a", "op": "regex", "value": "(a)\\1" } ] } ] }""", PolicyErrorCodes.InvalidRegex, "/tools/t/deny_if/0/conditions/0/value")]
    [InlineData("""{ "deny_if": [ { "conditions": [ { "path": "args.a", "op": "regex", "value": "a(?i)b" } ] } ] }""", PolicyErrorCodes.InvalidRegex, "/tools/t/deny_if/0/conditions/0/value")]
    [InlineData("""{ "deny_if": [ { "conditions": [ { "path": "args.a", "op": "regex", "value": "^a\\Z" } ] } ] }""", PolicyErrorCodes.InvalidRegex, "/tools/t/deny_if/0/conditions/0/value")]
    [InlineData("""{ "deny_if": [ { "conditions": [ { "path": "args.a", "op": "eq", "value": 1, "vaule": 2 } ] } ] }""", PolicyErrorCodes.UnknownField, "/tools/t/deny_if/0/conditions/0/vaule")]
    [InlineData("""{ "deny_if": [ { "on_deny": "x" } ] }""", PolicyErrorCodes.MissingField, "/tools/t/deny_if/0")]
    [InlineData("""{ "deny_if": { "conditions": [] } }""", PolicyErrorCodes.WrongType, "/tools/t/deny_if")]
    [InlineData("""{ "limits": [ { "counter": "c", "window": "minute", "max": 0 } ] }""", PolicyErrorCodes.NonPositiveMax, "/tools/t/limits/0/max")]
    [InlineData("""{ "limits": [ { "counter": "c", "window": "minute", "max": -3 } ] }""", PolicyErrorCodes.NonPositiveMax, "/tools/t/limits/0/max")]
    [InlineData("""{ "limits": [ { "counter": "c", "window": "week", "max": 1 } ] }""", PolicyErrorCodes.InvalidWindow, "/tools/t/limits/0/window")]
    [InlineData("""{ "limits": [ { "counter": "c", "window": 0, "max": 1 } ] }""", PolicyErrorCodes.InvalidWindow, "/tools/t/limits/0/window")]
    [InlineData("""{ "limits": [ { "counter": "c", "window": 1.5, "max": 1 } ] }""", PolicyErrorCodes.InvalidWindow, "/tools/t/limits/0/window")]
    [InlineData("""{ "limits": [ { "counter": "c", "window": "minute", "max": 1, "scope": "user" } ] }""", PolicyErrorCodes.InvalidValue, "/tools/t/limits/0/scope")]
    [InlineData("""{ "limits": [ { "counter": "c", "window": "minute", "max": 1, "cost": -1 } ] }""", PolicyErrorCodes.InvalidCost, "/tools/t/limits/0/cost")]
    [InlineData("""{ "limits": [ { "counter": "c", "window": "minute", "max": 1, "cost": "grant" } ] }""", PolicyErrorCodes.InvalidCost, "/tools/t/limits/0/cost")]
    [InlineData("""{ "limits": [ { "counter": "c", "window": "minute", "max": 1, "key": "customer" } ] }""", PolicyErrorCodes.InvalidPath, "/tools/t/limits/0/key")]
    [InlineData("""{ "limits": [ { "window": "minute", "max": 1 } ] }""", PolicyErrorCodes.MissingField, "/tools/t/limits/0")]
    [InlineData("""{ "limits": [ { "counter": "c", "window": "minute", "max": "30" } ] }""", PolicyErrorCodes.WrongType, "/tools/t/limits/0/max")]
    [InlineData("""{ "reason": 5 }""", PolicyErrorCodes.WrongType, "/tools/t/reason")]
    [InlineData("""{ "action": "deny", "reason": "" }""", PolicyErrorCodes.InvalidValue, "/tools/t/reason")]
    [InlineData("""{ "action": "require_approval", "reason": " \n " }""", PolicyErrorCodes.InvalidValue, "/tools/t/reason")]
    [InlineData("""{ "deny_if": [ { "conditions": [ { "path": "args.a", "op": "exists" } ], "on_deny": "" } ] }""", PolicyErrorCodes.InvalidValue, "/tools/t/deny_if/0/on_deny")]
    [InlineData("""{ "require": [ { "conditions": [ { "path": "args.a", "op": "exists" } ], "on_deny": "\t" } ] }""", PolicyErrorCodes.InvalidValue, "/tools/t/require/0/on_deny")]
    [InlineData("""{ "limits": [ { "counter": "c", "window": "minute", "max": 1, "on_deny": "  " } ] }""", PolicyErrorCodes.InvalidValue, "/tools/t/limits/0/on_deny")]
    [InlineData("""{ "schema": "object" }""", PolicyErrorCodes.InvalidSchema, "/tools/t/schema")]
    [InlineData("""{ "schema": { "type": "object", "$defs": 1 } }""", PolicyErrorCodes.InvalidSchema, "/tools/t/schema/$defs")]
    [InlineData("""{ "schema": { "properties": { "a": { "description": 5 } } } }""", PolicyErrorCodes.InvalidSchema, "/tools/t/schema/properties/a/description")]
    public void Load_RuleErrors_ReportCodeAndPointer(string rules, string code, string pointer)
    {
        var error = SingleError(Tool(rules));
        Assert.Equal(code, error.Code);
        Assert.Equal(pointer, error.Pointer);
        Assert.Equal(1, error.Line);
        Assert.True(error.Column > 40, $"column {error.Column} should point inside the tool's rules");
        Assert.False(string.IsNullOrWhiteSpace(error.Message));
    }

    [Theory]
    [InlineData("60")]
    [InlineData("60.0")]
    [InlineData("6e1")]
    [InlineData("600e-1")]
    public void Load_WindowAsAnySpellingOfAWholeNumber_IsThatManySeconds(string window)
    {
        var policy = Policy.Parse(Tool($$"""{ "limits": [ { "counter": "c", "window": {{window}}, "max": 1 } ] }"""));

        Assert.Equal(TimeSpan.FromMinutes(1), policy.Tools["t"].Limits[0].Counter.Window);
    }

    [Theory]
    [InlineData("max", "1e-30")]
    [InlineData("max", "10.000000000000000000000000000001")]
    [InlineData("cost", "1e-30")]
    public void Load_NumberMorePreciseThanDecimal_SaysItCannotBeCounted(string field, string number)
    {
        var limit = field == "max" ? $$"""{ "counter": "c", "window": "minute", "max": {{number}} }""" : $$"""{ "counter": "c", "window": "minute", "max": 5, "cost": {{number}} }""";

        var error = SingleError(Tool($$"""{ "limits": [ {{limit}} ] }"""));

        Assert.StartsWith($"'{field}' {number} cannot be counted exactly", error.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("max", "/tools/t/limits/0/max", PolicyErrorCodes.NonPositiveMax)]
    [InlineData("cost", "/tools/t/limits/0/cost", PolicyErrorCodes.InvalidCost)]
    public void Load_NumberBeyondDecimal_SaysItCannotBeCountedRatherThanThatItIsNotPositive(string field, string pointer, string code)
    {
        var limit = field == "max" ? """{ "counter": "c", "window": "minute", "max": 1e30 }""" : """{ "counter": "c", "window": "minute", "max": 5, "cost": 1e30 }""";

        var error = SingleError(Tool($$"""{ "limits": [ {{limit}} ] }"""));

        Assert.Equal(code, error.Code);
        Assert.Equal(pointer, error.Pointer);
        Assert.StartsWith($"'{field}' 1e30 cannot be counted exactly; use a positive number of at most 28 significant digits, up to 79228162514264337593543950335", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Load_ConflictingCounterDefinitions_ErrorNamesBothPlaces()
    {
        var error = SingleError("""
            { "version": "1", "default": "deny", "tools": {
                "a": { "limits": [ { "counter": "shared", "window": "minute", "max": 30 } ] },
                "b": { "limits": [ { "counter": "shared", "window": "hour", "max": 30 } ] } } }
            """);
        Assert.Equal(PolicyErrorCodes.ConflictingCounter, error.Code);
        Assert.Equal("/tools/b/limits/0", error.Pointer);
        Assert.Equal(3, error.Line);
        Assert.Contains("/tools/a/limits/0", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Load_SharedCounterWithSameDefinition_IsOneDefinition()
    {
        var policy = Policy.Parse("""
            { "version": "1", "default": "deny",
              "all_tools": { "limits": [ { "counter": "shared", "window": 60, "max": 30, "cost": 2 } ] },
              "tools": { "a": { "limits": [ { "counter": "shared", "window": "minute", "max": 30 } ] } } }
            """);
        Assert.Same(policy.AllTools.Limits[0].Counter, policy.Tools["a"].Limits[0].Counter);
        Assert.Single(policy.Counters);
    }

    [Fact]
    public void Load_DuplicateKey_ReportsTheSecondOccurrence()
    {
        var error = SingleError("{\n  \"version\": \"1\",\n  \"default\": \"deny\",\n  \"default\": \"allow\"\n}");
        Assert.Equal(PolicyErrorCodes.DuplicateKey, error.Code);
        Assert.Equal((4, 3), (error.Line, error.Column));
        Assert.Equal("/default", error.Pointer);
    }

    [Fact]
    public void Load_InvalidJson_ReportsLineAndColumn()
    {
        var error = SingleError("{\n  \"version\": \"1\",\n  \"default\" \"deny\"\n}");
        Assert.Equal(PolicyErrorCodes.InvalidJson, error.Code);
        Assert.Equal(3, error.Line);
        Assert.True(error.Column > 1);
    }

    [Fact]
    public void Load_InvalidJsonAfterNonAsciiText_CountsTheColumnInCharacters()
    {
        // "é" and "ü" take two bytes each: "default" starts at the 34th character, the 36th byte.
        var error = SingleError("{\n  \"version\": \"1\", \"x-note\": \"éü\" \"default\": \"deny\"\n}");

        Assert.Equal(PolicyErrorCodes.InvalidJson, error.Code);
        Assert.Equal(2, error.Line);
        Assert.Equal(34, error.Column);
    }

    [Theory]
    [InlineData("""{ "version": "1", "default": "deny", "hide": ["\ud800"] }""", "/hide/0", 47)]
    [InlineData("""{ "version": "1", "default": "deny", "tools": { "a": { "action": "deny", "reason": "x\udc00" } } }""", "/tools/a/reason", 84)]
    [InlineData("""{ "version": "1", "default": "deny", "tools": { "\ud800": {} } }""", @"/tools/\ud800", 49)]
    [InlineData("""{ "version": "1", "default": "deny", "tools": { "a": { "schema": { "properties": { "\udfff": {} } } } } }""", @"/tools/a/schema/properties/\udfff", 84)]
    public void Load_EscapedLoneSurrogate_IsAnErrorAtItsPositionNotAnException(string json, string pointer, int column)
    {
        // Valid JSON syntax, but no .NET string can be read from it: every later read of the value would throw.
        var error = SingleError(json);

        Assert.Equal(PolicyErrorCodes.InvalidJson, error.Code);
        Assert.Equal(pointer, error.Pointer);
        Assert.Equal((1, column), (error.Line, error.Column));
        Assert.Contains("lone surrogate", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Load_OneLinePolicy_EveryErrorAtItsCharacterColumn()
    {
        // Minified: every position is on line 1, counted on from the previous one; "é" is two bytes, one character.
        const string json = """{"version":"1","default":"deny","x-é":"éé","tools":{"a":{"action":"stop"},"b":{"x-é":1,"limits":[{"counter":"c","window":"week","max":1}]}}}""";
        var result = Policy.Load(json);

        Assert.Collection(
            result.Errors,
            e => Assert.Equal((1, json.IndexOf("\"stop\"", StringComparison.Ordinal) + 1, "/tools/a/action"), (e.Line, e.Column, e.Pointer)),
            e => Assert.Equal((1, json.IndexOf("\"week\"", StringComparison.Ordinal) + 1, "/tools/b/limits/0/window"), (e.Line, e.Column, e.Pointer)));
    }

    [Fact]
    public void Load_SurrogatePairEscape_IsText()
    {
        var policy = Policy.Parse("""{ "version": "1", "default": "deny", "hide": ["\ud83d\ude00"] }""");

        Assert.True(policy.IsHidden("\U0001F600"));
    }

    [Fact]
    public void Load_ManyErrors_AllReportedInDocumentOrder()
    {
        var result = Policy.Load("""
            { "version": "1", "default": "deny", "tools": {
                "a": { "limits": [ { "counter": "c", "window": "week", "max": 0 } ] },
                "b": { "deny_if": [ { "conditions": [ { "path": "x", "op": "nope" } ] } ] } } }
            """);
        Assert.False(result.Succeeded);
        Assert.Equal(
            [PolicyErrorCodes.InvalidWindow, PolicyErrorCodes.NonPositiveMax, PolicyErrorCodes.InvalidPath, PolicyErrorCodes.UnknownOperator],
            result.Errors.Select(e => e.Code));
        Assert.True(result.Errors.Zip(result.Errors.Skip(1)).All(p => (p.First.Line, p.First.Column).CompareTo((p.Second.Line, p.Second.Column)) <= 0));
    }

    [Fact]
    public void PolicyError_ToString_UsesCompilerFormat()
    {
        var error = SingleError("{\n  \"version\": \"1\",\n  \"default\": \"deny\",\n  \"tols\": {}\n}");
        Assert.Equal("policy.json:4:3: error PL003: " + error.Message + " (at /tols)", error.ToString());
    }

    [Fact]
    public void Parse_InvalidPolicy_ThrowsWithEveryError()
    {
        var ex = Assert.Throws<PolicyLoadException>(() => Policy.Parse("""{ "version": "9", "default": "no" }"""));
        Assert.Equal(2, ex.Errors.Count);
        Assert.Contains("PL006", ex.Message, StringComparison.Ordinal);
        Assert.Contains("PL007", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Load_MultibyteCharacters_ColumnsCountCharacters()
    {
        var error = SingleError("{ \"description\": \"héllo wörld\", \"version\": \"1\", \"default\": \"deny\", \"bad\": 1 }");
        Assert.Equal(PolicyErrorCodes.UnknownField, error.Code);
        Assert.Equal(68, error.Column); // "héllo wörld" is 13 characters but 15 bytes
    }

    [Fact]
    public void Load_HideStar_HidesEverything()
    {
        var policy = Policy.Parse("""{ "version": "1", "default": "allow", "hide": ["*"] }""");
        Assert.True(policy.IsHidden("anything"));
    }
}
