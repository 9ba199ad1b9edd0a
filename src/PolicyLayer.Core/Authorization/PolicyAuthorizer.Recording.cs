using System.Diagnostics;
using System.Runtime.CompilerServices;
using Microsoft.Extensions.Logging;
using PolicyLayer.Auditing;
using PolicyLayer.Counters;
using PolicyLayer.Diagnostics;
using PolicyLayer.Policies;

namespace PolicyLayer.Authorization;

/// <summary>Recording (records, metrics, spans) and shadow evaluation around the evaluation steps.</summary>
public sealed partial class PolicyAuthorizer
{
    private readonly ProductionFeatures _production;
    private volatile ShadowCandidate? _candidate;

    /// <summary>The candidate policy running in shadow beside the active one, or <see langword="null"/>.</summary>
    public Policy? ShadowPolicy => _candidate?.Policy;

    /// <summary>
    /// Runs a candidate policy in shadow beside the active one: every call is also evaluated under the candidate,
    /// and its decision goes into the record's <see cref="DecisionRecord.Shadow"/> (with whether it agrees), but
    /// never changes what the host is told. The candidate keeps its budgets in a store of its own, so it never
    /// spends the active policy's budgets; each call to this method starts that store afresh. It never creates
    /// approval requests.
    /// </summary>
    /// <param name="candidate">The candidate, or <see langword="null"/> to stop shadowing.</param>
    public void SetShadowPolicy(Policy? candidate) =>
        _candidate = candidate is null ? null : new ShadowCandidate(candidate, CreateShadowEvaluator());

    /// <inheritdoc />
    /// <remarks>
    /// When no decision sink is registered, no metric listener or span listener is attached, the policy enforces
    /// and no candidate runs in shadow, this is the evaluation alone: nothing is measured or allocated.
    /// </remarks>
    public ValueTask<AuthorizationDecision> AuthorizeAsync(ToolCall call, CancellationToken cancellationToken = default)
    {
        if (call.ToolName is null)
        {
            throw new ArgumentException("The call has no tool name; create it with new ToolCall(name, ...).", nameof(call));
        }

        var policy = _policy;
        if (!_production.HasSinks && _candidate is null && (policy is null || policy.Mode == PolicyMode.Enforce) && !PolicyLayerTelemetry.IsObserved)
        {
            return EvaluateAsync(policy, call, cancellationToken);
        }

        return AuthorizeObservedAsync(policy, call, cancellationToken);
    }

    // Kept out of AuthorizeAsync so that its locals do not have to be zeroed on the unobserved path.
    [MethodImpl(MethodImplOptions.NoInlining)]
    private ValueTask<AuthorizationDecision> AuthorizeObservedAsync(Policy? policy, in ToolCall call, CancellationToken cancellationToken)
    {
        var start = _production.Time.GetTimestamp();
        Activity? previous = null;
        Activity? activity = null;
        if (PolicyLayerTelemetry.Source.HasListeners())
        {
            previous = Activity.Current;
            activity = PolicyLayerTelemetry.Source.StartActivity(PolicyLayerTelemetry.AuthorizeActivityName, ActivityKind.Internal);
        }

        ValueTask<AuthorizationDecision> primary;
        try
        {
            primary = EvaluatePrimary(policy, call, cancellationToken);
        }
        catch
        {
            activity?.Dispose();
            throw;
        }

        var candidate = _candidate;
        if (candidate is null && primary.IsCompletedSuccessfully)
        {
            return FinishCompleted(policy, call, primary, start, activity);
        }

        var pending = ContinueObserved(policy, call, primary, candidate, start, activity, cancellationToken);
        if (activity is not null)
        {
            // StartActivity made the span current in the caller's context, and the async method that ends it cannot
            // undo that here (its context changes do not flow back): put the caller's span back, or the caller would
            // go on under a span that has ended.
            Activity.Current = previous;
        }

        return pending;
    }

    // The evaluation, out of line: inlined here, its frame (the widest of the authorizer's) would be cleared again on
    // every observed call.
    [MethodImpl(MethodImplOptions.NoInlining)]
    private ValueTask<AuthorizationDecision> EvaluatePrimary(Policy? policy, in ToolCall call, CancellationToken cancellationToken) =>
        policy is null || policy.Mode == PolicyMode.Enforce
            ? EvaluateAsync(policy, call, cancellationToken)
            : _production.ShadowModeEvaluator.EvaluateAsync(policy, call, cancellationToken);

    // Reads the completed decision apart from AuthorizeObservedAsync, whose frame would otherwise hold every way a
    // ValueTask can carry it.
    [MethodImpl(MethodImplOptions.NoInlining)]
    private ValueTask<AuthorizationDecision> FinishCompleted(Policy? policy, in ToolCall call, in ValueTask<AuthorizationDecision> primary, long start, Activity? activity) =>
        Finish(policy, call, primary.Result, null, start, activity);

