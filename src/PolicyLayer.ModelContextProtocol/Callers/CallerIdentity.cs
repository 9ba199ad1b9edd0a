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
