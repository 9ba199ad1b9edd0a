using PolicyLayer.Authorization;
using PolicyLayer.Counters;
using PolicyLayer.Policies;

namespace PolicyLayer.Cli.Replay;

/// <summary>
/// Feeds recorded calls, in order, to a <see cref="PolicyAuthorizer"/> with its own in-memory budgets and a
/// <see cref="ReplayClock"/> driven by the calls' <c>at</c> times. A call whose <c>result</c> is <c>"error"</c>
/// reports its tool as failed, which refunds what it reserved, exactly as a host would.
/// </summary>
internal sealed class Replayer
{
    private readonly ReplayClock _clock;
    private readonly PolicyAuthorizer _authorizer;
    private bool _timeSet;

    /// <param name="policy">The policy to replay against.</param>
    /// <param name="start">The time of calls before the first <c>at</c> (normally the current time).</param>
    /// <param name="store">A counter store to use instead of a fresh in-memory one (explain wraps it to record budgets).</param>
    public Replayer(Policy policy, DateTimeOffset start, Func<TimeProvider, ICounterStore>? store = null)
    {
        _clock = new ReplayClock(start);
        var counters = store?.Invoke(_clock) ?? new InMemoryCounterStore(_clock);
        _authorizer = new PolicyAuthorizer(policy, counters);
    }

    /// <summary>The replay's current time.</summary>
    public DateTimeOffset Now => _clock.GetUtcNow();

    public PolicyAuthorizer Authorizer => _authorizer;

    /// <summary>Decides one call, moving the clock to its <c>at</c> first.</summary>
    /// <returns>The decision, or no decision and the reason when <c>at</c> goes back in time.</returns>
    public async ValueTask<(DecisionRecord? Decision, string? Error)> StepAsync(CallLine call)
    {
        if (call.At is { } at)
        {
            if (!_timeSet)
            {
                _clock.Set(at);
                _timeSet = true;
            }
            else if (!_clock.TryMoveTo(at))
            {
                return (null, $"'at' {Rfc3339.Format(at)} is earlier than the previous call's time {Rfc3339.Format(_clock.GetUtcNow())}; calls must be in time order");
            }
        }
        else
        {
            // A call without 'at' happens at the previous call's time; the first one fixes the start time.
            _timeSet = true;
        }

        var decision = await _authorizer.AuthorizeAsync(call.ToToolCall()).ConfigureAwait(false);
        if (decision.IsAllowed)
        {
            await decision.ReportOutcomeAsync(call.Failed ? ToolCallOutcome.Failed : ToolCallOutcome.Succeeded).ConfigureAwait(false);
        }

        return (DecisionRecord.From(decision), null);
    }
}
