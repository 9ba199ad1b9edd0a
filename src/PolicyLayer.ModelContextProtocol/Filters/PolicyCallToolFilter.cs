using ModelContextProtocol;
using ModelContextProtocol.Protocol;
using ModelContextProtocol.Server;

namespace PolicyLayer.ModelContextProtocol;

#pragma warning disable MCPEXP002 // The alternate-result pipeline is the only place that runs before a task is created.

/// <summary>
/// Authorizes each <c>tools/call</c> before the tool runs and reports the tool's outcome back, so a failed call
/// gives its reserved budget back.
/// </summary>
/// <remarks>
/// <para>Two parts. <see cref="AuthorizeAsync"/> sits first among the SDK's alternate-result call-tool filters,
/// outside task dispatch, so a refused call never creates a task. <see cref="ReportOutcome"/> sits last among the
/// ordinary call-tool filters, next to the tool, so a task-backed call running in the background still reports
/// how it ended. Reporting is idempotent, so both may report the same call.</para>
/// <para>Unknown tools, and tools the authorizer does not show (<see cref="IToolCallAuthorizer.IsToolVisible"/>: hidden,
/// or no policy loaded), are answered with the SDK's own unknown-tool error before anything about the caller is
/// resolved or authorized: a caller cannot tell them apart.</para>
/// <para>A call that needs approval is put to the person at the client when approval elicitation is on (see
/// <see cref="ApprovalElicitor"/>); if they accept, the call is authorized again, which uses the approval.</para>
/// </remarks>
internal sealed class PolicyCallToolFilter(
    IToolCallAuthorizer authorizer,
    PolicyToolCatalog catalog,
    CallerIdentity identity,
    PolicyLayerMcpOptions options,
    bool hasCustomCallHandler,
    bool reportsFromOrdinaryPipeline,
    ApprovalElicitor? elicitor = null)
{
    // The decision travels to the ordinary filter in the request's items (shared with a background task run).
    private const string DecisionKey = "PolicyLayer.ModelContextProtocol.Decision";

    public async ValueTask<ResultOrAlternate<CallToolResult>> AuthorizeAsync(
        RequestContext<CallToolRequestParams> context,
        McpRequestHandler<CallToolRequestParams, ResultOrAlternate<CallToolResult>> next,
        CancellationToken cancellationToken)
    {
        if (context.Params?.Name is not { } toolName)
        {
            // No tool name: the SDK rejects the request itself; there is nothing to authorize.
            return await next(context, cancellationToken).ConfigureAwait(false);
        }

        // A session may have a tool collection of its own (an HTTP server that sets its tools per session): follow it
        // too, so the declared schemas of its tools are enforced even if it never answered tools/list.
        catalog.Attach(context.Server.ServerOptions.ToolCollection);
        var existence = Existence(context, toolName);
        if (existence == ToolExistence.Unknown || !authorizer.IsToolVisible(toolName))
        {
            // Nothing would run; answer as the SDK does. A hidden tool answers the same, and is checked before the
            // caller's grant, session and attributes are resolved: those resolvers may fail for this caller, and a
            // failure only a hidden tool could cause would tell it the tool exists.
            throw UnknownTool(toolName);
        }

        var decision = await authorizer.AuthorizeAsync(identity.CreateCall(context, toolName), cancellationToken).ConfigureAwait(false);
        if (decision.Outcome == DecisionOutcome.RequireApproval && elicitor is not null && decision.ApprovalId is { } approvalId)
        {
            switch (await elicitor.AskAsync(context, approvalId, cancellationToken).ConfigureAwait(false))
            {
                case ApprovalAnswer.Accepted:
                    // Approved in the person's name: the approval is used by this authorization, exactly once.
                    decision = await authorizer.AuthorizeAsync(identity.CreateCall(context, toolName), cancellationToken).ConfigureAwait(false);
                    break;
                case ApprovalAnswer.Declined:
                    return Refuse(RefusalText.NotApproved(toolName, decision, dismissed: false));
                case ApprovalAnswer.Dismissed:
                    return Refuse(RefusalText.NotApproved(toolName, decision, dismissed: true));
            }
        }

        if (!decision.IsAllowed)
        {
            return Refuse(toolName, decision, existence);
        }

        if (decision.HasReservation && MayRunInBackground(context))
        {
            context.Items[DecisionKey] = new DecisionBox(decision);
        }

        ResultOrAlternate<CallToolResult> result;
        try
        {
            result = await next(context, cancellationToken).ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            // Cancelled by the client: whether the tool's effect happened is unknown (it may have, or may still, as
            // in a proxy whose upstream carries on). The call keeps its reservation, as an unreported call does;
            // refunding it would let a client that cancels every call get past every limit.
            throw;
        }
        catch
        {
            // Any other exception (including input the tool asks for before a retry) means the call did not
            // succeed; the retried call is authorized, and charged, again.
            await decision.ReportOutcomeAsync(ToolCallOutcome.Failed, CancellationToken.None).ConfigureAwait(false);
            throw;
        }

        if (!result.IsAlternate)
        {
            await decision.ReportOutcomeAsync(Outcome(result.Result), CancellationToken.None).ConfigureAwait(false);
        }

        // Otherwise a task was created: ReportOutcome reports when the tool finishes in the background.
        return result;
    }

    public McpRequestHandler<CallToolRequestParams, CallToolResult> ReportOutcome(McpRequestHandler<CallToolRequestParams, CallToolResult> next) =>
        (context, cancellationToken) =>
        {
            // Read through the message's context: RequestContext.Items would create the dictionary for every call.
            var box = context.JsonRpcMessage.Context?.Items is { } items && items.TryGetValue(DecisionKey, out var value) ? value as DecisionBox : null;

            // Nothing to report here (AuthorizeAsync reports): the call goes straight on, without a state machine of its own.
            return box is null ? next(context, cancellationToken) : RunAndReportAsync(next, context, box, cancellationToken);
        };

    private static async ValueTask<CallToolResult> RunAndReportAsync(
        McpRequestHandler<CallToolRequestParams, CallToolResult> next,
        RequestContext<CallToolRequestParams> context,
        DecisionBox box,
        CancellationToken cancellationToken)
    {
        CallToolResult result;
        try
        {
            result = await next(context, cancellationToken).ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            throw; // cancelled: the reservation is kept (see AuthorizeAsync)
        }
        catch
        {
            await box.Decision.ReportOutcomeAsync(ToolCallOutcome.Failed, CancellationToken.None).ConfigureAwait(false);
            throw;
        }

        await box.Decision.ReportOutcomeAsync(Outcome(result), CancellationToken.None).ConfigureAwait(false);
        return result;
    }

    /// <summary>
    /// Whether the tool may run after <see cref="AuthorizeAsync"/> has returned, as a task, so that only
    /// <see cref="ReportOutcome"/> can report how it ended. Only another alternate-result filter, inside this one, can
    /// make a call a task (the SDK reads the list for every call, and so does this); without one the tool runs within
    /// the call to the next handler, and <see cref="AuthorizeAsync"/> reports itself. That spares the items
    /// dictionary, created on first use, on every call.
    /// </summary>
    private bool MayRunInBackground(RequestContext<CallToolRequestParams> context) =>
        reportsFromOrdinaryPipeline && context.Server.ServerOptions.Filters.Request.CallToolWithAlternateFilters.Count > 1;

    private ToolExistence Existence(RequestContext<CallToolRequestParams> context, string toolName)
    {
        if (!hasCustomCallHandler)
        {
            // The SDK matched the name against this session's own tools: the catalog, which knows every session's
            // tools, would take a tool removed for this session as known.
            return context.MatchedPrimitive is not null ? ToolExistence.Known : ToolExistence.Unknown;
        }

        if (context.MatchedPrimitive is not null || catalog.Contains(toolName))
        {
            return ToolExistence.Known;
        }

        // With a handler of its own, only an authoritative catalog (a proxy's upstream list) can say the name is unknown.
        return catalog.IsAuthoritative ? ToolExistence.Unknown : ToolExistence.Unsure;
    }

    private ResultOrAlternate<CallToolResult> Refuse(string toolName, in AuthorizationDecision decision, ToolExistence existence)
    {
        // Hidden is still checked here: the policy may have hidden the tool since its visibility was checked.
        // A default-deny refusal of a name the server's own handler may or may not serve is answered as unknown
        // too: every name the policy does not list gets it, existing or not, while hidden names answer "unknown";
        // refusing missing names by policy would single out the hidden ones. The name could not run either way.
        if (decision.Rule == RuleIds.Hidden || (decision.Rule == RuleIds.DefaultDeny && existence == ToolExistence.Unsure))
        {
            throw UnknownTool(toolName);
        }

        return Refuse(RefusalText.For(toolName, decision));
    }

    private ResultOrAlternate<CallToolResult> Refuse(string text)
    {
        if (options.RefusalStyle == PolicyRefusalStyle.ProtocolError)
        {
            throw new McpProtocolException(text, options.ProtocolErrorCode);
        }

        return new CallToolResult { IsError = true, Content = [new TextContentBlock { Text = text }] };
    }

    private static McpProtocolException UnknownTool(string toolName) =>
        new(RefusalText.UnknownTool(toolName), McpErrorCode.InvalidParams);

    private static ToolCallOutcome Outcome(CallToolResult? result) =>
        result is null || result.IsError == true ? ToolCallOutcome.Failed : ToolCallOutcome.Succeeded;

    /// <summary>What the server is known to have, before the policy is asked.</summary>
    private enum ToolExistence
    {
        /// <summary>The server has the tool.</summary>
        Known,

        /// <summary>The server does not have the tool.</summary>
        Unknown,

        /// <summary>The server's own call handler may serve the name; nothing lists what it serves.</summary>
        Unsure,
    }

    /// <summary>A decision boxed once, so the items dictionary holds a reference.</summary>
    private sealed class DecisionBox(AuthorizationDecision decision)
    {
        public AuthorizationDecision Decision { get; } = decision;
    }
}
