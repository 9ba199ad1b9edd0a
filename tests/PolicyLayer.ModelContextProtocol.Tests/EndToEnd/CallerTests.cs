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
    public async Task ClaimAttributes_PolicyThatNeverSaysCaller_NeverBuildsThem()
    {
        var user = new CountingPrincipal(new Claim("tenant", "acme"));
        var authorizer = new PolicyLayer.Authorization.PolicyAuthorizer(
            PolicyLayer.Policies.Policy.Parse("""{ "version": "1", "default": "deny", "tools": { "echo": {} } }"""),
            new PolicyLayer.Counters.InMemoryCounterStore(TimeProvider.System));

        var attributes = ClaimAttributes.From(user);
        var readsToTellAnonymous = user.Reads;
        var decision = await authorizer.AuthorizeAsync(new ToolCall("echo", default(JsonProperties), caller: attributes));

        Assert.True(decision.IsAllowed);
        Assert.Equal(readsToTellAnonymous, user.Reads);
        Assert.True(attributes.TryGetProperty("tenant", out var tenant));
        Assert.Equal("acme", tenant.GetString());
        Assert.True(user.Reads > readsToTellAnonymous);
    }

    [Fact]
    public async Task ClaimAttributes_PolicyThatSaysCaller_ReadsThem()
    {
        var authorizer = EchoDeniedForTenant("\"blocked\"");

        var blocked = await authorizer.AuthorizeAsync(new ToolCall("echo", default(JsonProperties), caller: ClaimAttributes.From(new CountingPrincipal(new Claim("tenant", "blocked")))));
        var other = await authorizer.AuthorizeAsync(new ToolCall("echo", default(JsonProperties), caller: ClaimAttributes.From(new CountingPrincipal(new Claim("tenant", "acme")))));

        Assert.False(blocked.IsAllowed);
        Assert.True(other.IsAllowed);
    }

    /// <summary>An authorizer that allows <c>echo</c> unless the caller's tenant equals <paramref name="tenant"/> (JSON).</summary>
    private static PolicyLayer.Authorization.PolicyAuthorizer EchoDeniedForTenant(string tenant) => new(
        PolicyLayer.Policies.Policy.Parse($$"""
            { "version": "1", "default": "deny", "tools": { "echo": {
                "deny_if": [ { "conditions": [ { "path": "caller.tenant", "op": "eq", "value": {{tenant}} } ] } ] } } }
            """),
        new PolicyLayer.Counters.InMemoryCounterStore(TimeProvider.System));

    /// <summary>A user that counts how often its claims are read.</summary>
    private sealed class CountingPrincipal(params Claim[] claims) : ClaimsPrincipal(new ClaimsIdentity(claims, "test"))
    {
        public int Reads { get; private set; }

        public override IEnumerable<Claim> Claims
        {
            get
            {
                Reads++;
                return base.Claims;
            }
        }
    }

    [Fact]
    public async Task ClaimAttributes_ValuesWithLoneSurrogatesOrQuotes_KeepTheirTextAndGetADecision()
    {
        var authorizer = EchoDeniedForTenant("""
            "a\"b\\c\n"
            """);

        // A claim can hold any .NET string, including one no JSON writer accepts.
        var odd = ClaimAttributes.From(new CountingPrincipal(new Claim("tenant", "x\ud800"), new Claim("role", "\udc00"), new Claim("role", "ok")));
        var quoted = ClaimAttributes.From(new CountingPrincipal(new Claim("tenant", "a\"b\\c\n")));

        Assert.True((await authorizer.AuthorizeAsync(new ToolCall("echo", default(JsonProperties), caller: odd))).IsAllowed);
        Assert.False((await authorizer.AuthorizeAsync(new ToolCall("echo", default(JsonProperties), caller: quoted))).IsAllowed);
        Assert.True(odd.TryGetProperty("tenant", out var tenant));
        Assert.Equal("\"x\\ud800\"", tenant.GetRawText());
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
