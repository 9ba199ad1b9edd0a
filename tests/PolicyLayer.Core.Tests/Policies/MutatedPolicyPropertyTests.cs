using System.Text.Json;
using FsCheck;
using FsCheck.Fluent;
using FsCheck.Xunit;
using Microsoft.Extensions.Time.Testing;
using PolicyLayer.Approvals;
using PolicyLayer.Auditing;
using PolicyLayer.Authorization;
using PolicyLayer.Counters;
using PolicyLayer.Policies;
using PolicyLayer.Tests.Fuzzing;
using PolicyLayer.Tests.Production;

namespace PolicyLayer.Tests.Policies;

/// <summary>
/// The shipped sample policies and a few that use every extension, mutated the way hand edits and broken generators
/// mutate them (values of the wrong kind, misspelt or missing members, odd numbers and strings, escaped lone
/// surrogates, text cut short or garbled): loading never throws, either succeeds without errors or gives every error
/// a code, a message and a place inside the text, and a policy that loads decides calls with odd arguments (recorded,
/// with argument hashes) without throwing.
/// </summary>
public sealed class MutatedPolicyPropertyTests
{
    private const string SourceName = "policy.json";

    private static readonly string[] Extensions =
    [
        """
        { "version": "1", "default": "allow", "mode": "shadow", "input_schema": "ignore", "hide": "*",
          "all_tools": { "require": [ { "conditions": [ { "path": "caller.role", "op": "in", "value": ["admin", "agent"] } ] } ] },
          "tools": { "refund": { "action": "require_approval", "reason": "Refunds need a person." } } }
        """,
        """
        { "version": "1", "default": "deny", "input_schema": "enforce",
          "tools": {
            "charge": {
              "schema": { "$schema": "http://json-schema.org/draft-07/schema#", "type": "object", "required": ["amount"],
                          "properties": { "amount": { "type": "number", "exclusiveMinimum": 0 }, "customer": { "type": "string", "pattern": "^c_" } } },
              "deny_if": [ { "conditions": [ { "path": "args.customer", "op": "regex", "value": "^c_test" }, { "path": "session.id", "op": "exists" } ] } ],
              "limits": [
                { "counter": "spend", "window": "day", "max": 1000, "scope": "global", "cost": "args.amount", "key": "args.customer" },
                { "counter": "calls", "window": "second", "max": 5, "scope": "session" } ] } } }
        """,
    ];

    private static readonly string[] Seeds =
    [
        .. Directory.EnumerateFiles(Path.Combine(AppContext.BaseDirectory, "SamplePolicies"), "*.json", SearchOption.AllDirectories)
            .Order(StringComparer.Ordinal)
            .Select(File.ReadAllText),
        .. Extensions,
    ];

    private static readonly string[] Vocabulary =
    [
        "version", "1", "2", "default", "allow", "deny", "hide", "*", "all_tools", "tools", "input_schema", "enforce", "ignore",
        "mode", "shadow", "action", "require_approval", "reason", "schema", "require", "deny_if", "conditions", "on_deny",
        "limits", "counter", "window", "second", "minute", "hour", "day", "week", "max", "scope", "grant", "session", "global",
        "cost", "key", "path", "op", "value", "eq", "ne", "gt", "gte", "lt", "lte", "in", "not_in", "contains", "regex",
        "exists", "not_exists", "args", "args.amount", "args.a.b", "args.items[0]", "caller.role", "tool.name", "grant.id",
        "session.id", "x-note", "type", "properties", "pattern", "$ref",
    ];

    private static readonly string[] Arguments =
    [
        "{}",
        """{"amount": 5, "customer": "c_1", "a": {"b": [1]}, "items": ["x"]}""",
        """{"amount": 1e400, "customer": "\ud800", "\udc00": 1, "a": {"\ud800": 2, "b": null}}""",
        """{"amount": -1, "customer": {"id": 1}, "path": "/etc/passwd", "sessionId": "s", "reason": "r"}""",
        """{"amount": "12", "a": [[[[[[[[[[]]]]]]]]]]}""",
    ];

    [Property(MaxTest = 3000)]
    public Property MutatedPolicies_LoadOrExplain_AndDecideWithoutThrowing() =>
        Prop.ForAll(Arb.From(Gen.Choose(0, Seeds.Length - 1)), Arb.From(Gen.Choose(0, int.MaxValue)), (index, seed) =>
        {
            var random = new Random(seed);
            var text = new JsonMutator(random, Vocabulary).Mutate(Seeds[index], random.Next(1, 4));
            var result = Policy.Load(text, SourceName);
            if (result.Policy is not { } policy)
            {
                AssertExplained(result.Errors, text);
                return true;
            }

            Assert.True(result.Errors.Count == 0, $"a policy with errors: {string.Join("; ", result.Errors)}");
            Decide(policy, random);
            return true;
        });

    private static void AssertExplained(IReadOnlyList<PolicyError> errors, string text)
    {
        Assert.True(errors.Count > 0, $"neither a policy nor an error for {text}");
        var lines = text.Split('\n').Length;
        foreach (var error in errors)
        {
            var where = $"{error} in {text}";
            Assert.False(string.IsNullOrWhiteSpace(error.Code), where);
            Assert.False(string.IsNullOrWhiteSpace(error.Message), where);
            Assert.Equal(SourceName, error.Source);
            Assert.InRange(error.Line, 1, lines);
            Assert.True(error.Column >= 1, where);
            Assert.True(error.Pointer.Length == 0 || error.Pointer[0] == '/', where);
        }
    }

    private static void Decide(Policy policy, Random random)
    {
        var time = new FakeTimeProvider(new DateTimeOffset(2026, 1, 1, 12, 0, 0, TimeSpan.Zero));
        var sink = new CollectingSink();
        var authorizer = new PolicyAuthorizer(policy, new InMemoryCounterStore(time), new PolicyAuthorizerOptions
        {
            TimeProvider = time,
            DecisionSinks = [sink],
            DecisionRecords = new DecisionRecordOptions { HashArguments = true, ArgumentHashSalt = "0123456789abcdef-salt"u8.ToArray() },
            ApprovalStore = new InMemoryApprovalStore(time),
        });
        var caller = new JsonProperties(JsonDocument.Parse("""{"role": "agent", "\ud800": 1}""").RootElement);
        var tools = policy.Tools.Keys.Concat(policy.Hidden).Append("not_in_the_policy").Take(8);
        var decisions = 0;
        foreach (var tool in tools)
        {
            foreach (var arguments in Arguments)
            {
                var call = new ToolCall(tool, JsonDocument.Parse(arguments).RootElement, random.Next(3) == 0 ? null : "grant-1", "session-1", caller);
                var pending = authorizer.AuthorizeAsync(call);
                Assert.True(pending.IsCompletedSuccessfully, "an in-memory authorization completes synchronously");
                var decision = pending.Result;
                Assert.False(string.IsNullOrEmpty(decision.Message), $"no message from {decision.Rule} for {tool}");
                Assert.Equal(policy.Revision, decision.PolicyRevision);
                decision.ReportOutcomeAsync(random.Next(2) == 0 ? ToolCallOutcome.Failed : ToolCallOutcome.Succeeded).AsTask().GetAwaiter().GetResult();
                decisions++;
            }
        }

        Assert.Equal(decisions, sink.Records.Count);
    }
}
