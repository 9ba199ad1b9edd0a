using System.ComponentModel;
using System.Collections.Concurrent;
using ModelContextProtocol;
using ModelContextProtocol.Protocol;
using ModelContextProtocol.Server;

namespace PolicyLayer.ModelContextProtocol.Tests;

/// <summary>Counts how often each tool really ran, so a test can prove a refused call never reached its tool.</summary>
public sealed class InvocationLog
{
    private readonly ConcurrentDictionary<string, int> _counts = new(StringComparer.Ordinal);

    private readonly ConcurrentDictionary<string, TaskCompletionSource> _started = new(StringComparer.Ordinal);

    public void Record(string tool)
    {
        _counts.AddOrUpdate(tool, 1, (_, n) => n + 1);
        Started(tool).TrySetResult();
    }

    /// <summary>Completes once the tool has run at least once.</summary>
    public Task StartedAsync(string tool) => Started(tool).Task;

    private TaskCompletionSource Started(string tool) =>
        _started.GetOrAdd(tool, static _ => new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously));

    public int Count(string tool) => _counts.GetValueOrDefault(tool);
}

[McpServerToolType]
public sealed class TestTools(InvocationLog log)
{
    [McpServerTool(Name = "echo"), Description("Echoes the text.")]
    public string Echo(string text)
    {
        log.Record("echo");
        return text;
    }

    [McpServerTool(Name = "close_session"), Description("Closes a session.")]
    public string CloseSession(string sessionId)
    {
        log.Record("close_session");
        return $"closed {sessionId}";
    }

    [McpServerTool(Name = "secret_admin"), Description("A tool the policy hides.")]
    public string SecretAdmin()
    {
        log.Record("secret_admin");
        return "done";
    }

    [McpServerTool(Name = "flaky"), Description("Fails as asked: with an error result or an exception, or waits until cancelled.")]
    public async Task<CallToolResult> Flaky(string mode, CancellationToken cancellationToken)
    {
        log.Record("flaky");
        if (mode == "wait")
        {
            try
            {
                await Task.Delay(Timeout.Infinite, cancellationToken);
            }
            finally
            {
                log.Record("flaky cancelled");
            }
        }

        return mode switch
        {
            "error" => new CallToolResult { IsError = true, Content = [new TextContentBlock { Text = "the tool failed" }] },
            "throw" => throw new InvalidOperationException("the tool threw"),
            "mcp" => throw new McpException("the tool threw an MCP error"),
            _ => new CallToolResult { Content = [new TextContentBlock { Text = "ok" }] },
        };
    }

    [McpServerTool(Name = "create_refund"), Description("Refunds an amount.")]
    public string CreateRefund(decimal amount)
    {
        log.Record("create_refund");
        return $"refunded {amount}";
    }

    [McpServerTool(Name = "typed"), Description("Declares an integer argument; the policy adds no schema of its own.")]
    public string Typed(int count)
    {
        log.Record("typed");
        return $"count {count}";
    }

    [McpServerTool(Name = "wire_money"), Description("Needs a person's approval.")]
    public string WireMoney(decimal amount)
    {
        log.Record("wire_money");
        return "sent";
    }

    [McpServerTool(Name = "drop_database"), Description("Never allowed.")]
    public string DropDatabase()
    {
        log.Record("drop_database");
        return "dropped";
    }

    [McpServerTool(Name = "per_session"), Description("Limited per session.")]
    public string PerSession()
    {
        log.Record("per_session");
        return "ok";
    }
}
