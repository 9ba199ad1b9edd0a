using ModelContextProtocol.Protocol;
using ModelContextProtocol.Server;

namespace PolicyLayer.ModelContextProtocol;

/// <summary>
/// Whether, and how, a call that needs approval is put to the person at the MCP client through elicitation
/// (<c>elicitation/create</c>), instead of only telling the model the approval id.
/// </summary>
/// <remarks>
/// <para>Off by default. Turning it on makes the person using the client an approver: their Accept approves the
/// request through <see cref="PolicyLayer.Approvals.IApprovalService"/> (recorded with
/// <see cref="ApproverResolver"/>'s name), and the call runs once. A policy's <c>require_approval</c> may be
/// meant for someone else (an operator approving payments through the approval API, not the user whose agent
/// asks), so letting the requesting user approve is the operator's choice, never an upgrade's side effect.</para>
/// <para>Fails closed: a client that did not declare form elicitation, a stateless session, an error, or no
/// answer within <see cref="Timeout"/> gives the usual answer with the approval id, and the call does not run.</para>
/// </remarks>
public sealed class ApprovalElicitationOptions
{
    /// <summary>Whether calls that need approval are put to the person at clients that support elicitation. Default: <see langword="false"/>.</summary>
    /// <remarks>Needs approvals registered: <c>services.AddPolicyLayer(...).AddApprovals()</c>.</remarks>
    public bool Enabled { get; set; }

    /// <summary>
    /// How long to wait for the person's answer, timed by the host's <see cref="TimeProvider"/>; after it the
    /// question is withdrawn and the call is answered with its approval id. Default: 2 minutes. At most one day.
    /// </summary>
    /// <remarks>The <c>tools/call</c> request stays open while the person reads: keep this under the client's request timeout.</remarks>
    public TimeSpan Timeout { get; set; } = TimeSpan.FromMinutes(2);

    /// <summary>
    /// Whether the question shows the arguments' values (each shortened to 200 characters) and not only their
    /// top-level names. Default: <see langword="false"/>: values may be secrets or personal data, and the
    /// client may keep or forward what it shows.
    /// </summary>
    public bool ShowArgumentValues { get; set; }

    /// <summary>
    /// Names the approver recorded on the request (<see cref="PolicyLayer.Approvals.ApprovalRequest.DecidedBy"/>).
    /// Default (or when it returns <see langword="null"/> or empty): the MCP client's name and the session, for
    /// example <c>elicitation: person at MCP client 'vscode' (session 3f2a…)</c>. An HTTP host can name the
    /// signed-in user from <see cref="RequestContext{TParams}"/>'s <c>User</c>.
    /// </summary>
    public Func<RequestContext<CallToolRequestParams>, string?>? ApproverResolver { get; set; }
}
