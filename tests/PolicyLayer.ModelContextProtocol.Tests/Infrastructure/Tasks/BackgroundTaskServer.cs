using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.Json.Serialization;
using System.Text.Json.Serialization.Metadata;
using Microsoft.Extensions.Options;
using ModelContextProtocol;
using ModelContextProtocol.Protocol;
using ModelContextProtocol.Server;

namespace PolicyLayer.ModelContextProtocol.Tests;

/// <summary>
/// Runs task-augmented <c>tools/call</c> requests as background tasks, through the same SDK seams and in the same
/// place as the SDK's Tasks extension.
/// </summary>
/// <remarks>
/// <para>The Tasks extension (<c>ModelContextProtocol.Extensions.Tasks</c>, SEP-2663) ships separately from
/// ModelContextProtocol 2.3.1 and 2.4.0 and is not on the package source, so the tests carry the part of it the
/// policy depends on. Like the extension it is an alternate-result call-tool filter appended in the configure phase
/// (so the policy, added in post-configure at index 0, runs before it); for a request that opts in it creates a
/// task, answers with <c>resultType: "task"</c>, and runs the rest of the pipeline (the ordinary call-tool filters
/// and the tool) on the thread pool, under a new request context over the same JSON-RPC request, with a service
/// scope of its own. It ends the task as the extension does: a tool result (IsError included) completes it, a
/// protocol exception fails it, any other exception completes it with an error result. <c>tasks/get</c> answers
/// over the protocol.</para>
/// </remarks>
public static class BackgroundTaskServer
{
    public static IMcpServerBuilder WithBackgroundTasks(this IMcpServerBuilder builder)
    {
        builder.Services.AddSingleton<BackgroundTaskStore>();
        builder.Services.AddSingleton<IConfigureOptions<McpServerOptions>>(sp => new Setup(
            sp.GetRequiredService<BackgroundTaskStore>(),
            sp.GetRequiredService<IServiceScopeFactory>()));
        return builder;
    }

    private sealed class Setup(BackgroundTaskStore store, IServiceScopeFactory scopes) : IConfigureOptions<McpServerOptions>
    {
        private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web)
        {
            DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull,
            TypeInfoResolver = new DefaultJsonTypeInfoResolver(),
        };

        private static readonly JsonTypeInfo<CreatedTask> CreatedTaskInfo = (JsonTypeInfo<CreatedTask>)Json.GetTypeInfo(typeof(CreatedTask));

        public void Configure(McpServerOptions options)
        {
            options.RequestHandlers ??= [];
            options.RequestHandlers.Add(new McpServerRequestHandler { Method = BackgroundTaskProtocol.GetMethod, Handler = GetTaskAsync });

            var filters = options.Filters.Request.CallToolWithAlternateFilters;
            filters.Insert(filters.Count, async (context, next, cancellationToken) =>
                OptsIn(context.JsonRpcRequest)
                    ? RunAsTask(context, next)
                    : await next(context, cancellationToken));
        }

        private ResultOrAlternate<CallToolResult> RunAsTask(
            RequestContext<CallToolRequestParams> context,
            McpRequestHandler<CallToolRequestParams, ResultOrAlternate<CallToolResult>> next)
        {
            var task = store.Create();
            var scope = scopes.CreateAsyncScope();
            var background = new RequestContext<CallToolRequestParams>(context.Server, context.JsonRpcRequest, context.Params)
            {
                MatchedPrimitive = context.MatchedPrimitive,
                Services = scope.ServiceProvider,
            };

            _ = Task.Run(async () =>
            {
                await using (scope)
                {
                    await RunAsync(task, background, next);
                }
            });

            return ResultOrAlternate<CallToolResult>.FromAlternate(new CreatedTask(task.Id), CreatedTaskInfo);
        }

        private static async Task RunAsync(
            BackgroundTask task,
            RequestContext<CallToolRequestParams> context,
            McpRequestHandler<CallToolRequestParams, ResultOrAlternate<CallToolResult>> next)
        {
            try
            {
                var result = await next(context, CancellationToken.None);
                task.Complete(JsonSerializer.SerializeToNode(result.Result, McpJsonUtilities.DefaultOptions));
            }
            catch (McpProtocolException e)
            {
                task.Fail(new JsonObject { ["code"] = (int)e.ErrorCode, ["message"] = e.Message });
            }
            catch (Exception e)
            {
                var error = new CallToolResult { IsError = true, Content = [new TextContentBlock { Text = e.Message }] };
                task.Complete(JsonSerializer.SerializeToNode(error, McpJsonUtilities.DefaultOptions));
            }
        }

#if MCP_SDK_2_4
        // 2.4.0 hands a custom request handler a request context rather than the raw request.
        private ValueTask<JsonNode?> GetTaskAsync(RequestContext<JsonNode?> request, CancellationToken cancellationToken) =>
            GetTaskAsync(request.Params);
#else
        private ValueTask<JsonNode?> GetTaskAsync(JsonRpcRequest request, CancellationToken cancellationToken) =>
            GetTaskAsync(request.Params);
#endif

        private ValueTask<JsonNode?> GetTaskAsync(JsonNode? parameters)
        {
            var id = parameters?["taskId"]?.GetValue<string>()
                ?? throw new McpProtocolException("Missing params.taskId for tasks/get", McpErrorCode.InvalidParams);
            var task = store.Find(id) ?? throw new McpProtocolException($"Unknown task: '{id}'", McpErrorCode.InvalidParams);

            var answer = new JsonObject
            {
                ["resultType"] = "complete",
                ["taskId"] = task.Id,
                ["status"] = task.Status,
                ["result"] = task.Result?.DeepClone(),
                ["error"] = task.Error?.DeepClone(),
            };
            return ValueTask.FromResult<JsonNode?>(answer);
        }

        private static bool OptsIn(JsonRpcRequest request) =>
            request.Params?["_meta"]?[MetaKeys.ClientCapabilities]?["extensions"] is JsonObject extensions &&
            extensions.ContainsKey(BackgroundTaskProtocol.ExtensionId);
    }

    /// <summary>The answer to a task-augmented call: the task it created.</summary>
    private sealed class CreatedTask : Result
    {
        public CreatedTask(string taskId)
        {
            TaskId = taskId;
            ResultType = BackgroundTaskProtocol.TaskResultType;
        }

        public string TaskId { get; }

        public string Status => BackgroundTaskProtocol.Working;
    }
}
