namespace PolicyLayer;

/// <summary>What the authorizer decided about a tool call.</summary>
public enum DecisionOutcome
{
    /// <summary>The call may run.</summary>
    Allow,

    /// <summary>The call must not run; the decision's message says why.</summary>
    Deny,

    /// <summary>A person must approve the call before it runs.</summary>
    RequireApproval,
}
