using System.Text;
using System.Text.Json;
using Microsoft.Extensions.Logging;
using PolicyLayer.Auditing;
using PolicyLayer.Authorization;
using PolicyLayer.Counters;
using PolicyLayer.Policies;

namespace PolicyLayer.Tests.Production;

public class DecisionRecordTests
{
    private static readonly byte[] Salt = Encoding.UTF8.GetBytes("0123456789abcdef-test-salt");

    [Fact]
    public void Authorize_WithSink_RecordsEveryFieldButNoArgumentValue()
    {
        var fixture = new ProductionFixture(ProductionFixture.Policy("""{ "refund": { "deny_if": [ { "conditions": [ { "path": "args.amount", "op": "gt", "value": 100 } ], "on_deny": "Too much." } ] } }"""));

        var decision = fixture.Call("refund", """{"memo": "secret-memo", "amount": 150, "customer": "cus_1"}""", "grant-7", "session-9");

        var record = Assert.Single(fixture.Sink.Records);
        Assert.Equal(fixture.Time.GetUtcNow(), record.Timestamp);
        Assert.Equal("refund", record.Tool);
        Assert.Equal("grant-7", record.Grant);
        Assert.Equal("session-9", record.Session);
        Assert.Equal(DecisionOutcome.Deny, record.Outcome);
        Assert.Equal("/tools/refund/deny_if/0", record.Rule);
        Assert.Equal("Too much.", record.Message);
        Assert.Equal(decision.PolicyRevision, record.PolicyRevision);
        Assert.NotEmpty(record.PolicyRevision);
        Assert.True(record.Enforced);
        Assert.Equal(["amount", "customer", "memo"], record.ArgumentKeys);
        Assert.Equal(3, record.ArgumentCount);
        Assert.Null(record.ArgumentsHash);
        Assert.Null(record.Shadow);
        Assert.True(record.Duration >= TimeSpan.Zero);

        var line = Line(record);
        Assert.DoesNotContain("secret-memo", line, StringComparison.Ordinal);
        Assert.DoesNotContain("cus_1", line, StringComparison.Ordinal);
        using var json = JsonDocument.Parse(line);
        Assert.Equal("deny", json.RootElement.GetProperty("outcome").GetString());
        Assert.Equal("2026-01-01T12:00:00+00:00", json.RootElement.GetProperty("time").GetString());
    }

    [Fact]
    public void Authorize_EveryOutcome_ProducesOneRecordPerDecision()
    {
        var fixture = new ProductionFixture(ProductionFixture.Policy("""{ "a": {}, "b": { "action": "deny" }, "c": { "action": "require_approval" } }"""));

        fixture.Call("a");
        fixture.Call("b");
        fixture.Call("c");
        fixture.Call("unknown");

        Assert.Equal(
            [DecisionOutcome.Allow, DecisionOutcome.Deny, DecisionOutcome.RequireApproval, DecisionOutcome.Deny],
            fixture.Sink.Records.Select(r => r.Outcome));
        Assert.Equal("(default deny)", fixture.Sink.Records[3].Rule);
    }

    [Fact]
    public void ArgumentsHash_SameValueSpelledDifferently_SameHash()
    {
        var fixture = new ProductionFixture(ProductionFixture.Policy("""{ "t": {} }"""), records: new DecisionRecordOptions { HashArguments = true, ArgumentHashSalt = Salt });

        fixture.Call("t", """{"b": [1, 2.50, {"y": true, "x": null}], "a": "é\n"}""");
        fixture.Call("t", """{ "a" : "\u00e9\n", "b": [1.0, 25e-1, {"x": null, "y": true}] }""");
        fixture.Call("t", """{"a": "é\n", "b": [1, 2.51, {"x": null, "y": true}]}""");

        var hashes = fixture.Sink.Records.Select(r => r.ArgumentsHash).ToArray();
        Assert.Matches("^[0-9a-f]{64}$", hashes[0]);
        Assert.Equal(hashes[0], hashes[1]);
        Assert.NotEqual(hashes[0], hashes[2]);
    }

