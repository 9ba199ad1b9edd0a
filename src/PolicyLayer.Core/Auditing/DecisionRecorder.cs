using Microsoft.Extensions.Logging;

namespace PolicyLayer.Auditing;

/// <summary>Builds a <see cref="DecisionRecord"/> for a decision and hands it to every sink.</summary>
internal sealed partial class DecisionRecorder
{
    private readonly IDecisionSink[] _sinks;
    private readonly DecisionRecordOptions _options;
    private readonly TimeProvider _time;
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
        _time = time;
        _logger = logger;
    }

    public bool HasSinks => _sinks.Length > 0;

    public DecisionRecord Build(in ToolCall call, in AuthorizationDecision decision, bool enforced, TimeSpan duration, AuthorizationDecision? candidate)
    {
        var keys = ArgumentKeys(call.Arguments, out var count);
        return new DecisionRecord
        {
            Timestamp = _time.GetUtcNow(),
            Tool = call.ToolName,
            Grant = call.GrantId,
            Session = call.SessionId,
            Outcome = decision.Outcome,
            Rule = decision.Rule,
            Message = decision.Message,
            PolicyRevision = decision.PolicyRevision,
            Enforced = enforced,
            Duration = duration,
            RetryAfter = decision.RetryAfter,
            ApprovalId = decision.ApprovalId,
            ArgumentKeys = keys,
            ArgumentCount = count,
            ArgumentsHash = _options.HashArguments ? CanonicalArguments.Hash(call.Arguments, _options.ArgumentHashSalt!) : null,
            Shadow = candidate is { } c ? new ShadowDecision(c.Outcome, c.Rule, c.Message, c.PolicyRevision, c.Outcome == decision.Outcome) : null,
        };
    }

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

    private string[] ArgumentKeys(in JsonProperties arguments, out int count)
    {
        count = arguments.Count;
        if (count == 0 || _options.MaxArgumentKeys == 0)
        {
            return [];
        }

        var names = new string[count];
        var i = 0;
        foreach (var property in arguments)
        {
            if (i == names.Length)
            {
                break;
            }

            var name = property.Name;
            names[i++] = name.Length > _options.MaxArgumentKeyLength ? name[.._options.MaxArgumentKeyLength] : name;
        }

        Array.Sort(names, 0, i, StringComparer.Ordinal);
        return i <= _options.MaxArgumentKeys ? names : names[.._options.MaxArgumentKeys];
    }

    [LoggerMessage(EventId = 20, Level = LogLevel.Error, Message = "The decision sink {Sink} failed; the decision stands and the record was not written to it")]
    private static partial void LogSinkFailed(ILogger logger, string sink, Exception exception);
}
