namespace PolicyLayer.Approvals;

/// <summary>Options of approvals, set with <c>AddPolicyLayer(...).AddApprovals(o =&gt; ...)</c>.</summary>
public sealed class ApprovalOptions
{
    /// <summary>How long a request waits for a person, and how long an approval or denial stands once given. Default: 1 hour.</summary>
    public TimeSpan Timeout { get; set; } = TimeSpan.FromHours(1);

    /// <summary>The most requests the store holds at once (the in-memory store, or the Redis one that <c>UseRedis</c> registers). Default: 10,000.</summary>
    public int MaxRequests { get; set; } = 10_000;

    /// <summary>Checks the options and returns every problem.</summary>
    /// <returns>The problems; empty when valid.</returns>
    public IReadOnlyList<string> Validate()
    {
        var problems = new List<string>();
        if (Timeout <= TimeSpan.Zero)
        {
            problems.Add($"ApprovalOptions.Timeout must be positive, not {Timeout}: it is how long a request waits for a person (for example TimeSpan.FromMinutes(30)).");
        }

        if (MaxRequests < 1)
        {
            problems.Add($"ApprovalOptions.MaxRequests must be positive, not {MaxRequests}: it bounds the requests the approval store holds at once.");
        }

        return problems;
    }
}
