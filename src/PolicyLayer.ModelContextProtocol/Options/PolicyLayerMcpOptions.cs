using System.Security.Claims;
using ModelContextProtocol.Protocol;
using ModelContextProtocol.Server;

namespace PolicyLayer.ModelContextProtocol;

/// <summary>
/// Options of the MCP integration: how refusals look, where a call's grant, session and caller attributes come
/// from, and whether approvals are asked for through elicitation. Validated when the host starts.
/// </summary>
public sealed class PolicyLayerMcpOptions
{
    /// <summary>How refused calls are answered. Default: <see cref="PolicyRefusalStyle.ToolResult"/>.</summary>
    /// <remarks>A hidden tool is always answered exactly as an unknown tool, whatever the style.</remarks>
    public PolicyRefusalStyle RefusalStyle { get; set; } = PolicyRefusalStyle.ToolResult;

    /// <summary>The JSON-RPC error code of refusals under <see cref="PolicyRefusalStyle.ProtocolError"/>. Default: <see cref="McpErrorCode.InvalidRequest"/> (-32600), as the SDK's own authorization answers.</summary>
    public McpErrorCode ProtocolErrorCode { get; set; } = McpErrorCode.InvalidRequest;

    /// <summary>
    /// The claim of the request's user (<c>RequestContext.User</c>, set by ASP.NET Core authentication) whose
    /// value is the call's grant id. Default: <see cref="ClaimTypes.NameIdentifier"/>, which is where ASP.NET
    /// Core's JWT bearer handler puts the token's <c>sub</c> by default; use <c>"sub"</c> when inbound claim
    /// mapping is off. Ignored when <see cref="GrantResolver"/> is set. No user or no such claim: the grant is
    /// <c>"anonymous"</c>.
    /// </summary>
    public string GrantClaimType { get; set; } = ClaimTypes.NameIdentifier;

    /// <summary>Overrides how the grant id is found. Return <see langword="null"/> for <c>"anonymous"</c>.</summary>
    public Func<RequestContext<CallToolRequestParams>, string?>? GrantResolver { get; set; }

    /// <summary>
    /// Overrides how the session id is found. Default: <c>context.Server.SessionId</c>, which is
    /// <see langword="null"/> (session <c>"anonymous"</c>) for stdio and stateless HTTP.
    /// </summary>
    public Func<RequestContext<CallToolRequestParams>, string?>? SessionResolver { get; set; }

    /// <summary>
    /// Overrides the caller attributes that <c>caller.*</c> paths address. Default: the user's claims as a JSON
    /// object of claim type to value (an array of values when the type repeats); the well-known
    /// <see cref="ClaimTypes"/> URIs are shortened (<c>role</c>, <c>name</c>, <c>email</c>, <c>sub</c>), so that
    /// <c>caller.role</c> works. No user: no attributes.
    /// </summary>
    public Func<RequestContext<CallToolRequestParams>, JsonProperties>? CallerResolver { get; set; }

    /// <summary>
    /// Whether each tool's declared <c>inputSchema</c> is registered with the authorizer (so that the policy's
    /// <c>input_schema: "enforce"</c> applies). Default: <see langword="true"/>.
    /// </summary>
    public bool RegisterDeclaredInputSchemas { get; set; } = true;

    /// <summary>
    /// Whether the SDK's own <c>notifications/tools/list_changed</c>, sent when the host adds or removes a tool in its
    /// tool collection at run time, is held back when the tools the session can see did not change (a hidden tool
    /// added, say), so that a client cannot learn that something hidden changed. Default: <see langword="false"/>.
    /// </summary>
    /// <remarks>
    /// It takes message filters, which the SDK builds and runs for every message the server receives and sends: about a
    /// microsecond more per <c>tools/call</c> round trip in the benchmarks. The notification tells no name, so leave
    /// it off unless the host changes its tool collection at run time and the mere fact of a hidden change matters.
    /// Policy changes are told (or not) by what each session sees whatever this says. Only sessions on revisions with
    /// the initialize handshake (up to 2025-11-25) are judged: from 2026-07-28 the SDK sends one notification per
    /// subscription, and they pass as it sends them.
    /// </remarks>
    public bool HoldBackUnseenToolListChanges { get; set; }

    /// <summary>
    /// Asking the person at the client to approve a call that needs approval, through MCP elicitation. Off by
    /// default; see <see cref="ApprovalElicitationOptions"/> for why.
    /// </summary>
    public ApprovalElicitationOptions ApprovalElicitation { get; } = new();
}
