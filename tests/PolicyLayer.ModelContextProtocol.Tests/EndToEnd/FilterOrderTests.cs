using ModelContextProtocol.Protocol;
using ModelContextProtocol.Server;

namespace PolicyLayer.ModelContextProtocol.Tests;

public sealed class FilterOrderTests
{
    [Fact]
    public async Task CallTool_RefusedCall_NeverReachesOtherAlternateResultFilters()
    {
        // Stands in for task dispatch, which lives in the alternate-result pipeline: a refused call must not
        // get that far, so it can never create a task.
        var dispatched = new List<string>();
        await using var server = await McpTestServer.StartAsync(services: s => s.Configure<McpServerOptions>(o =>
            o.Filters.Request.CallToolWithAlternateFilters.Add(async (context, next, cancellationToken) =>
            {
                lock (dispatched)
                {
                    dispatched.Add(context.Params!.Name);
                }

                return await next(context, cancellationToken);
            })));

        var refused = await server.CallAsync("drop_database");
        var allowed = await server.CallAsync("echo", new { text = "hi" });

        Assert.True(refused.IsError);
        Assert.NotEqual(true, allowed.IsError);
        Assert.Equal(["echo"], dispatched);
    }

    [Fact]
    public async Task ListTools_ResultFieldsOtherThanTools_AreKept()
    {
        await using var server = await McpTestServer.StartAsync(services: s => s.Configure<McpServerOptions>(o =>
            o.Filters.Request.ListToolsFilters.Add(next => async (context, cancellationToken) =>
            {
                var result = await next(context, cancellationToken);
                result.NextCursor = "page-2";
                result.Meta = new System.Text.Json.Nodes.JsonObject { ["origin"] = "test" };
                return result;
            })));

        var page = await server.Client.ListToolsAsync(new ListToolsRequestParams());

        Assert.Equal("page-2", page.NextCursor);
        Assert.Equal("test", page.Meta?["origin"]?.GetValue<string>());
        Assert.DoesNotContain(page.Tools, t => t.Name == "secret_admin");
    }
}
