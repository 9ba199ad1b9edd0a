using System.Diagnostics.Metrics;
using System.Text.Json;
using BenchmarkDotNet.Attributes;
using PolicyLayer.Auditing;
using PolicyLayer.Authorization;
using PolicyLayer.Counters;
using PolicyLayer.Diagnostics;
using PolicyLayer.Policies;

namespace PolicyLayer.Benchmarks.Production;

/// <summary>
/// What recording adds to the three authorization scenarios (no rules, a grant limit, three conditions).
/// Baseline: the evaluation alone (the authorizer's steps without the recording wrapper). Then: recording off
/// (no sink, no listener: the default), a sink that discards records, and a metrics listener.
/// </summary>
/// <remarks>
/// <see cref="EvaluateAndTimeIt"/> is the evaluation with the two clock reads that any record's latency needs (the
/// decision's time is derived from the second): the least recording can add, with nothing recorded.
/// </remarks>
[MemoryDiagnoser]
public class AuthorizeRecordingBenchmarks
{
    private const int Grants = 1000;
    private PolicyAuthorizer _plain = null!;
    private PolicyAuthorizer _withSink = null!;
    private MeterListener? _listener;
    private string[] _grants = null!;
    private JsonElement _arguments;
    private string _tool = null!;
    private int _next;

    public enum Scenario
    {
        NoRules,
        GrantLimit,
        Conditions,
    }

    [Params(Scenario.NoRules, Scenario.GrantLimit, Scenario.Conditions)]
    public Scenario Case { get; set; }

    [GlobalSetup]
    public void Setup()
    {
        var (policy, tool, arguments) = Case switch
        {
            Scenario.NoRules => ("""{ "version": "1", "default": "deny", "tools": { "list_sessions": {}, "new_session": {} } }""", "list_sessions", """{"cwd": "/work", "limit": 20}"""),
            Scenario.GrantLimit => ("""{ "version": "1", "default": "deny", "tools": { "close_session": { "limits": [ { "counter": "close_session_rate", "window": "minute", "max": 1000000000000, "scope": "grant" } ] } } }""", "close_session", """{"sessionId": "s-42"}"""),
            _ => ("""
                { "version": "1", "default": "deny", "tools": { "create_refund": { "deny_if": [
                    { "conditions": [ { "path": "args.amount", "op": "gt", "value": 100 } ], "on_deny": "Refund exceeds the policy limit." },
                    { "conditions": [ { "path": "args.memo", "op": "regex", "value": "(?i)drop\\s+table|rm -rf" } ] },
                    { "conditions": [ { "path": "args.currency", "op": "in", "value": ["BTC", "ETH", "XMR"] } ] } ] } } }
                """, "create_refund", """{"amount": 42.5, "currency": "EUR", "memo": "refund for order 1234, damaged in transit", "customer_id": "cus_81"}"""),
        };
        _tool = tool;
        _arguments = JsonDocument.Parse(arguments).RootElement;
        _plain = new PolicyAuthorizer(Policy.Parse(policy), new InMemoryCounterStore(TimeProvider.System));
        _withSink = new PolicyAuthorizer(Policy.Parse(policy), new InMemoryCounterStore(TimeProvider.System), new PolicyAuthorizerOptions { DecisionSinks = [new DiscardingSink()] });
        _grants = Enumerable.Range(0, Grants).Select(i => $"grant-{i}").ToArray();
        for (var i = 0; i < Grants; i++)
        {
            Evaluate();
            AuthorizeWithSink();
        }
    }

    [GlobalSetup(Target = nameof(AuthorizeWithMetrics))]
    public void SetupMetrics()
    {
        Setup();
        _listener = new MeterListener
        {
            InstrumentPublished = (instrument, l) =>
            {
                if (instrument.Meter.Name == PolicyLayerTelemetry.MeterName)
                {
                    l.EnableMeasurementEvents(instrument);
                }
            },
        };
        _listener.SetMeasurementEventCallback<long>(static (_, _, _, _) => { });
        _listener.SetMeasurementEventCallback<double>(static (_, _, _, _) => { });
        _listener.Start();
    }

    [GlobalCleanup]
    public void Cleanup() => _listener?.Dispose();

    [Benchmark(Baseline = true)]
    public bool Evaluate() => Complete(_plain.EvaluateAsync(_plain.Policy, new ToolCall(_tool, _arguments, NextGrant(), "session-1"), default).Result);

    [Benchmark]
    public bool EvaluateAndTimeIt()
    {
        var start = TimeProvider.System.GetTimestamp();
        var allowed = Evaluate();
        return TimeProvider.System.GetTimestamp() != start && allowed;
    }

    [Benchmark]
    public bool RecordingOff() => Complete(_plain.AuthorizeAsync(new ToolCall(_tool, _arguments, NextGrant(), "session-1")).Result);

    [Benchmark]
    public bool AuthorizeWithSink() => Complete(_withSink.AuthorizeAsync(new ToolCall(_tool, _arguments, NextGrant(), "session-1")).Result);

    [Benchmark]
    public bool AuthorizeWithMetrics() => Complete(_plain.AuthorizeAsync(new ToolCall(_tool, _arguments, NextGrant(), "session-1")).Result);

    private static bool Complete(AuthorizationDecision decision)
    {
        // A host reports how the tool ended; success keeps the budget spent and recycles the reservation.
        decision.ReportOutcomeAsync(ToolCallOutcome.Succeeded).GetAwaiter().GetResult();
        return decision.IsAllowed;
    }

    private string NextGrant()
    {
        var grant = _grants[_next];
        _next = _next == Grants - 1 ? 0 : _next + 1;
        return grant;
    }

    private sealed class DiscardingSink : IDecisionSink
    {
        public ValueTask WriteAsync(DecisionRecord record) => default;

        public ValueTask FlushAsync(CancellationToken cancellationToken = default) => default;
    }
}