    // Hands the rare paths (a shadow candidate, a store that answers later) to the async method from a frame of its
    // own: the call copies the whole call and decision into the state machine.
    [MethodImpl(MethodImplOptions.NoInlining)]
    private ValueTask<AuthorizationDecision> ContinueObserved(Policy? policy, in ToolCall call, in ValueTask<AuthorizationDecision> primary, ShadowCandidate? candidate, long start, Activity? activity, CancellationToken cancellationToken) =>
        AuthorizeObservedSlowAsync(policy, call, primary, candidate, start, activity, cancellationToken);

    // The async paths and the shadow bookkeeping are never inlined: their state machines would widen the hot frames.
    [MethodImpl(MethodImplOptions.NoInlining)]
    private async ValueTask<AuthorizationDecision> AuthorizeObservedSlowAsync(Policy? policy, ToolCall call, ValueTask<AuthorizationDecision> primary, ShadowCandidate? candidate, long start, Activity? activity, CancellationToken cancellationToken)
    {
        try
        {
            var decision = await primary.ConfigureAwait(false);
            AuthorizationDecision? shadow = null;
            if (candidate is not null)
            {
                shadow = await candidate.Evaluator.EvaluateAsync(candidate.Policy, call, cancellationToken).ConfigureAwait(false);
            }

            return await Finish(policy, call, decision, shadow, start, activity).ConfigureAwait(false);
        }
        catch
        {
            activity?.Dispose();
            throw;
        }
    }

    /// <summary>Measures and records the evaluated decision, and returns the one the host sees.</summary>
    /// <remarks>
    /// Not inlined, and taking the decisions by reference: inlined into its caller, with its own copies of them, it
    /// made every observed authorization set up (and zero) a frame several times the size of its work.
    /// </remarks>
    [MethodImpl(MethodImplOptions.NoInlining)]
    private ValueTask<AuthorizationDecision> Finish(Policy? policy, in ToolCall call, in AuthorizationDecision evaluated, in AuthorizationDecision? candidate, long start, Activity? activity)
    {
        var enforced = policy is null || policy.Mode == PolicyMode.Enforce;

        // A candidate's budgets keep what it admitted: the host reports the call's outcome on the active policy's
        // decision, and only that one, so a failed call is not given back there. (A policy in shadow mode hands its
        // reservation to the host with the allow: see ShadowAllowed.)
        if (candidate.HasValue)
        {
            KeepShadowReservation(candidate);
        }

        var end = _production.Time.GetTimestamp();
        var elapsed = _production.Recorder.Clock.Elapsed(start, end);
        if (activity is not null || PolicyLayerTelemetry.Decisions.Enabled || PolicyLayerTelemetry.Duration.Enabled)
        {
            ReportTelemetry(policy, call.ToolName, evaluated, enforced, elapsed, candidate, activity);
        }

        if (_production.HasSinks)
        {
            return Record(call, evaluated, enforced, end, elapsed, candidate);
        }

        return enforced ? new(evaluated) : ShadowResult(evaluated);
    }

    // Builds and writes the record, apart from Finish: the write's task and the decisions it holds on to would widen
    // Finish's frame for metrics and spans too.
    [MethodImpl(MethodImplOptions.NoInlining)]
    private ValueTask<AuthorizationDecision> Record(in ToolCall call, in AuthorizationDecision evaluated, bool enforced, long end, TimeSpan elapsed, in AuthorizationDecision? candidate)
    {
        if (_production.Recorder.Build(call, evaluated, enforced, end, elapsed, candidate) is { } record)
        {
            var written = _production.Recorder.WriteAsync(record);
            if (!written.IsCompletedSuccessfully)
            {
                return AwaitRecord(written, enforced ? evaluated : ShadowAllowed(evaluated));
            }
        }

        return enforced ? new(evaluated) : ShadowResult(evaluated);
    }

    [MethodImpl(MethodImplOptions.NoInlining)]
    private static ValueTask<AuthorizationDecision> ShadowResult(in AuthorizationDecision evaluated) => new(ShadowAllowed(evaluated));

    /// <summary>
    /// What the host sees in shadow mode: an allow that keeps the revision of the decision that was evaluated, and its
    /// reservation in the shadow budgets, so that a failed call reported on it is given back there as it would be when
    /// enforcing (the records then show what enforcing would have decided).
    /// </summary>
    private static AuthorizationDecision ShadowAllowed(in AuthorizationDecision evaluated) =>
        evaluated.AsAllowed(RuleIds.Shadow, DecisionText.ShadowAllowed);

