using System.Text.Json;
using System.Text.Json.Nodes;
using ModelContextProtocol;
using ModelContextProtocol.Protocol;

namespace PolicyLayer.ModelContextProtocol.Tests;

/// <summary>What the client sees of task-augmented calls: the raw answer to <c>tools/call</c>, and <c>tasks/get</c>.</summary>
public static class BackgroundTaskClient
{
    /// <summary>Calls a tool opted in to the Tasks extension, as the given grant.</summary>
    public static async Task<TaskCallAnswer> CallAsTaskAsync(this McpTestServer server, string tool, object? arguments = null, string? grant = null)
    {
        var meta = new JsonObject
        {
            [MetaKeys.ClientCapabilities] = new JsonObject
            {
                ["extensions"] = new JsonObject { [BackgroundTaskProtocol.ExtensionId] = new JsonObject() },
            },
        };
        if (grant is not null)
        {
            meta[McpTestServer.GrantMeta] = grant;
        }

        var parameters = new JsonObject { ["name"] = tool, ["_meta"] = meta };
        if (arguments is not null)
        {
            parameters["arguments"] = JsonSerializer.SerializeToNode(arguments);
        }

        var response = await server.Client.SendRequestAsync(new JsonRpcRequest { Method = RequestMethods.ToolsCall, Params = parameters });
        return new TaskCallAnswer((JsonObject)response.Result!);
    }

    /// <summary>Waits until the task has ended (no polling: the store signals it), then reads it over the protocol.</summary>
    public static async Task<JsonObject> GetEndedTaskAsync(this McpTestServer server, string taskId)
    {
        await server.Services.GetRequiredService<BackgroundTaskStore>().Get(taskId).Ended.WaitAsync(TimeSpan.FromSeconds(30));
        var response = await server.Client.SendRequestAsync(new JsonRpcRequest
        {
            Method = BackgroundTaskProtocol.GetMethod,
            Params = new JsonObject { ["taskId"] = taskId },
        });
        return (JsonObject)response.Result!;
    }

    public static int TaskCount(this McpTestServer server) => server.Services.GetRequiredService<BackgroundTaskStore>().Count;
}

/// <summary>The answer to a task-augmented <c>tools/call</c>: a task that was created, or the tool's result at once.</summary>
public sealed class TaskCallAnswer(JsonObject json)
{
    public JsonObject Json { get; } = json;

    public bool CreatedTask => Json["resultType"]?.GetValue<string>() == BackgroundTaskProtocol.TaskResultType;

    public string TaskId => Json["taskId"]?.GetValue<string>() ?? throw new InvalidOperationException("The answer created no task: " + Json.ToJsonString());

    /// <summary>The answer read as an immediate tool result.</summary>
    public CallToolResult Result => Json.Deserialize<CallToolResult>(McpJsonUtilities.DefaultOptions)!;
}
