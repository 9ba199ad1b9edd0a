using System.Collections.Concurrent;
using System.Globalization;
using System.Text.Json.Nodes;

namespace PolicyLayer.ModelContextProtocol.Tests;

/// <summary>The tasks a server created, so a test can see that none was created, and wait for one to end.</summary>
public sealed class BackgroundTaskStore
{
    private readonly ConcurrentDictionary<string, BackgroundTask> _tasks = new(StringComparer.Ordinal);
    private int _nextId;

    public int Count => _tasks.Count;

    public BackgroundTask Create()
    {
        var task = new BackgroundTask("task-" + Interlocked.Increment(ref _nextId).ToString(CultureInfo.InvariantCulture));
        _tasks[task.Id] = task;
        return task;
    }

    public BackgroundTask? Find(string id) => _tasks.GetValueOrDefault(id);

    public BackgroundTask Get(string id) =>
        Find(id) ?? throw new InvalidOperationException($"No task '{id}' was created.");
}

/// <summary>One task: working until the tool's pipeline ends, then completed (a tool result) or failed (a JSON-RPC error).</summary>
public sealed class BackgroundTask(string id)
{
    private readonly TaskCompletionSource _ended = new(TaskCreationOptions.RunContinuationsAsynchronously);

    public string Id { get; } = id;

    public string Status { get; private set; } = BackgroundTaskProtocol.Working;

    /// <summary>The tool's result (<c>completed</c>), as the client reads it.</summary>
    public JsonNode? Result { get; private set; }

    /// <summary>The JSON-RPC error (<c>failed</c>).</summary>
    public JsonNode? Error { get; private set; }

    /// <summary>Completes once the task has ended; by then everything the tool's pipeline did has finished.</summary>
    public Task Ended => _ended.Task;

    public void Complete(JsonNode? result) => End(BackgroundTaskProtocol.Completed, result, error: null);

    public void Fail(JsonNode error) => End(BackgroundTaskProtocol.Failed, result: null, error);

    private void End(string status, JsonNode? result, JsonNode? error)
    {
        Result = result;
        Error = error;
        Status = status;
        _ended.SetResult();
    }
}
