namespace PolicyLayer.Policies;

/// <summary>The outcome of loading a policy: the policy, or every error found.</summary>
public sealed class PolicyLoadResult
{
    internal PolicyLoadResult(Policy? policy, IReadOnlyList<PolicyError> errors)
    {
        Policy = policy;
        Errors = errors;
    }

    /// <summary>The loaded policy, when there were no errors.</summary>
    public Policy? Policy { get; }

    /// <summary>Every error, in document order; empty on success.</summary>
    public IReadOnlyList<PolicyError> Errors { get; }

    /// <summary>Whether the policy loaded.</summary>
    public bool Succeeded => Policy is not null;
}
