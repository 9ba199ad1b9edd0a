using System.Collections.Concurrent;
using Microsoft.Extensions.Logging;
using PolicyLayer.Auditing;
using PolicyLayer.Tests.Auditing;

namespace PolicyLayer.Tests.Production;

/// <summary>The decision sink contract against the <see cref="ILogger"/> sink, read back from the structured log state.</summary>
public sealed class LoggerDecisionSinkContractTests : DecisionSinkContractTests
{
    private readonly StateCapturingLoggerFactory _loggers = new();

    protected override IDecisionSink CreateSink() => new LoggerDecisionSink(_loggers);

    protected override IReadOnlyList<WrittenRecord> ReadWritten() => [.. _loggers.Entries.Select(Read)];

    [Fact]
    public async Task Write_UsesTheDecisionsCategory_AllowsAtDebugRefusalsAtInformation()
    {
        IDecisionSink sink = CreateSink();
        var allowed = new DecisionRecord { Timestamp = DateTimeOffset.UnixEpoch, Tool = "a", Outcome = DecisionOutcome.Allow, Rule = "/tools/a", Message = "Allowed.", PolicyRevision = "1" };
        var denied = new DecisionRecord { Timestamp = DateTimeOffset.UnixEpoch, Tool = "b", Outcome = DecisionOutcome.Deny, Rule = "/tools/b", Message = "No.", PolicyRevision = "1" };

        await sink.WriteAsync(allowed);
        await sink.WriteAsync(denied);

        Assert.Equal([LoggerDecisionSink.Category, LoggerDecisionSink.Category], _loggers.Entries.Select(e => e.Category));
        Assert.Equal([LogLevel.Debug, LogLevel.Information], _loggers.Entries.Select(e => e.Level));
    }

    private static WrittenRecord Read(LogEntry entry)
    {
        // The allow message (event 100) has no outcome field: its event says it.
        var outcome = entry.EventId == 100 ? "allow" : (string)entry.State["Outcome"]!;
        return new((string)entry.State["Tool"]!, outcome, (string)entry.State["Rule"]!, (string)entry.State["Revision"]!, entry.State.GetValueOrDefault("DecisionMessage") as string)
        {
            Grant = entry.State["Grant"] as string,
            Session = entry.State["Session"] as string,
            ApprovalId = entry.State["ApprovalId"] as string,
            ArgumentKeys = (string)entry.State["ArgKeys"]!,
            ArgumentCount = (int)entry.State["ArgCount"]!,
            RetryAfterSeconds = entry.State.GetValueOrDefault("RetryAfterSeconds") as double?,
            ShadowOutcome = entry.State["ShadowOutcome"] as string,
            ShadowRule = entry.State["ShadowRule"] as string,
            ShadowAgrees = entry.State["ShadowAgrees"] as bool?,
        };
    }

    private sealed record LogEntry(string Category, LogLevel Level, int EventId, IReadOnlyDictionary<string, object?> State);

    /// <summary>Keeps each entry's structured state (the named values of the message template).</summary>
    private sealed class StateCapturingLoggerFactory : ILoggerFactory
    {
        private readonly ConcurrentQueue<LogEntry> _entries = new();

        public IReadOnlyList<LogEntry> Entries => [.. _entries];

        public ILogger CreateLogger(string categoryName) => new Logger(categoryName, _entries);

        public void AddProvider(ILoggerProvider provider) => throw new NotSupportedException();

        public void Dispose()
        {
        }

        private sealed class Logger(string category, ConcurrentQueue<LogEntry> entries) : ILogger
        {
            public IDisposable? BeginScope<TState>(TState state)
                where TState : notnull => null;

            public bool IsEnabled(LogLevel logLevel) => true;

            public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
            {
                var values = state as IReadOnlyList<KeyValuePair<string, object?>> ?? [];
                entries.Enqueue(new LogEntry(category, logLevel, eventId.Id, values.ToDictionary(pair => pair.Key, pair => pair.Value)));
            }
        }
    }
}
