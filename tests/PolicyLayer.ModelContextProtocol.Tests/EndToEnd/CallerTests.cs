using System.Security.Claims;
using System.Text.Json;

namespace PolicyLayer.ModelContextProtocol.Tests;

public sealed class CallerTests
{
    [Fact]
    public void ClaimAttributes_RepeatedAndMappedClaims_BecomeAJsonObject()
    {
        var user = new ClaimsPrincipal(new ClaimsIdentity(
        [
            new Claim(ClaimTypes.NameIdentifier, "alice"),
            new Claim(ClaimTypes.Role, "admin"),
            new Claim(ClaimTypes.Role, "support"),
            new Claim("tenant", "acme"),
        ], "test"));

        var attributes = ClaimAttributes.From(user);

        Assert.True(attributes.TryGetProperty("sub", out var sub));
        Assert.Equal("alice", sub.GetString());
        Assert.True(attributes.TryGetProperty("role", out var roles));
        Assert.Equal(JsonValueKind.Array, roles.ValueKind);
        Assert.Equal(["admin", "support"], roles.EnumerateArray().Select(r => r.GetString()!));
        Assert.True(attributes.TryGetProperty("tenant", out var tenant));
        Assert.Equal("acme", tenant.GetString());
    }

    [Fact]
    public void ClaimAttributes_NoUser_IsEmpty()
    {
        Assert.Equal(0, ClaimAttributes.From(null).Count);
    }

    [Fact]
    public async Task CallTool_CallerResolver_FeedsCallerConditions()
    {
        const string policy = """
            { "version": "1", "default": "deny",
              "tools": { "echo": { "require": [ { "conditions": [ { "path": "caller.role", "op": "eq", "value": "admin" } ], "on_deny": "Only admins may echo." } ] } } }
            """;
        var role = "guest";
        await using var server = await McpTestServer.StartAsync(policy, o => o.CallerResolver = _ =>
            JsonSerializer.SerializeToElement(new { role }));

        var refused = await server.CallAsync("echo", new { text = "x" });
        role = "admin";
        var allowed = await server.CallAsync("echo", new { text = "x" });

        Assert.Contains("Only admins may echo.", McpTestServer.Text(refused), StringComparison.Ordinal);
        Assert.Equal("x", McpTestServer.Text(allowed));
    }
}
