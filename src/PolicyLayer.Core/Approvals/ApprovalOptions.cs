namespace PolicyLayer.Approvals;

/// <summary>Options of approvals, set with <c>AddPolicyLayer(...).AddApprovals(o =&gt; ...)</c>.</summary>
public sealed class ApprovalOptions
{
    /// <summary>How long a request waits for a person, and how long an approval or denial stands once given. Default: 1 hour.</summary>
    public TimeSpan Timeout { get; set; } = TimeSpan.FromHours(1);

    /// <summary>The most requests the store holds at once (the in-memory store, or the Redis one that <c>UseRedis</c> registers). Default: 10,000.</summary>
    public int MaxRequests { get; set; } = 10_000;
}
