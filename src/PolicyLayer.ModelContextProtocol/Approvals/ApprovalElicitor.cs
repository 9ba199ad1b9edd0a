using System.Collections.Concurrent;
using Microsoft.Extensions.Logging;
using ModelContextProtocol.Protocol;
using ModelContextProtocol.Server;
using PolicyLayer.Approvals;

namespace PolicyLayer.ModelContextProtocol;

/// <summary>What came of asking the person at the client about a pending approval request.</summary>
internal enum ApprovalAnswer
{
    /// <summary>Nobody was asked, or no answer came (no capability, an error, the timeout): the call keeps its approval-id answer.</summary>
    NotAsked,

    /// <summary>The person accepted, and the request was approved in their name (or decided meanwhile): authorize the call again.</summary>
    Accepted,

    /// <summary>The person declined; the denial is recorded on the request.</summary>
    Declined,

    /// <summary>The person dismissed the question without choosing; the request stays pending for another approver.</summary>
    Dismissed,
}

/// <summary>
/// Puts a pending approval request to the person at the MCP client through elicitation and records their answer
/// through <see cref="IApprovalService"/>.
/// </summary>
/// <remarks>
/// <para>Fails closed: anything but an explicit accept leaves the call unapproved. A client without form
/// elicitation, a request no longer pending, an error of the client or the store, or no answer within the
/// timeout (timed by the host's <see cref="TimeProvider"/>) all answer <see cref="ApprovalAnswer.NotAsked"/>.</para>
/// <para>One question per approval id at a time: a retry that arrives while the person is being asked is not
/// asked again (it gets the approval-id answer), so a model retrying cannot stack prompts.</para>
/// </remarks>
internal sealed partial class ApprovalElicitor
{
    private const string DeclinedReason = "The person at the MCP client was asked and declined.";

    private readonly IApprovalService _approvals;
    private readonly TimeProvider _time;
    private readonly ILogger _logger;
    private readonly TimeSpan _timeout;
    private readonly bool _showValues;
    private readonly Func<RequestContext<CallToolRequestParams>, string?>? _approverResolver;
    private readonly ConcurrentDictionary<string, byte> _asking = new(StringComparer.Ordinal);

    public ApprovalElicitor(IApprovalService approvals, ApprovalElicitationOptions options, TimeProvider time, ILogger logger)
    {
        _approvals = approvals;
        _time = time;
        _logger = logger;

        // Copied, so that changing the options object after startup has no effect.
        _timeout = options.Timeout;
        _showValues = options.ShowArgumentValues;
        _approverResolver = options.ApproverResolver;
    }

    /// <summary>Asks the person about <paramref name="approvalId"/>, if the client can be asked, and records the answer.</summary>
    /// <exception cref="OperationCanceledException"><paramref name="cancellationToken"/> (the call's own) was cancelled.</exception>
    public async ValueTask<ApprovalAnswer> AskAsync(RequestContext<CallToolRequestParams> context, string approvalId, CancellationToken cancellationToken)
    {
        if (!SupportsFormElicitation(context.Server) || !_asking.TryAdd(approvalId, 0))
        {
            return ApprovalAnswer.NotAsked;
        }

        try
        {
            var request = await _approvals.GetAsync(approvalId, cancellationToken).ConfigureAwait(false);
            if (request is not { State: ApprovalState.Pending })
            {
                return ApprovalAnswer.NotAsked;
            }

            var result = await ElicitAsync(context, request, cancellationToken).ConfigureAwait(false);
            if (result is null)
            {
                return ApprovalAnswer.NotAsked;
            }

            switch (result.Action)
            {
                case "accept":
                    // Whatever the change says (applied, or decided meanwhile by someone else), the call is
                    // authorized again and the store's state decides.
                    await _approvals.ApproveAsync(approvalId, Approver(context), cancellationToken).ConfigureAwait(false);
                    return ApprovalAnswer.Accepted;
                case "decline":
                    await RecordDeclineAsync(context, approvalId, cancellationToken).ConfigureAwait(false);
                    return ApprovalAnswer.Declined;
                default:
                    // "cancel", or anything unknown: not an approval.
                    return ApprovalAnswer.Dismissed;
            }
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            throw;
        }
        catch (Exception ex)
        {
            LogStoreFailed(_logger, approvalId, ex);
            return ApprovalAnswer.NotAsked;
        }
        finally
        {
            _asking.TryRemove(approvalId, out _);
        }
    }

    private async ValueTask<ElicitResult?> ElicitAsync(RequestContext<CallToolRequestParams> context, ApprovalRequest request, CancellationToken cancellationToken)
    {
        var question = ApprovalQuestion.Create(request, context.Params?.Arguments, _showValues);
        using var timeout = new CancellationTokenSource(_timeout, _time);
        using var linked = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, timeout.Token);
        try
        {
            // The request-scoped server: over HTTP it answers on the call's own response stream.
            return await context.Server.ElicitAsync(question, linked.Token).ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (timeout.IsCancellationRequested && !cancellationToken.IsCancellationRequested)
        {
            LogTimedOut(_logger, request.Id, _timeout);
            return null;
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            // The client answered with an error, does not support it after all, or the session is stateless.
            LogElicitationFailed(_logger, request.Id, ex);
            return null;
        }
    }

    private async ValueTask RecordDeclineAsync(RequestContext<CallToolRequestParams> context, string approvalId, CancellationToken cancellationToken)
    {
        try
        {
            // Recorded, so that the model's retries are refused without asking the person again.
            await _approvals.DenyAsync(approvalId, Approver(context), DeclinedReason, cancellationToken).ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            // The person's answer stands for this call even when it could not be recorded.
            LogStoreFailed(_logger, approvalId, ex);
        }
    }

    private static bool SupportsFormElicitation(McpServer server) =>
        server.ClientCapabilities?.Elicitation is { } elicitation && (elicitation.Form is not null || elicitation.Url is null);

    private string Approver(RequestContext<CallToolRequestParams> context)
    {
        if (_approverResolver?.Invoke(context) is { Length: > 0 } named)
        {
            return ApprovalQuestion.Shown(named, 200);
        }

        var client = context.Server.ClientInfo?.Name is { Length: > 0 } name ? ApprovalQuestion.Shown(name, 64) : "unnamed";
        var session = context.Server.SessionId is { Length: > 0 } id ? $" (session {ApprovalQuestion.Shown(id, 64)})" : string.Empty;
        return $"elicitation: person at MCP client '{client}'{session}";
    }

    [LoggerMessage(EventId = 1, Level = LogLevel.Warning, Message = "Asking the person to approve request {ApprovalId} through elicitation failed; the call was answered with its approval id")]
    private static partial void LogElicitationFailed(ILogger logger, string approvalId, Exception exception);

    [LoggerMessage(EventId = 2, Level = LogLevel.Information, Message = "Nobody answered the elicitation for approval request {ApprovalId} within {Timeout}; the call was answered with its approval id")]
    private static partial void LogTimedOut(ILogger logger, string approvalId, TimeSpan timeout);

    [LoggerMessage(EventId = 3, Level = LogLevel.Error, Message = "Reading or recording approval request {ApprovalId} failed; the call was answered with its approval id")]
    private static partial void LogStoreFailed(ILogger logger, string approvalId, Exception exception);
}
