using Microsoft.Extensions.Logging;

namespace PolicyLayer.Auditing;

/// <summary>
/// Writes every decision record to an <see cref="ILogger"/> (category <c>PolicyLayer.Decisions</c>): allows at
/// <see cref="LogLevel.Debug"/>, refusals and approval requests at <see cref="LogLevel.Information"/>, with the
/// record's fields as structured properties. Argument values are never logged.
/// </summary>
public sealed partial class LoggerDecisionSink : IDecisionSink
{
    /// <summary>The logger category.</summary>
    public const string Category = "PolicyLayer.Decisions";

    private readonly ILogger _logger;

    /// <summary>Creates the sink.</summary>
    /// <param name="loggerFactory">Creates the <see cref="Category"/> logger.</param>
    public LoggerDecisionSink(ILoggerFactory loggerFactory)
    {
        ArgumentNullException.ThrowIfNull(loggerFactory);
        _logger = loggerFactory.CreateLogger(Category);
    }

    /// <inheritdoc />
    public ValueTask WriteAsync(DecisionRecord record)
    {
        ArgumentNullException.ThrowIfNull(record);
        var level = record.Outcome == DecisionOutcome.Allow ? LogLevel.Debug : LogLevel.Information;
        if (!_logger.IsEnabled(level))
        {
            return default;
        }

        var keys = record.ArgumentKeys.Count == 0 ? string.Empty : string.Join(",", record.ArgumentKeys);
        var durationMs = record.Duration.TotalMilliseconds;
        var shadowOutcome = record.Shadow is { } shadow ? Diagnostics.PolicyLayerTelemetry.OutcomeText(shadow.Outcome) : null;
        if (record.Outcome == DecisionOutcome.Allow)
        {
            LogAllowed(_logger, record.Tool, record.Grant, record.Session, record.Rule, record.PolicyRevision, record.Enforced, durationMs, keys, record.ArgumentCount, record.ApprovalId, shadowOutcome, record.Shadow?.Rule, record.Shadow?.Agrees);
        }
        else
        {
            var outcome = Diagnostics.PolicyLayerTelemetry.OutcomeText(record.Outcome);
            var retryAfterSeconds = record.RetryAfter is { } retryAfter ? Math.Round(retryAfter.TotalSeconds, 3) : (double?)null;
            LogRefused(_logger, outcome, record.Tool, record.Grant, record.Session, record.Rule, record.PolicyRevision, record.Enforced, durationMs, retryAfterSeconds, keys, record.ArgumentCount, record.ApprovalId, shadowOutcome, record.Shadow?.Rule, record.Shadow?.Agrees, record.Message);
        }

        return default;
    }

    /// <inheritdoc />
    public ValueTask FlushAsync(CancellationToken cancellationToken = default) => default;

    [LoggerMessage(EventId = 100, Level = LogLevel.Debug, Message = "allow {Tool} grant={Grant} session={Session} rule={Rule} revision={Revision} enforced={Enforced} duration_ms={DurationMs} arg_keys={ArgKeys} arg_count={ArgCount} approval_id={ApprovalId} shadow={ShadowOutcome} shadow_rule={ShadowRule} shadow_agrees={ShadowAgrees}")]
    private static partial void LogAllowed(ILogger logger, string tool, string? grant, string? session, string rule, string revision, bool enforced, double durationMs, string argKeys, int argCount, string? approvalId, string? shadowOutcome, string? shadowRule, bool? shadowAgrees);

    [LoggerMessage(EventId = 101, Level = LogLevel.Information, Message = "{Outcome} {Tool} grant={Grant} session={Session} rule={Rule} revision={Revision} enforced={Enforced} duration_ms={DurationMs} retry_after_s={RetryAfterSeconds} arg_keys={ArgKeys} arg_count={ArgCount} approval_id={ApprovalId} shadow={ShadowOutcome} shadow_rule={ShadowRule} shadow_agrees={ShadowAgrees}: {DecisionMessage}")]
    private static partial void LogRefused(ILogger logger, string outcome, string tool, string? grant, string? session, string rule, string revision, bool enforced, double durationMs, double? retryAfterSeconds, string argKeys, int argCount, string? approvalId, string? shadowOutcome, string? shadowRule, bool? shadowAgrees, string decisionMessage);
}