    [Fact]
    public void ArgumentsHash_DifferentSalt_DifferentHash()
    {
        var one = new ProductionFixture(ProductionFixture.Policy("""{ "t": {} }"""), records: new DecisionRecordOptions { HashArguments = true, ArgumentHashSalt = Salt });
        var two = new ProductionFixture(ProductionFixture.Policy("""{ "t": {} }"""), records: new DecisionRecordOptions { HashArguments = true, ArgumentHashSalt = Encoding.UTF8.GetBytes("another-salt-of-16-bytes") });

        one.Call("t", """{"a": 1}""");
        two.Call("t", """{"a": 1}""");

        Assert.NotEqual(one.Sink.Last.ArgumentsHash, two.Sink.Last.ArgumentsHash);
    }

    [Fact]
    public void DecisionRecordOptions_HashWithoutSalt_Rejected()
    {
        var problems = new DecisionRecordOptions { HashArguments = true }.Validate();

        Assert.Contains(problems, p => p.Contains("ArgumentHashSalt", StringComparison.Ordinal));
    }

    [Theory]
    [InlineData("1", "1")]
    [InlineData("1.0", "1")]
    [InlineData("10e-1", "1")]
    [InlineData("-0.0", "0")]
    [InlineData("150", "150")]
    [InlineData("1.5E2", "150")]
    [InlineData("0.15", "1.5e-1")]
    [InlineData("-12.500", "-1.25e1")]
    [InlineData("1e30", "1e30")]
    [InlineData("123456789012345678901", "123456789012345678901")]
    [InlineData("1e10000000000000000000", "1e10000000000000000000")]
    [InlineData("10e9999999999999999999", "1e10000000000000000000")]
    [InlineData("123.4e9999999999999999999", "1.234e10000000000000000001")]
    [InlineData("0.001e10000000000000000000", "1e9999999999999999997")]
    [InlineData("0.05e-10000000000000000000", "5e-10000000000000000002")]
    [InlineData("1e-00000000000000000000000001", "1e-1")]
    public void NormalNumber_EqualValues_OneText(string raw, string expected)
    {
        Assert.Equal(expected, CanonicalArguments.NormalNumber(Encoding.UTF8.GetBytes(raw)));
    }

    [Fact]
    public void CanonicalArguments_DictionaryAndElement_SameText()
    {
        var element = JsonDocument.Parse("""{"z": 1, "a": {"c": 2.0, "b": "x"}}""").RootElement;
        var dictionary = new Dictionary<string, JsonElement> { ["z"] = element.GetProperty("z"), ["a"] = element.GetProperty("a") };

        Assert.Equal("""{"a":{"b":"x","c":2},"z":1}""", CanonicalArguments.Text(new JsonProperties(element)));
        Assert.Equal(CanonicalArguments.Text(new JsonProperties(element)), CanonicalArguments.Text(new JsonProperties(dictionary)));
    }

    [Fact]
    public void CanonicalArguments_DuplicateNames_KeepTheLastValueWhateverTheirOrder()
    {
        // More than 16 members, so that an unstable sort would be free to reorder the duplicates.
        var small = JsonDocument.Parse("""{"amount":1,"amount":1,"amount":1,"b":0,"amount":1000000,"b":0,"b":0,"amount":1,"amount":1,"amount":1,"b":0,"b":0,"amount":1,"amount":1,"b":0,"b":0,"b":0}""").RootElement;
        var large = JsonDocument.Parse("""{"b":0,"b":0,"amount":1,"amount":1,"b":0,"amount":1,"amount":1,"amount":1,"b":0,"b":0,"amount":1,"b":0,"amount":1,"amount":1,"b":0,"amount":1000000,"b":0}""").RootElement;

        Assert.Equal("""{"amount":1,"b":0}""", CanonicalArguments.Text(new JsonProperties(small)));
        Assert.Equal("""{"amount":1000000,"b":0}""", CanonicalArguments.Text(new JsonProperties(large)));
        Assert.Equal("""{"x":{"a":2}}""", CanonicalArguments.Text(new JsonProperties(JsonDocument.Parse("""{"x":{"a":1,"a":2}}""").RootElement)));
    }

