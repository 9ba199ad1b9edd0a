using System.Security.Claims;
using BenchmarkDotNet.Attributes;
using PolicyLayer.ModelContextProtocol;

namespace PolicyLayer.Benchmarks.Mcp;

/// <summary>
/// What a call over HTTP pays for its caller attributes (a bearer token's claims): the view the integration hands the
/// authorizer, unread (a policy that never says <c>caller</c>) and read once, against building the claims object,
/// which every call paid before the view was lazy (the baseline).
/// </summary>
[MemoryDiagnoser]
public class CallerAttributesBenchmarks
{
    private readonly ClaimsPrincipal _user = new(new ClaimsIdentity(
    [
        new Claim(ClaimTypes.NameIdentifier, "alice"),
        new Claim(ClaimTypes.Role, "admin"),
        new Claim(ClaimTypes.Role, "support"),
        new Claim("tenant", "acme"),
        new Claim("scope", "tools:call"),
        new Claim("grant_id", "grant-1"),
    ], "Bearer"));

    [Benchmark(Baseline = true)]
    public int Build() => ClaimAttributes.Build(_user).GetPropertyCount();

    [Benchmark]
    public bool Unread() => ClaimAttributes.From(_user).RootKind == System.Text.Json.JsonValueKind.Object;

    [Benchmark]
    public bool ReadOnce() => ClaimAttributes.From(_user).TryGetProperty("tenant", out _);
}
