namespace PolicyLayer.ModelContextProtocol.Tests;

/// <summary>The wire names of the MCP Tasks extension (SEP-2663) that the tests use.</summary>
public static class BackgroundTaskProtocol
{
    /// <summary>The extension's id: a client opts a request in under <c>_meta</c>'s client capabilities.</summary>
    public const string ExtensionId = "io.modelcontextprotocol/tasks";

    public const string GetMethod = "tasks/get";

    /// <summary>The <c>resultType</c> of an answer that created a task instead of running the request.</summary>
    public const string TaskResultType = "task";

    public const string Working = "working";
    public const string Completed = "completed";
    public const string Failed = "failed";
}