    [Fact]
    public void CanonicalArguments_ValuesDifferingBeyondTheDepthBound_DistinctTextsAndNotCanonical()
    {
        var ls = Deep(70, "\"ls\"");
        var rm = Deep(70, "\"rm -rf /\"");
        var shallow = new JsonProperties(JsonDocument.Parse("""{"cmd":[["ls"]]}""").RootElement);

        Assert.NotEqual(CanonicalArguments.Text(ls), CanonicalArguments.Text(rm));
        Assert.Equal(CanonicalArguments.Text(ls), CanonicalArguments.Text(Deep(70, "\"ls\"")));
        Assert.False(CanonicalArguments.TryText(ls, out var none));
        Assert.Null(none);
        Assert.True(CanonicalArguments.TryText(shallow, out var text));
        Assert.Equal("""{"cmd":[["ls"]]}""", text);
        Assert.True(CanonicalArguments.TryText(Deep(60, "1.0"), out var atBound));
        Assert.Contains("[1]", atBound, StringComparison.Ordinal);
    }

    [Fact]
    public void ArgumentsHash_ValuesDifferingBeyondTheDepthBound_DifferentHashes()
    {
        var fixture = new ProductionFixture(ProductionFixture.Policy("""{ "t": {} }"""), records: new DecisionRecordOptions { HashArguments = true, ArgumentHashSalt = Salt });

        ProductionFixture.Sync(fixture.Authorizer, new ToolCall("t", DeepElement(70, "\"ls\"")));
        ProductionFixture.Sync(fixture.Authorizer, new ToolCall("t", DeepElement(70, "\"rm -rf /\"")));
        ProductionFixture.Sync(fixture.Authorizer, new ToolCall("t", DeepElement(70, "\"ls\"")));

        var hashes = fixture.Sink.Records.Select(r => r.ArgumentsHash).ToArray();
        Assert.All(hashes, h => Assert.Matches("^[0-9a-f]{64}$", h));
        Assert.NotEqual(hashes[0], hashes[1]);
        Assert.Equal(hashes[0], hashes[2]);
    }

    [Fact]
    public void ArgumentKeys_ManyLongKeys_Bounded()
    {
        var fixture = new ProductionFixture(ProductionFixture.Policy("""{ "t": {} }"""), records: new DecisionRecordOptions { MaxArgumentKeys = 3, MaxArgumentKeyLength = 4 });
        var args = "{" + string.Join(",", Enumerable.Range(0, 10).Select(i => $"\"key_{9 - i}_long\": {i}")) + "}";

        fixture.Call("t", args);

        Assert.Equal(["key_", "key_", "key_"], fixture.Sink.Last.ArgumentKeys);
        Assert.Equal(10, fixture.Sink.Last.ArgumentCount);
    }

    [Theory]
    [InlineData("Dictionary")]
    [InlineData("ReadOnlyDictionary")]
    public void ArgumentKeys_DictionaryArguments_SharedListOnlyWhileTheNamesAreTheSame(string form)
    {
        // How hosts hand arguments over: the SDK's Dictionary is read directly, any other dictionary through the view.
        var fixture = new ProductionFixture(ProductionFixture.Policy("""{ "t": {} }"""));
        void Call(string json)
        {
            var pairs = JsonDocument.Parse(json).RootElement.EnumerateObject().ToDictionary(p => p.Name, p => p.Value.Clone());
            var arguments = form == "Dictionary" ? new JsonProperties(pairs) : new JsonProperties((IReadOnlyDictionary<string, JsonElement>)new System.Collections.ObjectModel.ReadOnlyDictionary<string, JsonElement>(pairs));
            Assert.True(ProductionFixture.Sync(fixture.Authorizer, new ToolCall("t", arguments)).IsAllowed);
        }

        Call("""{"b": 1, "a": 2}""");
        Call("""{"b": 3, "a": 4}""");
        Call("""{"b": 5, "c": 6}""");
        Call("""{"b": 7}""");
        Call("""{"b": 7, "a": 8, "c": 9}""");

        var records = fixture.Sink.Records;
        Assert.Equal(["a", "b"], records[0].ArgumentKeys);
        Assert.Same(records[0].ArgumentKeys, records[1].ArgumentKeys);
        Assert.Equal(["b", "c"], records[2].ArgumentKeys);
        Assert.Equal(["b"], records[3].ArgumentKeys);
        Assert.Equal(["a", "b", "c"], records[4].ArgumentKeys);
    }