    // Apart from Finish, so that a decision that is only recorded does not set up the frame metrics and spans need.
    [MethodImpl(MethodImplOptions.NoInlining)]
    private static void ReportTelemetry(Policy? policy, string toolName, in AuthorizationDecision evaluated, bool enforced, TimeSpan elapsed, in AuthorizationDecision? candidate, Activity? activity)
    {
        var mode = enforced ? "enforce" : "shadow";
        var outcome = PolicyLayerTelemetry.OutcomeText(evaluated.Outcome);
        if (PolicyLayerTelemetry.Decisions.Enabled)
        {
            PolicyLayerTelemetry.Decisions.Add(
                1,
                new(PolicyLayerTelemetry.OutcomeTag, outcome),
                new(PolicyLayerTelemetry.ToolTag, ToolTagValue(policy, toolName)),
                new(PolicyLayerTelemetry.RuleTag, evaluated.Rule),
                new(PolicyLayerTelemetry.ModeTag, mode));
        }

        if (PolicyLayerTelemetry.Duration.Enabled)
        {
            PolicyLayerTelemetry.Duration.Record(elapsed.TotalSeconds, new(PolicyLayerTelemetry.OutcomeTag, outcome), new(PolicyLayerTelemetry.ModeTag, mode));
        }

        if (activity is not null)
        {
            activity.SetTag(PolicyLayerTelemetry.ToolTag, toolName);
            activity.SetTag(PolicyLayerTelemetry.OutcomeTag, outcome);
            activity.SetTag(PolicyLayerTelemetry.RuleTag, evaluated.Rule);
            activity.SetTag(PolicyLayerTelemetry.RevisionTag, evaluated.PolicyRevision);
            activity.SetTag(PolicyLayerTelemetry.ModeTag, mode);
            if (candidate is { } c)
            {
                activity.SetTag(PolicyLayerTelemetry.ShadowOutcomeTag, PolicyLayerTelemetry.OutcomeText(c.Outcome));
            }

            activity.Dispose();
        }
    }

    /// <summary>The tool's name when the policy names it (lists it, or hides it by name), else <c>(unlisted)</c>: callers cannot grow the tag's cardinality.</summary>
    private static string ToolTagValue(Policy? policy, string toolName) =>
        policy is not null && (policy.Tools.ContainsKey(toolName) || policy.Hidden.Contains(toolName)) ? toolName : "(unlisted)";

    [MethodImpl(MethodImplOptions.NoInlining)]
    private static async ValueTask<AuthorizationDecision> AwaitRecord(ValueTask written, AuthorizationDecision decision)
    {
        await written.ConfigureAwait(false);
        return decision;
    }

    [MethodImpl(MethodImplOptions.NoInlining)]
    private static void KeepShadowReservation(in AuthorizationDecision? candidate)
    {
        if (candidate is { HasReservation: true } decision)
        {
            // Shadow evaluators use an in-memory store, so this completes at once and recycles the reservation.
            decision.ReportOutcomeAsync(ToolCallOutcome.Succeeded).AsTask().GetAwaiter().GetResult();
        }
    }

    /// <summary>An authorizer that evaluates a shadow policy: its own in-memory budgets, the same declared schemas, no approvals, no recording.</summary>
    private PolicyAuthorizer CreateShadowEvaluator() => new(this, new InMemoryCounterStore(_production.Time));

    private PolicyAuthorizer(PolicyAuthorizer parent, ICounterStore shadowStore)
        : this(null, shadowStore, new PolicyAuthorizerOptions
        {
            MaxArgumentBytes = parent._options.MaxArgumentBytes,
            SchemaOptions = parent._options.SchemaOptions,
            TimeProvider = parent._options.TimeProvider,
        })
    {
        _declaredSchemas = parent._declaredSchemas;
        _logger = parent._logger;
    }

    private sealed record ShadowCandidate(Policy Policy, PolicyAuthorizer Evaluator);

    /// <summary>What the production features need, built once from the options.</summary>
    private sealed class ProductionFeatures
    {
        private readonly PolicyAuthorizer _owner;
        private PolicyAuthorizer? _shadowModeEvaluator;

        public ProductionFeatures(PolicyAuthorizer owner, PolicyAuthorizerOptions options, ILogger logger)
        {
            _owner = owner;
            Time = options.TimeProvider ?? TimeProvider.System;
            Recorder = new DecisionRecorder(options.DecisionSinks ?? [], options.DecisionRecords ?? DecisionRecordOptions.Default, Time, logger);
            HasSinks = Recorder.HasSinks;
            Approvals = options.ApprovalStore;
            ApprovalTimeout = options.ApprovalTimeout;
        }

        public TimeProvider Time { get; }

        public DecisionRecorder Recorder { get; }

        public bool HasSinks { get; }

        public Approvals.IApprovalStore? Approvals { get; }

        public TimeSpan ApprovalTimeout { get; }

        /// <summary>Evaluates a policy in <c>"mode": "shadow"</c> against budgets of its own.</summary>
        public PolicyAuthorizer ShadowModeEvaluator =>
            _shadowModeEvaluator ?? Interlocked.CompareExchange(ref _shadowModeEvaluator, _owner.CreateShadowEvaluator(), null) ?? _shadowModeEvaluator;
    }
}
