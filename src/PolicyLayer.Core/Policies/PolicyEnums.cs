namespace PolicyLayer.Policies;

/// <summary>What happens to a tool the policy does not list under <c>tools</c>.</summary>
public enum DefaultAction
{
    /// <summary>Unlisted tools are allowed (subject to <c>all_tools</c>).</summary>
    Allow,

    /// <summary>Unlisted tools are denied.</summary>
    Deny,
}

/// <summary>Whether decisions are enforced or only recorded.</summary>
public enum PolicyMode
{
    /// <summary>Decisions are enforced.</summary>
    Enforce,

    /// <summary>Every decision is computed and recorded, but calls are let through.</summary>
    Shadow,
}

/// <summary>Whether a tool's declared input schema (registered by the host) is enforced.</summary>
public enum InputSchemaMode
{
    /// <summary>Calls must satisfy the declared input schema as well as the policy's <c>schema</c>.</summary>
    Enforce,

    /// <summary>Declared input schemas are ignored.</summary>
    Ignore,
}

/// <summary>What a tool's rules do with a call before conditions and limits.</summary>
public enum ToolAction
{
    /// <summary>Evaluate the rules (the default).</summary>
    Allow,

    /// <summary>Every call is refused with the rule's reason.</summary>
    Deny,

    /// <summary>A person must approve each call.</summary>
    RequireApproval,
}