    [Fact]
    public void ArgumentKeys_SameToolSameKeys_OneSharedListAndStillCorrectWhenKeysChange()
    {
        var fixture = new ProductionFixture(ProductionFixture.Policy("""{ "t": {} }"""));

        fixture.Call("t", """{"b": 1, "a": 2}""");
        fixture.Call("t", """{"b": 3, "a": 4}""");
        fixture.Call("t", """{"a": 5, "b": 6}""");
        fixture.Call("t", """{"b": 7, "a": 8, "c": 9}""");
        fixture.Call("t", """{"b": 7, "x": 8}""");

        var records = fixture.Sink.Records;
        Assert.Equal(["a", "b"], records[0].ArgumentKeys);
        Assert.Same(records[0].ArgumentKeys, records[1].ArgumentKeys);
        Assert.Equal(["a", "b"], records[2].ArgumentKeys);
        Assert.Equal(["a", "b", "c"], records[3].ArgumentKeys);
        Assert.Equal(["b", "x"], records[4].ArgumentKeys);
        Assert.Equal(2, records[4].ArgumentCount);
    }

    [Fact]
    public void ArgumentKeys_MoreToolsThanRemembered_StillCorrect()
    {
        var fixture = new ProductionFixture(ProductionFixture.Policy("{}"));

        for (var i = 0; i < ArgumentKeyShapes.MaxTools + 10; i++)
        {
            fixture.Call($"tool-{i}", $$"""{"k{{i}}": 1}""");
        }

        fixture.Call("tool-0", """{"other": 1}""");
        fixture.Call($"tool-{ArgumentKeyShapes.MaxTools + 5}", """{"again": 1}""");

        var records = fixture.Sink.Records;
        Assert.Equal([$"k{ArgumentKeyShapes.MaxTools + 9}"], records[ArgumentKeyShapes.MaxTools + 9].ArgumentKeys);
        Assert.Equal(["other"], records[^2].ArgumentKeys);
        Assert.Equal(["again"], records[^1].ArgumentKeys);
    }

    [Fact]
    public void Timestamp_ClockAdvancesBetweenDecisions_EachRecordHasItsDecisionTime()
    {
        var fixture = new ProductionFixture(ProductionFixture.Policy("""{ "t": {} }"""));

        fixture.Call("t");
        fixture.Time.Advance(TimeSpan.FromMilliseconds(250));
        fixture.Call("t");
        fixture.Time.Advance(TimeSpan.FromHours(3));
        fixture.Call("t");

        var records = fixture.Sink.Records;
        var start = new DateTimeOffset(2026, 1, 1, 12, 0, 0, TimeSpan.Zero);
        Assert.Equal(start, records[0].Timestamp);
        Assert.Equal(start.AddMilliseconds(250), records[1].Timestamp);
        Assert.Equal(start.AddMilliseconds(250).AddHours(3), records[2].Timestamp);
    }

    [Fact]
    public void Authorize_SinkThrows_DecisionStandsAndErrorLogged()
    {
        var fixture = new ProductionFixture(ProductionFixture.Policy("""{ "t": {} }"""), extraSink: new ThrowingSink());

        var decision = fixture.Call("t");

        Assert.True(decision.IsAllowed);
        Assert.Single(fixture.Sink.Records);
        Assert.Contains(fixture.Logger.Messages, m => m.Contains("ThrowingSink", StringComparison.Ordinal));
    }

    [Fact]
    public async Task Authorize_SinkFailsLater_DecisionStandsLaterSinksStillGetTheRecordAndErrorLogged()
    {
        // A sink that cannot take the record at once (a full queue in Wait mode, say) and then fails: the sinks after
        // it are written once it has ended, whatever its end.
        var late = new LateSink();
        var after = new CollectingSink();
        var logger = new TestLogger<PolicyAuthorizer>();
        var authorizer = new PolicyAuthorizer(
            Policy.Parse(ProductionFixture.Policy("""{ "t": {} }""")),
            new InMemoryCounterStore(),
            new PolicyAuthorizerOptions { DecisionSinks = [late, after] },
            logger);

        var pending = authorizer.AuthorizeAsync(new ToolCall("t")).AsTask();
        Assert.Empty(after.Records);
        late.Fail(new IOException("disk full"));
        var decision = await pending;

        Assert.True(decision.IsAllowed);
        Assert.Equal("t", Assert.Single(after.Records).Tool);
        Assert.Contains(logger.Messages, m => m.Contains("LateSink", StringComparison.Ordinal));
    }

