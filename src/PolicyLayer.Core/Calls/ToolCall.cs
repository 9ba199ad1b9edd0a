namespace PolicyLayer;

/// <summary>
/// A tool call to authorize: the tool name, its arguments as the host holds them, and who is calling.
/// </summary>
/// <remarks>A value type so that building one per call allocates nothing.</remarks>
public readonly struct ToolCall
{
    /// <summary>Creates a call.</summary>
    /// <param name="toolName">The tool's name as the client sent it.</param>
    /// <param name="arguments">The arguments object.</param>
    /// <param name="grantId">The grant (credential, API key, agent) making the call; <see langword="null"/> counts as <c>"anonymous"</c>.</param>
    /// <param name="sessionId">The session; <see langword="null"/> counts as <c>"anonymous"</c>.</param>
    /// <param name="caller">Attributes of the caller (roles, tenant, claims) addressed by <c>caller.*</c> paths.</param>
    public ToolCall(string toolName, JsonProperties arguments = default, string? grantId = null, string? sessionId = null, JsonProperties caller = default)
    {
        ArgumentNullException.ThrowIfNull(toolName);
        ToolName = toolName;
        Arguments = arguments;
        GrantId = grantId;
        SessionId = sessionId;
        Caller = caller;
    }

    /// <summary>The tool's name.</summary>
    public string ToolName { get; }

    /// <summary>The call's arguments.</summary>
    public JsonProperties Arguments { get; }

    /// <summary>The grant id, or <see langword="null"/>.</summary>
    public string? GrantId { get; }

    /// <summary>The session id, or <see langword="null"/>.</summary>
    public string? SessionId { get; }

    /// <summary>Attributes of the caller.</summary>
    public JsonProperties Caller { get; }
}
