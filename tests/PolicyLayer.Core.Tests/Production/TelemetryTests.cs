using System.Collections.Concurrent;
using System.Diagnostics;
using System.Diagnostics.Metrics;
using System.Text.Json;
using PolicyLayer.Authorization;
using PolicyLayer.Counters;
using PolicyLayer.Diagnostics;
using PolicyLayer.Policies;

namespace PolicyLayer.Tests.Production;

/// <summary>Listeners are process-wide, so these tests do not run beside each other.</summary>
[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class TelemetryCollection
{
    public const string Name = "Telemetry";
}

[Collection(TelemetryCollection.Name)]
public class TelemetryTests
{
    [Fact]
    public void Authorize_MeterListener_CountsDecisionsWithTagsAndDuration()
    {
        var tool = "metrics_tool_" + Guid.NewGuid().ToString("N");
        var fixture = new ProductionFixture(ProductionFixture.Policy($$"""{ "{{tool}}": { "limits": [ { "counter": "c", "window": "minute", "max": 1 } ] } }"""));
        var decisions = new ConcurrentBag<(long Value, Dictionary<string, object?> Tags)>();
        var durations = new ConcurrentBag<(double Value, Dictionary<string, object?> Tags)>();
        using var listener = new MeterListener();
        listener.InstrumentPublished = (instrument, l) =>
        {
            if (instrument.Meter.Name == PolicyLayerTelemetry.MeterName)
            {
                l.EnableMeasurementEvents(instrument);
            }
        };
        listener.SetMeasurementEventCallback<long>((instrument, value, tags, _) =>
        {
            var map = ToMap(tags);
            if (instrument.Name == PolicyLayerTelemetry.DecisionsName && Equals(map[PolicyLayerTelemetry.ToolTag], tool))
            {
                decisions.Add((value, map));
            }
        });
        listener.SetMeasurementEventCallback<double>((instrument, value, tags, _) =>
        {
            if (instrument.Name == PolicyLayerTelemetry.DurationName)
            {
                durations.Add((value, ToMap(tags)));
            }
        });
        listener.Start();

        fixture.Call(tool);
        fixture.Call(tool);
        fixture.Call("not_listed_" + Guid.NewGuid().ToString("N"));

        Assert.Equal(2, decisions.Count);
        Assert.Contains(decisions, d => Equals(d.Tags[PolicyLayerTelemetry.OutcomeTag], "allow") && Equals(d.Tags[PolicyLayerTelemetry.RuleTag], $"/tools/{tool}"));
        Assert.Contains(decisions, d => Equals(d.Tags[PolicyLayerTelemetry.OutcomeTag], "deny") && Equals(d.Tags[PolicyLayerTelemetry.RuleTag], $"/tools/{tool}/limits/0"));
        Assert.All(decisions, d => Assert.Equal("enforce", d.Tags[PolicyLayerTelemetry.ModeTag]));
        Assert.True(durations.Count >= 3);
        Assert.All(durations, d => Assert.True(d.Value >= 0));
    }

    [Fact]
    public void Authorize_UnlistedTool_TaggedUnlistedSoCallersCannotGrowCardinality()
    {
        var fixture = new ProductionFixture(ProductionFixture.Policy("{}"));
        var tools = new ConcurrentBag<object?>();
        using var listener = Listen<long>(PolicyLayerTelemetry.DecisionsName, (_, tags) => tools.Add(tags[PolicyLayerTelemetry.ToolTag]));

        var unique = "random_" + Guid.NewGuid().ToString("N");
        fixture.Call(unique);

        Assert.DoesNotContain(unique, tools);
        Assert.Contains("(unlisted)", tools);
    }

    [Fact]
    public void Authorize_ToolHiddenByName_TaggedWithItsName_ButNotUnderAHideEverything()
    {
        var hidden = "hidden_" + Guid.NewGuid().ToString("N");
        var byName = new ProductionFixture(ProductionFixture.Policy("{}", $$"""
            "hide": ["{{hidden}}"],
            """));
        var everything = new ProductionFixture(ProductionFixture.Policy("{}", """
            "hide": ["*"],
            """));
        var tools = new ConcurrentBag<object?>();
        using var listener = Listen<long>(PolicyLayerTelemetry.DecisionsName, (_, tags) => tools.Add(tags[PolicyLayerTelemetry.ToolTag]));

        byName.Call(hidden);
        var unique = "random_" + Guid.NewGuid().ToString("N");
        everything.Call(unique);

        Assert.Contains(hidden, tools);
        Assert.DoesNotContain(unique, tools);
    }

    [Fact]
    public void Authorize_ActivityListener_OneSpanWithTags()
    {
        var tool = "span_tool_" + Guid.NewGuid().ToString("N");
        var fixture = new ProductionFixture(ProductionFixture.Policy($$"""{ "{{tool}}": { "action": "deny" } }"""));
        var spans = new ConcurrentBag<Activity>();
        using var listener = new ActivityListener
        {
            ShouldListenTo = source => source.Name == PolicyLayerTelemetry.ActivitySourceName,
            Sample = (ref ActivityCreationOptions<ActivityContext> _) => ActivitySamplingResult.AllDataAndRecorded,
            ActivityStopped = spans.Add,
        };
        ActivitySource.AddActivityListener(listener);

        var decision = fixture.Call(tool);

        var span = Assert.Single(spans, s => Equals(s.GetTagItem(PolicyLayerTelemetry.ToolTag), tool));
        Assert.Equal(PolicyLayerTelemetry.AuthorizeActivityName, span.OperationName);
        Assert.Equal("deny", span.GetTagItem(PolicyLayerTelemetry.OutcomeTag));
        Assert.Equal($"/tools/{tool}", span.GetTagItem(PolicyLayerTelemetry.RuleTag));
        Assert.Equal(decision.PolicyRevision, span.GetTagItem(PolicyLayerTelemetry.RevisionTag));
    }

    [Fact]
    public async Task Authorize_ShadowCandidate_CallersCurrentActivityRestored()
    {
        var tool = "span_shadow_" + Guid.NewGuid().ToString("N");
        var policy = Policy.Parse(ProductionFixture.Policy($$"""{ "{{tool}}": {} }"""));
        var authorizer = new PolicyAuthorizer(policy, new InMemoryCounterStore());
        authorizer.SetShadowPolicy(Policy.Parse(ProductionFixture.Policy($$"""{ "{{tool}}": { "action": "deny" } }""")));

        var (parent, span, current) = await AuthorizeUnderParentAsync(authorizer, tool);

        Assert.Same(parent, current);
        Assert.Same(parent, span.Parent);
        Assert.Equal("deny", span.GetTagItem(PolicyLayerTelemetry.ShadowOutcomeTag));
    }

    [Fact]
    public async Task Authorize_StoreAnswersLater_CallersCurrentActivityRestored()
    {
        var tool = "span_async_" + Guid.NewGuid().ToString("N");
        var policy = Policy.Parse(ProductionFixture.Policy($$"""{ "{{tool}}": { "limits": [ { "counter": "c", "window": "minute", "max": 5 } ] } }"""));
        var store = new LaterStore(new InMemoryCounterStore());
        var authorizer = new PolicyAuthorizer(policy, store);

        var (parent, span, current) = await AuthorizeUnderParentAsync(authorizer, tool, store.Answer);

        Assert.Same(parent, current);
        Assert.Same(parent, span.Parent);
        Assert.Equal("allow", span.GetTagItem(PolicyLayerTelemetry.OutcomeTag));
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task Authorize_Cancelled_SpanEndsAndCallersCurrentActivityRestored(bool storeAnswersLater)
    {
        // A cancelled call throws, as cancellation does; its span must still end, and the caller's span stay current.
        var tool = "span_cancel_" + Guid.NewGuid().ToString("N");
        var policy = Policy.Parse(ProductionFixture.Policy($$"""{ "{{tool}}": { "limits": [ { "counter": "c", "window": "minute", "max": 5 } ] } }"""));
        var store = new CancelledStore(storeAnswersLater);
        var authorizer = new PolicyAuthorizer(policy, store);
        using var capture = new SpansUnderParent();
        var (parent, spans) = (capture.Parent, capture.Stopped);
        using var cancellation = new CancellationTokenSource();
        cancellation.Cancel();

        // Not in a lambda: the span current in this method's own context is what is checked.
        var cancelled = false;
        try
        {
            var authorization = authorizer.AuthorizeAsync(new ToolCall(tool), cancellation.Token);
            store.Answer();
            await authorization;
        }
        catch (OperationCanceledException)
        {
            cancelled = true;
        }

        Assert.True(cancelled);
        Assert.Same(parent, Activity.Current);
        var span = Assert.Single(spans, s => s.OperationName == PolicyLayerTelemetry.AuthorizeActivityName && s.Parent == parent);
        Assert.True(span.IsStopped);
    }

    /// <summary>Starts a parent span, authorizes one call under it, and returns the parent, the call's span, and the span current once the call returned.</summary>
    /// <param name="release">Called once the authorization has returned, before it is awaited: lets a store answer.</param>
    private static async Task<(Activity Parent, Activity Span, Activity? Current)> AuthorizeUnderParentAsync(PolicyAuthorizer authorizer, string tool, Action? release = null)
    {
        using var capture = new SpansUnderParent();
        var (parent, spans) = (capture.Parent, capture.Stopped);
        Assert.Same(parent, Activity.Current);

        var pending = authorizer.AuthorizeAsync(new ToolCall(tool));
        release?.Invoke();
        var decision = await pending;

        // Read here: this method's own changes to the current span do not flow back to its caller.
        var current = Activity.Current;
        Assert.True(decision.IsAllowed, decision.Message);
        var span = Assert.Single(spans, s => Equals(s.GetTagItem(PolicyLayerTelemetry.ToolTag), tool));
        return (parent, span, current);
    }

    [Fact]
    public void Authorize_FailingStore_CountsStoreError()
    {
        var authorizer = new PolicyAuthorizer(
            Policy.Parse("""{ "version": "1", "default": "deny", "tools": { "t": { "limits": [ { "counter": "c", "window": "minute", "max": 5 } ] } } }"""),
            new UnavailableStore());
        long errors = 0;
        using var listener = Listen<long>(PolicyLayerTelemetry.StoreErrorsName, (value, tags) =>
        {
            if (Equals(tags[PolicyLayerTelemetry.StoreTag], "counters"))
            {
                Interlocked.Add(ref errors, value);
            }
        });

        var decision = ProductionFixture.Sync(authorizer, new ToolCall("t"));

        Assert.False(decision.IsAllowed);
        Assert.True(Interlocked.Read(ref errors) >= 1, "the refused reservation is counted (other tests may add to this process-wide counter)");
    }

    [Fact]
    public async Task Authorize_ApprovalStoreFails_CountsAnApprovalStoreError()
    {
        var policy = ProductionFixture.Policy("""{ "wire": { "action": "require_approval" } }""");
        var fixture = new ProductionFixture(policy, approvals: true);
        var store = new ApprovalTests.FailingUseStore(fixture.Approvals!, new InvalidOperationException("connection lost"));
        var authorizer = new PolicyAuthorizer(Policy.Parse(policy), fixture.Store, new PolicyAuthorizerOptions { TimeProvider = fixture.Time, ApprovalStore = store });
        var id = ProductionFixture.Sync(authorizer, new ToolCall("wire")).ApprovalId!;
        await fixture.ApprovalService!.ApproveAsync(id, "alice");
        long errors = 0;
        using var listener = Listen<long>(PolicyLayerTelemetry.StoreErrorsName, (value, tags) =>
        {
            if (Equals(tags[PolicyLayerTelemetry.StoreTag], "approvals"))
            {
                Interlocked.Add(ref errors, value);
            }
        });

        var refused = ProductionFixture.Sync(authorizer, new ToolCall("wire"));

        Assert.Contains("approval store is unavailable", refused.Message, StringComparison.Ordinal);
        Assert.True(Interlocked.Read(ref errors) >= 1, "the approval store's failure is counted (other tests may add to this process-wide counter)");
    }

    [Fact]
    public void Authorize_NoSinkNoListener_AllocatesNothing()
    {
        var authorizer = new PolicyAuthorizer(Policy.Parse("""{ "version": "1", "default": "deny", "tools": { "t": {} } }"""), new InMemoryCounterStore());
        var call = new ToolCall("t", JsonDocument.Parse("""{"a": 1}""").RootElement, "g", "s");
        ProductionFixture.Sync(authorizer, call);

        var before = GC.GetAllocatedBytesForCurrentThread();
        var allowed = 0;
        for (var i = 0; i < 1000; i++)
        {
            allowed += ProductionFixture.Sync(authorizer, call).IsAllowed ? 1 : 0;
        }

        var allocated = GC.GetAllocatedBytesForCurrentThread() - before;
        Assert.Equal(1000, allowed);
        Assert.Equal(0, allocated);
    }

    private static MeterListener Listen<T>(string name, Action<T, Dictionary<string, object?>> onMeasurement)
        where T : struct
    {
        var listener = new MeterListener
        {
            InstrumentPublished = (instrument, l) =>
            {
                if (instrument.Meter.Name == PolicyLayerTelemetry.MeterName && instrument.Name == name)
                {
                    l.EnableMeasurementEvents(instrument);
                }
            },
        };
        listener.SetMeasurementEventCallback<T>((_, value, tags, _) => onMeasurement(value, ToMap(tags)));
        listener.Start();
        return listener;
    }

    private static Dictionary<string, object?> ToMap(ReadOnlySpan<KeyValuePair<string, object?>> tags)
    {
        var map = new Dictionary<string, object?>();
        foreach (var tag in tags)
        {
            map[tag.Key] = tag.Value;
        }

        return map;
    }

    /// <summary>Listens to the authorizer's spans and starts a parent span, current from here on, for calls to run under.</summary>
    private sealed class SpansUnderParent : IDisposable
    {
        private readonly ActivitySource _parentSource = new("PolicyLayer.Tests.Parent");
        private readonly ActivityListener _listener;

        public SpansUnderParent()
        {
            _listener = new ActivityListener
            {
                ShouldListenTo = source => source.Name == PolicyLayerTelemetry.ActivitySourceName || source.Name == _parentSource.Name,
                Sample = (ref ActivityCreationOptions<ActivityContext> _) => ActivitySamplingResult.AllData,
                ActivityStopped = Stopped.Add,
            };
            ActivitySource.AddActivityListener(_listener);
            Parent = _parentSource.StartActivity("parent")!;
        }

        public Activity Parent { get; }

        public ConcurrentBag<Activity> Stopped { get; } = [];

        public void Dispose()
        {
            Parent.Dispose();
            _listener.Dispose();
            _parentSource.Dispose();
        }
    }

    /// <summary>A store that throws the call's cancellation: at once, or once told to answer.</summary>
    private sealed class CancelledStore(bool later) : ICounterStore
    {
        private readonly TaskCompletionSource _answer = new(TaskCreationOptions.RunContinuationsAsynchronously);

        public void Answer() => _answer.TrySetResult();

        public ValueTask<ReservationResult> TryReserveAsync(ReadOnlyMemory<CounterRequest> requests, CancellationToken cancellationToken = default)
        {
            if (!later)
            {
                cancellationToken.ThrowIfCancellationRequested();
            }

            return AnswerLaterAsync(cancellationToken);
        }

        public ValueTask RefundAsync(ReadOnlyMemory<CounterRequest> requests, long reservationTimestamp, CancellationToken cancellationToken = default) => default;

        private async ValueTask<ReservationResult> AnswerLaterAsync(CancellationToken cancellationToken)
        {
            await _answer.Task;
            cancellationToken.ThrowIfCancellationRequested();
            return ReservationResult.Admitted(0);
        }
    }

    /// <summary>A store that answers only when told to, as a remote store answers after the call has returned.</summary>
    private sealed class LaterStore(ICounterStore inner) : ICounterStore
    {
        private readonly TaskCompletionSource _answer = new(TaskCreationOptions.RunContinuationsAsynchronously);

        public void Answer() => _answer.TrySetResult();

        public async ValueTask<ReservationResult> TryReserveAsync(ReadOnlyMemory<CounterRequest> requests, CancellationToken cancellationToken = default)
        {
            await _answer.Task;
            return await inner.TryReserveAsync(requests, cancellationToken);
        }

        public ValueTask RefundAsync(ReadOnlyMemory<CounterRequest> requests, long reservationTimestamp, CancellationToken cancellationToken = default) =>
            inner.RefundAsync(requests, reservationTimestamp, cancellationToken);
    }

    private sealed class UnavailableStore : ICounterStore
    {
        public ValueTask<ReservationResult> TryReserveAsync(ReadOnlyMemory<CounterRequest> requests, CancellationToken cancellationToken = default) =>
            new(ReservationResult.Unavailable("down"));

        public ValueTask RefundAsync(ReadOnlyMemory<CounterRequest> requests, long reservationTimestamp, CancellationToken cancellationToken = default) => default;
    }
}
