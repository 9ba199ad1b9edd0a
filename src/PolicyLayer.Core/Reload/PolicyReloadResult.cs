using PolicyLayer.Policies;

namespace PolicyLayer.Reload;

/// <summary>What a reload did.</summary>
public enum PolicyReloadStatus
{
    /// <summary>The new policy loaded and is now in force.</summary>
    Applied,

    /// <summary>The new text has the revision already in force, or a reload that read its text later was applied first; nothing changed.</summary>
    Unchanged,

    /// <summary>The new text has errors (or could not be read); the last good policy stays in force.</summary>
    Rejected,
}

/// <summary>The outcome of one reload.</summary>
public sealed class PolicyReloadResult
{
    internal PolicyReloadResult(PolicyReloadStatus status, Policy? policy, IReadOnlyList<PolicyError> errors, IReadOnlyList<string> restartedCounters)
    {
        Status = status;
        Policy = policy;
        Errors = errors;
        RestartedCounters = restartedCounters;
    }

    /// <summary>What happened.</summary>
    public PolicyReloadStatus Status { get; }

    /// <summary>The policy in force after the reload (the new one, or the last good one when rejected).</summary>
    public Policy? Policy { get; }

    /// <summary>For a rejected reload, every error, each with its line, column and JSON Pointer.</summary>
    public IReadOnlyList<PolicyError> Errors { get; }

    /// <summary>
    /// The names of counters whose definition (window, max, scope or key) changed or that were removed: their budgets
    /// are those of the new definition (empty unless it was in force within its window). Counters whose definition is
    /// unchanged keep their budgets across the reload.
    /// </summary>
    public IReadOnlyList<string> RestartedCounters { get; }
}
