using System.Security.Claims;
using System.Text.Encodings.Web;
using Microsoft.AspNetCore.Authentication;
using Microsoft.Extensions.Options;

namespace HttpGrants.McpServer;

/// <summary>Maps bearer tokens (from configuration, <c>Grants:Tokens</c>) to grant ids.</summary>
public sealed class GrantTokenOptions : AuthenticationSchemeOptions
{
    public const string Scheme = "GrantToken";

    /// <summary>Token to grant id.</summary>
    public Dictionary<string, string> Tokens { get; set; } = new(StringComparer.Ordinal);
}

/// <summary>
/// A deliberately small bearer-token handler: a known token signs the request in as its grant, with the grant id
/// in <see cref="ClaimTypes.NameIdentifier"/> (where PolicyLayer's MCP integration reads the grant by default).
/// </summary>
public sealed class GrantTokenHandler(IOptionsMonitor<GrantTokenOptions> options, ILoggerFactory logger, UrlEncoder encoder)
    : AuthenticationHandler<GrantTokenOptions>(options, logger, encoder)
{
    protected override Task<AuthenticateResult> HandleAuthenticateAsync()
    {
        var header = Request.Headers.Authorization.ToString();
        if (!header.StartsWith("Bearer ", StringComparison.Ordinal))
        {
            return Task.FromResult(AuthenticateResult.NoResult());
        }

        var token = header["Bearer ".Length..].Trim();
        if (!Options.Tokens.TryGetValue(token, out var grant))
        {
            return Task.FromResult(AuthenticateResult.Fail("Unknown bearer token."));
        }

        var identity = new ClaimsIdentity([new Claim(ClaimTypes.NameIdentifier, grant)], GrantTokenOptions.Scheme);
        return Task.FromResult(AuthenticateResult.Success(new AuthenticationTicket(new ClaimsPrincipal(identity), GrantTokenOptions.Scheme)));
    }
}
