namespace PolicyLayer.ModelContextProtocol;

/// <summary>How a <c>tools/call</c> refused by the policy is answered.</summary>
public enum PolicyRefusalStyle
{
    /// <summary>
    /// A tool result with <c>isError: true</c> whose text gives the reason, the rule and, for limits, when to
    /// retry. The model reads it and can adapt. The default.
    /// </summary>
    ToolResult,

    /// <summary>A JSON-RPC error (an <see cref="McpProtocolException"/> with <see cref="PolicyLayerMcpOptions.ProtocolErrorCode"/>) carrying the same text.</summary>
    ProtocolError,
}
