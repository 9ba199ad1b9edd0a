using System.Diagnostics;
using System.Diagnostics.Metrics;

namespace PolicyLayer.Diagnostics;

/// <summary>
/// The names under which PolicyLayer publishes metrics (<see cref="System.Diagnostics.Metrics"/>) and traces
/// (<see cref="System.Diagnostics.ActivitySource"/>): subscribe with OpenTelemetry's <c>AddMeter(PolicyLayerTelemetry.MeterName)</c>
/// and <c>AddSource(PolicyLayerTelemetry.ActivitySourceName)</c>.
/// </summary>
/// <remarks>
/// Nothing is measured unless a listener is attached: the authorizer checks the instruments' <c>Enabled</c> and
/// the source's listeners before it reads the clock or builds a tag.
/// </remarks>
public static class PolicyLayerTelemetry
{
    /// <summary>The name of the <see cref="Meter"/>: <c>PolicyLayer</c>.</summary>
    public const string MeterName = "PolicyLayer";

    /// <summary>The name of the <see cref="ActivitySource"/>: <c>PolicyLayer</c>.</summary>
    public const string ActivitySourceName = "PolicyLayer";

    /// <summary>The span of one authorization: <c>policylayer.authorize</c>.</summary>
    public const string AuthorizeActivityName = "policylayer.authorize";

    /// <summary>Counter of decisions (<c>{decision}</c>), tagged outcome, tool, rule and mode.</summary>
    public const string DecisionsName = "policylayer.decisions";

    /// <summary>Histogram of the time an authorization takes, in seconds, tagged outcome and mode.</summary>
    public const string DurationName = "policylayer.authorization.duration";

    /// <summary>
    /// Counter of store failures (<c>{error}</c>): calls refused (or admitted fail-open) because the counter store or the
    /// approval store could not answer, tagged with which (<see cref="StoreTag"/>).
    /// </summary>
    public const string StoreErrorsName = "policylayer.store.errors";

    /// <summary>Tag of <see cref="StoreErrorsName"/>: <c>counters</c> or <c>approvals</c>.</summary>
    public const string StoreTag = "policylayer.store";

    /// <summary>Counter of decision records a sink dropped (<c>{record}</c>), tagged with the sink's name and why (<see cref="DropReasonTag"/>).</summary>
    public const string DroppedRecordsName = "policylayer.decision_records.dropped";

    /// <summary>Counter of policy reloads (<c>{reload}</c>), tagged result (<c>applied</c>, <c>rejected</c>, <c>unchanged</c>).</summary>
    public const string ReloadsName = "policylayer.policy.reloads";

    /// <summary>Tag: the decision's outcome (<c>allow</c>, <c>deny</c>, <c>require_approval</c>).</summary>
    public const string OutcomeTag = "policylayer.decision.outcome";

    /// <summary>Tag: the tool's name when the policy lists or hides it, else <c>(unlisted)</c> (so callers cannot grow the tag's cardinality).</summary>
    public const string ToolTag = "policylayer.tool.name";

    /// <summary>Tag: the rule that decided.</summary>
    public const string RuleTag = "policylayer.decision.rule";

    /// <summary>Tag: <c>enforce</c>, or <c>shadow</c> when the decision was recorded but not enforced.</summary>
    public const string ModeTag = "policylayer.policy.mode";

    /// <summary>Tag (spans only): the revision of the policy that decided.</summary>
    public const string RevisionTag = "policylayer.policy.revision";

    /// <summary>Tag (spans only): the candidate policy's outcome when one runs in shadow beside the active policy.</summary>
    public const string ShadowOutcomeTag = "policylayer.shadow.outcome";

    /// <summary>Tag: the name of a decision sink.</summary>
    public const string SinkTag = "policylayer.sink.name";

    /// <summary>Tag: why a sink dropped records: <c>queue_full</c>, <c>write_failed</c> (an I/O error, or a record that could not be serialized), or <c>closed</c> (written after the sink was disposed).</summary>
    public const string DropReasonTag = "policylayer.drop.reason";

    /// <summary>Tag: the result of a reload.</summary>
    public const string ReloadResultTag = "policylayer.reload.result";

    internal static readonly ActivitySource Source = new(ActivitySourceName);

    internal static readonly Meter Meter = new(MeterName);

    internal static readonly Counter<long> Decisions = Meter.CreateCounter<long>(DecisionsName, "{decision}", "Authorization decisions.");

    internal static readonly Histogram<double> Duration = Meter.CreateHistogram<double>(DurationName, "s", "How long an authorization takes.");

    internal static readonly Counter<long> StoreErrors = Meter.CreateCounter<long>(StoreErrorsName, "{error}", "Counter and approval store failures.");

    /// <summary>Counts one failure of the counter store (<c>counters</c>) or the approval store (<c>approvals</c>).</summary>
    internal static void CountStoreError(string store) => StoreErrors.Add(1, new KeyValuePair<string, object?>(StoreTag, store));

    internal static readonly Counter<long> DroppedRecords = Meter.CreateCounter<long>(DroppedRecordsName, "{record}", "Decision records a sink dropped.");

    internal static readonly Counter<long> Reloads = Meter.CreateCounter<long>(ReloadsName, "{reload}", "Policy reloads.");

    /// <summary>Whether any measurement or span would be taken now.</summary>
    internal static bool IsObserved => Decisions.Enabled || Duration.Enabled || Source.HasListeners();

    internal static string OutcomeText(DecisionOutcome outcome) => outcome switch
    {
        DecisionOutcome.Allow => "allow",
        DecisionOutcome.Deny => "deny",
        _ => "require_approval",
    };
}
