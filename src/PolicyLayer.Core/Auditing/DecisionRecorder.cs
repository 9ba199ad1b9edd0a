using System.Runtime.CompilerServices;
using Microsoft.Extensions.Logging;

namespace PolicyLayer.Auditing;

/// <summary>Builds a <see cref="DecisionRecord"/> for a decision and hands it to every sink.</summary>
internal sealed partial class DecisionRecorder
{
    private readonly IDecisionSink[] _sinks;
    private readonly DecisionRecordOptions _options;
    private readonly RecordClock _clock;
    private readonly ArgumentKeyShapes _keys;
    private readonly ILogger _logger;

    public DecisionRecorder(IReadOnlyList<IDecisionSink> sinks, DecisionRecordOptions options, TimeProvider time, ILogger logger)
    {
        var problems = options.Validate();
        if (problems.Count > 0)
        {
            throw new ArgumentException(string.Join(" ", problems), nameof(options));
        }

        _sinks = [.. sinks];
        _options = options;
        _clock = new RecordClock(time);
        _keys = new ArgumentKeyShapes(options.MaxArgumentKeys, options.MaxArgumentKeyLength);
        _logger = logger;
    }

    public bool HasSinks => _sinks.Length > 0;

    /// <summary>The clock that times decisions and dates records.</summary>
    public RecordClock Clock => _clock;

    // end: the timestamp (TimeProvider.GetTimestamp) at which the decision was made; the record's time derives from it.
    // Not inlined, like ArgumentKeyShapes.For: inlined into the authorizer, their locals widen the frame every call sets up.
    // Returns null, after logging, when the record cannot be built: the arguments are the caller's, and whatever they
    // hold (a dictionary that throws, text no other check met) must not turn a decision, and the reservation it
    // carries, into an exception the host never sees the decision of.
    [MethodImpl(MethodImplOptions.NoInlining)]
    public DecisionRecord? Build(in ToolCall call, in AuthorizationDecision decision, bool enforced, long end, TimeSpan duration, in AuthorizationDecision? candidate)
    {
        try
        {
            return BuildRecord(call, decision, enforced, end, duration, candidate);
        }
        catch (Exception ex)
        {
            LogRecordFailed(_logger, call.ToolName, ex);
            return null;
        }
    }

    private DecisionRecord BuildRecord(in ToolCall call, in AuthorizationDecision decision, bool enforced, long end, TimeSpan duration, in AuthorizationDecision? candidate)
    {
        var keys = _keys.For(call.ToolName, call.Arguments, out var count);
        return new DecisionRecord
        {
            Timestamp = _clock.UtcAt(end),
            Tool = call.ToolName,
            Grant = call.GrantId,
            Session = call.SessionId,
            Outcome = decision.Outcome,
            Rule = decision.Rule,
            Message = RecordedMessage(decision),
            PolicyRevision = decision.PolicyRevision,
            Enforced = enforced,
            Duration = duration,
            RetryAfter = decision.RetryAfter,
            ApprovalId = decision.ApprovalId,
            ArgumentKeys = keys,
            ArgumentCount = count,
            ArgumentsHash = _options.HashArguments ? CanonicalArguments.Hash(call.Arguments, _options.ArgumentHashSalt!) : null,
            Shadow = candidate is { } c ? new ShadowDecision(c.Outcome, c.Rule, RecordedMessage(c), c.PolicyRevision, c.Outcome == decision.Outcome) : null,
        };
    }

    /// <summary>
    /// The decision's message as a record keeps it. A schema refusal tells the model which values are wrong
    /// (<c>/amount: 150 is greater than the maximum 100</c>), and a record never holds argument content, so it keeps
    /// only which top-level argument each error is in and which keyword failed. Other messages quote no argument: they
    /// are written from the policy, the tool's name, ids and the stores' errors.
    /// </summary>
    private string RecordedMessage(in AuthorizationDecision decision) =>
        decision.HasValidationErrors
            ? Authorization.DecisionText.SchemaInvalidWithoutValues(decision.ValidationErrors, declared: decision.Rule == RuleIds.InputSchema, _options.MaxArgumentKeyLength)
            : decision.Message;

    /// <summary>Writes to every sink; a sink that throws is logged and skipped, never failing the authorization.</summary>
    public ValueTask WriteAsync(DecisionRecord record)
    {
        for (var i = 0; i < _sinks.Length; i++)
        {
            ValueTask pending;
            try
            {
                pending = _sinks[i].WriteAsync(record);
            }
            catch (Exception ex)
            {
                LogSinkFailed(_logger, _sinks[i].GetType().Name, ex);
                continue;
            }

            if (!pending.IsCompletedSuccessfully)
            {
                return WriteRestAsync(pending, record, i);
            }
        }

        return default;
    }

    private async ValueTask WriteRestAsync(ValueTask pending, DecisionRecord record, int index)
    {
        try
        {
            await pending.ConfigureAwait(false);
        }
        catch (Exception ex)
        {
            LogSinkFailed(_logger, _sinks[index].GetType().Name, ex);
        }

        for (var i = index + 1; i < _sinks.Length; i++)
        {
            try
            {
                await _sinks[i].WriteAsync(record).ConfigureAwait(false);
            }
            catch (Exception ex)
            {
                LogSinkFailed(_logger, _sinks[i].GetType().Name, ex);
            }
        }
    }

    [LoggerMessage(EventId = 21, Level = LogLevel.Error, Message = "The decision record of a call to '{Tool}' could not be built from its arguments; the decision stands and no record was written")]
    private static partial void LogRecordFailed(ILogger logger, string tool, Exception exception);

    [LoggerMessage(EventId = 20, Level = LogLevel.Error, Message = "The decision sink {Sink} failed; the decision stands and the record was not written to it")]
    private static partial void LogSinkFailed(ILogger logger, string sink, Exception exception);
}