    [Fact]
    public void Authorize_SchemaRefusal_TellsTheModelTheValueButRecordsOnlyWhereAndWhichKeyword()
    {
        var fixture = new ProductionFixture(ProductionFixture.Policy("""{ "signup": { "schema": { "type": "object", "properties": { "memo": { "type": "string", "maxLength": 5 }, "age": { "type": "integer", "maximum": 150 } } } } }"""));

        var decision = fixture.Call("signup", """{"memo": "secret-memo", "age": 987654}""");

        Assert.Contains("secret-memo", decision.Message, StringComparison.Ordinal);
        Assert.Contains("987654", decision.Message, StringComparison.Ordinal);
        var record = Assert.Single(fixture.Sink.Records);
        Assert.Equal("The arguments do not match the policy's schema for this tool at: /memo (maxLength); /age (maximum).", record.Message);
        Assert.DoesNotContain("secret-memo", Line(record), StringComparison.Ordinal);
        Assert.DoesNotContain("987654", Line(record), StringComparison.Ordinal);
    }

    [Fact]
    public void Authorize_SchemaRefusalInNestedKeys_RecordsOnlyTheTopLevelArgument()
    {
        var fixture = new ProductionFixture(
            ProductionFixture.Policy("""{ "send": { "schema": { "type": "object", "properties": { "headers": { "type": "object", "additionalProperties": { "type": "string", "maxLength": 3 } }, "to": { "type": "array", "items": { "type": "object", "additionalProperties": { "type": "integer" } } } } } } }"""),
            records: new DecisionRecordOptions { MaxArgumentKeyLength = 7 });
        fixture.Authorizer.SetShadowPolicy(PolicyLayer.Policies.Policy.Parse(ProductionFixture.Policy("""{ "send": { "schema": { "properties": { "headers": { "additionalProperties": { "maxLength": 3 } } } } } }""")));

        var decision = fixture.Call("send", """{"headers": {"X-SSN-123-45-6789": "SECRETVALUE", "X-Token-abc": "SECRET2"}, "to": [{"alice@example.com": "x"}]}""");

        Assert.Contains("X-SSN-123-45-6789", decision.Message, StringComparison.Ordinal);
        var record = Assert.Single(fixture.Sink.Records);
        Assert.Equal("The arguments do not match the policy's schema for this tool at: /headers/* (maxLength); /to/*/* (type).", record.Message);
        Assert.Equal("The arguments do not match the policy's schema for this tool at: /headers/* (maxLength).", record.Shadow!.Message);
        var line = Line(record);
        Assert.DoesNotContain("SSN", line, StringComparison.Ordinal);
        Assert.DoesNotContain("Token", line, StringComparison.Ordinal);
        Assert.DoesNotContain("alice", line, StringComparison.Ordinal);
    }

    [Fact]
    public void Authorize_SchemaRefusalInALongTopLevelName_RecordsItCutLikeTheArgumentNames()
    {
        var fixture = new ProductionFixture(
            ProductionFixture.Policy("""{ "send": { "schema": { "type": "object", "additionalProperties": { "type": "integer" } } } }"""),
            records: new DecisionRecordOptions { MaxArgumentKeyLength = 4 });

        fixture.Call("send", """{"abcdefgh": "x"}""");

        Assert.Equal("The arguments do not match the policy's schema for this tool at: /abcd (type).", fixture.Sink.Last.Message);
        Assert.Equal(["abcd"], fixture.Sink.Last.ArgumentKeys);
    }

    [Fact]
    public void Authorize_DeclaredSchemaRefusal_RecordsNoValue()
    {
        var fixture = new ProductionFixture(ProductionFixture.Policy("""{ "signup": {} }"""));
        fixture.Authorizer.RegisterInputSchema("signup", JsonDocument.Parse("""{ "type": "object", "required": ["name"], "properties": { "pin": { "enum": [1, 2] } } }""").RootElement);

        var decision = fixture.Call("signup", """{"pin": 4242}""");

        Assert.Equal(RuleIds.InputSchema, decision.Rule);
        Assert.Contains("4242", decision.Message, StringComparison.Ordinal);
        var record = Assert.Single(fixture.Sink.Records);
        Assert.Equal("The arguments do not match the tool's input schema at: / (required); /pin (enum).", record.Message);
    }

