namespace PolicyLayer;

/// <summary>How an admitted tool call ended, as the host reports it back.</summary>
public enum ToolCallOutcome
{
    /// <summary>The tool ran and succeeded: the reserved budget stays spent.</summary>
    Succeeded,

    /// <summary>The tool failed (an error result or an exception): the reserved budget is given back.</summary>
    Failed,
}
