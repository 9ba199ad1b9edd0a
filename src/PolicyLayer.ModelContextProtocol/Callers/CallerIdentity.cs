using System.Buffers;
using System.Security.Claims;
using System.Text.Json;
using ModelContextProtocol.Protocol;
using ModelContextProtocol.Server;

namespace PolicyLayer.ModelContextProtocol;

/// <summary>Finds a call's grant, session and caller attributes, through the options' resolvers or the defaults.</summary>
internal sealed class CallerIdentity
{
    private readonly Func<RequestContext<CallToolRequestParams>, string?> _grant;
    private readonly Func<RequestContext<CallToolRequestParams>, string?> _session;
    private readonly Func<RequestContext<CallToolRequestParams>, JsonProperties> _caller;

    public CallerIdentity(PolicyLayerMcpOptions options)
    {
        var claimType = options.GrantClaimType;
        _grant = options.GrantResolver ?? (context => context.User?.FindFirst(claimType)?.Value);
        _session = options.SessionResolver ?? (static context => context.Server.SessionId);
        _caller = options.CallerResolver ?? (static context => ClaimAttributes.From(context.User));
    }

    public ToolCall CreateCall(RequestContext<CallToolRequestParams> context, string toolName) => new(
        toolName,
        new JsonProperties(context.Params?.Arguments),
        _grant(context),
        _session(context),
        _caller(context));
}

/// <summary>A user's claims as a JSON object: claim type to value, or to an array when the type repeats.</summary>
internal static class ClaimAttributes
{
    // Short names for the URIs ASP.NET Core maps common JWT claims to, so that policies can say caller.role.
    private static readonly Dictionary<string, string> ShortNames = new(StringComparer.Ordinal)
    {
        [ClaimTypes.Role] = "role",
        [ClaimTypes.Name] = "name",
        [ClaimTypes.NameIdentifier] = "sub",
        [ClaimTypes.Email] = "email",
        [ClaimTypes.GivenName] = "given_name",
        [ClaimTypes.Surname] = "family_name",
    };

    public static JsonProperties From(ClaimsPrincipal? user)
    {
        if (user is null || !user.Claims.Any())
        {
            return default;
        }

        var grouped = new Dictionary<string, List<string>>(StringComparer.Ordinal);
        foreach (var claim in user.Claims)
        {
            var name = ShortNames.GetValueOrDefault(claim.Type, claim.Type);
            if (!grouped.TryGetValue(name, out var values))
            {
                grouped[name] = values = [];
            }

            values.Add(claim.Value);
        }

        var buffer = new ArrayBufferWriter<byte>();
        using (var writer = new Utf8JsonWriter(buffer))
        {
            writer.WriteStartObject();
            foreach (var (name, values) in grouped)
            {
                if (values.Count == 1)
                {
                    writer.WriteString(name, values[0]);
                    continue;
                }

                writer.WriteStartArray(name);
                foreach (var value in values)
                {
                    writer.WriteStringValue(value);
                }

                writer.WriteEndArray();
            }

            writer.WriteEndObject();
        }

        using var document = JsonDocument.Parse(buffer.WrittenMemory);
        return new JsonProperties(document.RootElement.Clone());
    }
}