    [Fact]
    public void Authorize_ShadowCandidateRefusesOnSchema_ItsRecordedMessageHasNoValue()
    {
        var fixture = new ProductionFixture(ProductionFixture.Policy("""{ "signup": {} }"""));
        fixture.Authorizer.SetShadowPolicy(PolicyLayer.Policies.Policy.Parse(ProductionFixture.Policy("""{ "signup": { "schema": { "properties": { "memo": { "maxLength": 5 } } } } }""")));

        fixture.Call("signup", """{"memo": "secret-memo"}""");

        var shadow = Assert.Single(fixture.Sink.Records).Shadow!;
        Assert.Equal(DecisionOutcome.Deny, shadow.Outcome);
        Assert.Equal("The arguments do not match the policy's schema for this tool at: /memo (maxLength).", shadow.Message);
    }

    [Fact]
    public void Authorize_CostFromArgumentsAboveMax_RefusalDoesNotRepeatTheCost()
    {
        var fixture = new ProductionFixture(ProductionFixture.Policy("""{ "pay": { "limits": [ { "counter": "spend", "window": "day", "max": 100, "cost": "args.amount" } ] } }"""));

        var decision = fixture.Call("pay", """{"amount": 123457}""");

        Assert.Equal(DecisionOutcome.Deny, decision.Outcome);
        Assert.Null(decision.RetryAfter);
        Assert.Equal("This call's cost (args.amount) is more than the limit 'spend' (100 per day per grant) allows in any window; it can never succeed.", decision.Message);
        Assert.DoesNotContain("123457", Line(fixture.Sink.Last), StringComparison.Ordinal);
    }

    [Fact]
    public void ArgumentsHash_LoneSurrogateInValue_RecordedWithADeterministicHashOfItsOwn()
    {
        var fixture = new ProductionFixture(ProductionFixture.Policy("""{ "t": { "limits": [ { "counter": "c", "window": "minute", "max": 10 } ] } }"""), records: new DecisionRecordOptions { HashArguments = true, ArgumentHashSalt = Salt });

        var first = fixture.Call("t", """{"n": "\ud800"}""");
        var second = fixture.Call("t", """{ "n" : "\uD800" }""");
        fixture.Call("t", """{"n": "\udc00"}""");
        fixture.Call("t", """{"n": "\ufffd"}""");
        fixture.Call("t", """{"n": "a\ud800\ud83d\ude00\\u0041\""}""");

        Assert.True(first.IsAllowed, first.Message);
        Assert.True(second.IsAllowed, second.Message);
        var hashes = fixture.Sink.Records.Select(r => r.ArgumentsHash).ToArray();
        Assert.Equal(5, hashes.Length);
        Assert.All(hashes, h => Assert.Matches("^[0-9a-f]{64}$", h));
        Assert.Equal(hashes[0], hashes[1]);
        Assert.Equal(4, hashes.Distinct().Count());
    }

    [Fact]
    public void CanonicalArguments_LoneSurrogates_KeptDistinctAndEscaped()
    {
        var element = JsonDocument.Parse("""{"b\udc00": "x\ud800y", "a": "\ud83d\ude00", "\ud800": {"\"": "\u00e9"}}""").RootElement;
        var values = element.EnumerateObject().Select(p => p.Value).ToArray();
        var dictionary = new Dictionary<string, JsonElement> { ["b\udc00"] = values[0], ["a"] = values[1], ["\ud800"] = values[2] };

        var text = CanonicalArguments.Text(new JsonProperties(element));

        Assert.Equal("""{"a":"\uD83D\uDE00","b\uDC00":"x\uD800y","\uD800":{"\u0022":"\u00E9"}}""", text);
        Assert.Equal(text, CanonicalArguments.Text(new JsonProperties(dictionary)));
        Assert.NotEqual(text, CanonicalArguments.Text(new JsonProperties(JsonDocument.Parse("""{"a":"\ud83d\ude00","b\ufffd":"x\ufffdy","\ufffd":{"\"":"\u00e9"}}""").RootElement)));
    }

