using PolicyLayer.Approvals;
using PolicyLayer.Auditing;
using PolicyLayer.Schema;

namespace PolicyLayer.Authorization;

/// <summary>Safety bounds and schema settings of a <see cref="PolicyAuthorizer"/>.</summary>
public sealed class PolicyAuthorizerOptions
{
    /// <summary>The shared default options.</summary>
    public static PolicyAuthorizerOptions Default { get; } = new();

    /// <summary>
    /// The largest arguments (the UTF-8 size of their JSON) that rules read; a larger call is refused with a
    /// clear message. Default: 1 MiB.
    /// </summary>
    public int MaxArgumentBytes { get; init; } = 1024 * 1024;

    /// <summary>How declared input schemas registered with <see cref="PolicyAuthorizer.RegisterInputSchema"/> are compiled.</summary>
    public JsonSchemaOptions SchemaOptions { get; init; } = JsonSchemaOptions.Default;

    /// <summary>The clock of decision records, latencies and approval expiry. Default: <see cref="TimeProvider.System"/>.</summary>
    public TimeProvider TimeProvider { get; init; } = TimeProvider.System;

    /// <summary>Where every decision's <see cref="DecisionRecord"/> goes. Default: none (records are not built at all).</summary>
    public IReadOnlyList<IDecisionSink> DecisionSinks { get; init; } = [];

    /// <summary>What decision records contain beyond the defaults (for example a salted hash of the arguments).</summary>
    public DecisionRecordOptions DecisionRecords { get; init; } = DecisionRecordOptions.Default;

    /// <summary>
    /// Where <c>action: "require_approval"</c> keeps its requests. <see langword="null"/> (the default): such calls
    /// are answered <see cref="DecisionOutcome.RequireApproval"/> without an approval id and can never be approved.
    /// </summary>
    public IApprovalStore? ApprovalStore { get; init; }

    /// <summary>How long a pending approval waits for a person, and how long an approval stays usable. Default: 1 hour.</summary>
    public TimeSpan ApprovalTimeout { get; init; } = TimeSpan.FromHours(1);
}
