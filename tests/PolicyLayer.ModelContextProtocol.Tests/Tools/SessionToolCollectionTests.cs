using System.Text.Json;
using Microsoft.Extensions.Options;
using ModelContextProtocol.Server;
using PolicyLayer.Authorization;
using PolicyLayer.Counters;
using PolicyLayer.Policies;

namespace PolicyLayer.ModelContextProtocol.Tests;

/// <summary>
/// Servers with a tool collection per session (an HTTP server that sets each user's tools): one session removing or
/// replacing its tools must not change what is enforced for the others.
/// </summary>
public sealed class SessionToolCollectionTests
{
    [Fact]
    public async Task Attach_ToolRemovedFromOneSessionOnly_ItsSchemaStaysEnforced_UntilNoSessionHasIt()
    {
        var (catalog, authorizer) = Create();
        var server = Collection(SessionOnly());
        var session = Collection(SessionOnly());
        catalog.Attach(server);
        catalog.Attach(session);

        session.Clear();
        Assert.Equal(RuleIds.InputSchema, (await authorizer.AuthorizeAsync(Call("many"))).Rule);

        server.Clear();
        Assert.True((await authorizer.AuthorizeAsync(Call("many"))).IsAllowed);
    }

    [Fact]
    public async Task Attach_SameCollectionAgain_IsHarmless()
    {
        var (catalog, authorizer) = Create();
        var server = Collection(SessionOnly());
        for (var i = 0; i < 3; i++)
        {
            catalog.Attach(server);
        }

        server.Clear();

        Assert.True((await authorizer.AuthorizeAsync(Call("many"))).IsAllowed);
        Assert.False(catalog.Contains("session_only"));
    }

    [Fact]
    public async Task Attach_CallsFromSessionsInTurn_FollowEachCollectionOnce()
    {
        var (catalog, authorizer) = Create();
        var server = Collection(SessionOnly());
        var session = Collection();
        for (var i = 0; i < 3; i++)
        {
            // As calls from two sessions arrive in turn: neither collection is taken for the one followed last.
            catalog.Attach(server);
            catalog.Attach(session);
        }

        session.Add(SessionOnly());
        server.Clear();
        Assert.Equal(RuleIds.InputSchema, (await authorizer.AuthorizeAsync(Call("many"))).Rule);

        session.Clear();
        Assert.True((await authorizer.AuthorizeAsync(Call("many"))).IsAllowed);
        Assert.False(catalog.Contains("session_only"));
    }

    private static (PolicyToolCatalog Catalog, PolicyAuthorizer Authorizer) Create()
    {
        var authorizer = new PolicyAuthorizer(Policy.Parse("""{ "version": "1", "default": "allow" }"""), new InMemoryCounterStore());
        return (new PolicyToolCatalog(Options.Create(new PolicyLayerMcpOptions()), authorizer), authorizer);
    }

    private static McpServerTool SessionOnly() => McpServerTool.Create((int count) => $"{count} done", new McpServerToolCreateOptions { Name = "session_only" });

    private static McpServerPrimitiveCollection<McpServerTool> Collection(params McpServerTool[] tools)
    {
        var collection = new McpServerPrimitiveCollection<McpServerTool>();
        foreach (var tool in tools)
        {
            collection.Add(tool);
        }

        return collection;
    }

    private static ToolCall Call(string count) => new("session_only", new JsonProperties(JsonSerializer.SerializeToElement(new { count })));
}