    [Fact]
    public void ArgumentKeys_LoneSurrogateInName_RecordedAndTellsItFromTheReplacementCharacter()
    {
        var fixture = new ProductionFixture(ProductionFixture.Policy("""{ "t": {} }"""), records: new DecisionRecordOptions { HashArguments = true, ArgumentHashSalt = Salt });

        var first = fixture.Call("t", """{"\ud800": 1, "a": 2}""");
        var second = fixture.Call("t", """{"\ud800": 3, "a": 4}""");
        var third = fixture.Call("t", """{"\ufffd": 5, "a": 6}""");
        var fourth = fixture.Call("t", "{\"\uFFFD\": 5, \"a\": 6}");

        Assert.True(first.IsAllowed && second.IsAllowed && third.IsAllowed && fourth.IsAllowed);
        var records = fixture.Sink.Records;
        Assert.Equal(["a", "\ud800"], records[0].ArgumentKeys);
        Assert.Equal(["a", "\ud800"], records[1].ArgumentKeys);
        Assert.Equal(["a", "\ufffd"], records[2].ArgumentKeys);
        Assert.Equal(["a", "\ufffd"], records[3].ArgumentKeys);
        Assert.NotEqual(records[0].ArgumentsHash, records[2].ArgumentsHash);
        Assert.Equal(records[2].ArgumentsHash, records[3].ArgumentsHash);
        Assert.DoesNotContain(fixture.Logger.Entries, e => e.Level >= LogLevel.Error);
    }

    [Fact]
    public async Task Authorize_RecordCannotBeBuilt_DecisionStandsWithItsReservationAndErrorLogged()
    {
        var fixture = new ProductionFixture(ProductionFixture.Policy("""{ "t": { "limits": [ { "counter": "c", "window": "minute", "max": 1 } ] } }"""));
        var call = new ToolCall("t", new JsonProperties(new UnreadableArguments()), "grant-1");

        var decision = await fixture.Authorizer.AuthorizeAsync(call);
        await decision.ReportOutcomeAsync(ToolCallOutcome.Failed);
        var again = fixture.Call("t");

        Assert.True(decision.IsAllowed, decision.Message);
        Assert.True(again.IsAllowed, again.Message);
        Assert.Contains(fixture.Logger.Entries, e => e.Level == LogLevel.Error && e.Message.Contains("record", StringComparison.Ordinal) && e.Message.Contains("'t'", StringComparison.Ordinal));
    }

    private static string Line(DecisionRecord record)
    {
        using var stream = new MemoryStream();
        using (var writer = new Utf8JsonWriter(stream))
        {
            DecisionRecordJson.Write(writer, record);
        }

        return Encoding.UTF8.GetString(stream.ToArray());
    }

    private sealed class LateSink : IDecisionSink
    {
        private readonly TaskCompletionSource _written = new();

        public void Fail(Exception exception) => _written.SetException(exception);

        public ValueTask WriteAsync(DecisionRecord record) => new(_written.Task);

        public ValueTask FlushAsync(CancellationToken cancellationToken = default) => default;
    }

    private sealed class ThrowingSink : IDecisionSink
    {
        public ValueTask WriteAsync(DecisionRecord record) => throw new InvalidOperationException("sink down");

        public ValueTask FlushAsync(CancellationToken cancellationToken = default) => default;
    }

    /// <summary>Arguments a host hands over that cannot be enumerated.</summary>
    private sealed class UnreadableArguments : IReadOnlyDictionary<string, JsonElement>
    {
        public int Count => 1;

        public IEnumerable<string> Keys => throw new InvalidOperationException("unreadable");

        public IEnumerable<JsonElement> Values => throw new InvalidOperationException("unreadable");

        public JsonElement this[string key] => throw new KeyNotFoundException(key);

        public bool ContainsKey(string key) => false;

        public bool TryGetValue(string key, out JsonElement value)
        {
            value = default;
            return false;
        }

        public IEnumerator<KeyValuePair<string, JsonElement>> GetEnumerator() => throw new InvalidOperationException("unreadable");

        System.Collections.IEnumerator System.Collections.IEnumerable.GetEnumerator() => GetEnumerator();
    }

    private static JsonProperties Deep(int depth, string value) => new(DeepElement(depth, value));

    /// <summary><c>{"cmd": [[…[value]…]]}</c> with <paramref name="depth"/> arrays, parsed without the default depth bound.</summary>
    private static JsonElement DeepElement(int depth, string value) =>
        JsonDocument.Parse("{\"cmd\":" + new string('[', depth) + value + new string(']', depth) + "}", new JsonDocumentOptions { MaxDepth = 1000 }).RootElement;
}
