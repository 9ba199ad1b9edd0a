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
        var activity = PolicyLayerTelemetry.Source.HasListeners()
            ? PolicyLayerTelemetry.Source.StartActivity(PolicyLayerTelemetry.AuthorizeActivityName, ActivityKind.Internal)
            : null;
        try
        {
            var enforced = policy is null || policy.Mode == PolicyMode.Enforce;
            var primary = enforced ? EvaluateAsync(policy, call, cancellationToken) : _production.ShadowModeEvaluator.EvaluateAsync(policy, call, cancellationToken);
            var candidate = _candidate;
            if (candidate is null && primary.IsCompletedSuccessfully)
            {
                return Finish(policy, call, primary.Result, null, start, activity);
            }

            return AuthorizeObservedSlowAsync(policy, call, primary, candidate, start, activity, cancellationToken);
        }
        catch
        {
            activity?.Dispose();
            throw;
        }
    }

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

    /// <summary>Turns the evaluated decision into the one the host sees, then measures and records it.</summary>
    private ValueTask<AuthorizationDecision> Finish(Policy? policy, in ToolCall call, AuthorizationDecision evaluated, AuthorizationDecision? candidate, long start, Activity? activity)
    {
        var enforced = policy is null || policy.Mode == PolicyMode.Enforce;
        var returned = evaluated;
        if (!enforced)
        {
            // Shadow budgets keep what the shadow policy admitted; a failed tool call is not given back there.
            KeepShadowReservation(evaluated);
            returned = new AuthorizationDecision(DecisionOutcome.Allow, RuleIds.Shadow, DecisionText.ShadowAllowed, evaluated.PolicyRevision);
        }

        if (candidate is { } shadowDecision)
        {
            KeepShadowReservation(shadowDecision);
        }

        var end = _production.Time.GetTimestamp();
        var elapsed = _production.Time.GetElapsedTime(start, end);
        var mode = enforced ? "enforce" : "shadow";
        var outcome = PolicyLayerTelemetry.OutcomeText(evaluated.Outcome);
        if (PolicyLayerTelemetry.Decisions.Enabled)
        {
            PolicyLayerTelemetry.Decisions.Add(
                1,
                new(PolicyLayerTelemetry.OutcomeTag, outcome),
                new(PolicyLayerTelemetry.ToolTag, policy is not null && policy.Tools.ContainsKey(call.ToolName) ? call.ToolName : "(unlisted)"),
                new(PolicyLayerTelemetry.RuleTag, evaluated.Rule),
                new(PolicyLayerTelemetry.ModeTag, mode));
        }

        if (PolicyLayerTelemetry.Duration.Enabled)
        {
            PolicyLayerTelemetry.Duration.Record(elapsed.TotalSeconds, new(PolicyLayerTelemetry.OutcomeTag, outcome), new(PolicyLayerTelemetry.ModeTag, mode));
        }

        if (activity is not null)
        {
            activity.SetTag(PolicyLayerTelemetry.ToolTag, call.ToolName);
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

        if (!_production.HasSinks)
        {
            return new(returned);
        }

        var record = _production.Recorder.Build(call, evaluated, enforced, end, elapsed, candidate);
        var written = _production.Recorder.WriteAsync(record);
        return written.IsCompletedSuccessfully ? new(returned) : AwaitRecord(written, returned);
    }

    private static async ValueTask<AuthorizationDecision> AwaitRecord(ValueTask written, AuthorizationDecision decision)
    {
        await written.ConfigureAwait(false);
        return decision;
    }

    private static void KeepShadowReservation(in AuthorizationDecision decision)
    {
        if (decision.HasReservation)
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
