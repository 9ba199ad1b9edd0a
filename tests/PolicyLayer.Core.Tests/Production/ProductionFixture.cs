using System.Collections.Concurrent;
using System.Text.Json;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Time.Testing;
using PolicyLayer.Approvals;
using PolicyLayer.Auditing;
using PolicyLayer.Authorization;
using PolicyLayer.Counters;

namespace PolicyLayer.Tests.Production;

/// <summary>An authorizer with a fake clock, a collecting sink and, optionally, an approval store.</summary>
internal sealed class ProductionFixture
{
    public ProductionFixture(string policyJson, bool approvals = false, DecisionRecordOptions? records = null, IDecisionSink? extraSink = null)
    {
        Time = new FakeTimeProvider(new DateTimeOffset(2026, 1, 1, 12, 0, 0, TimeSpan.Zero));
        Store = new InMemoryCounterStore(Time);
        Approvals = approvals ? new InMemoryApprovalStore(Time) : null;
        ApprovalService = Approvals is null ? null : new ApprovalService(Approvals, TimeSpan.FromMinutes(30));
        Logger = new TestLogger<PolicyAuthorizer>();
        Authorizer = new PolicyAuthorizer(PolicyLayer.Policies.Policy.Parse(policyJson), Store, new PolicyAuthorizerOptions
        {
            TimeProvider = Time,
            DecisionSinks = extraSink is null ? [Sink] : [Sink, extraSink],
            DecisionRecords = records ?? DecisionRecordOptions.Default,
            ApprovalStore = Approvals,
            ApprovalTimeout = TimeSpan.FromMinutes(10),
        }, Logger);
    }

    public FakeTimeProvider Time { get; }

    public InMemoryCounterStore Store { get; }

    public InMemoryApprovalStore? Approvals { get; }

    public ApprovalService? ApprovalService { get; }

    public CollectingSink Sink { get; } = new();

    public TestLogger<PolicyAuthorizer> Logger { get; }

    public PolicyAuthorizer Authorizer { get; }

    public AuthorizationDecision Call(string tool, string args = "{}", string? grant = "grant-1", string? session = "session-1")
    {
        var pending = Authorizer.AuthorizeAsync(new ToolCall(tool, JsonDocument.Parse(args).RootElement, grant, session));
        Assert.True(pending.IsCompletedSuccessfully, "an in-memory authorization completes synchronously");
        return pending.Result;
    }

    /// <summary>Authorizes a call that completes synchronously (in-memory stores).</summary>
    public static AuthorizationDecision Sync(IToolCallAuthorizer authorizer, ToolCall call)
    {
        var pending = authorizer.AuthorizeAsync(call);
        Assert.True(pending.IsCompletedSuccessfully, "an in-memory authorization completes synchronously");
        return pending.Result;
    }

    public static string Policy(string tools, string extra = "") =>
        $$"""{ "version": "1", "default": "deny", {{extra}} "tools": {{tools}} }""";
}

/// <summary>Keeps every record.</summary>
internal sealed class CollectingSink : IDecisionSink
{
    private readonly ConcurrentQueue<DecisionRecord> _records = new();

    public IReadOnlyList<DecisionRecord> Records => [.. _records];

    public DecisionRecord Last => _records.Last();

    public ValueTask WriteAsync(DecisionRecord record)
    {
        _records.Enqueue(record);
        return default;
    }

    public ValueTask FlushAsync(CancellationToken cancellationToken = default) => default;
}

/// <summary>Captures formatted log messages.</summary>
internal sealed class TestLogger<T> : ILogger<T>
{
    private readonly ConcurrentQueue<(LogLevel Level, string Message)> _entries = new();

    public Action<string>? OnMessage { get; set; }

    public IReadOnlyList<(LogLevel Level, string Message)> Entries => [.. _entries];

    public IEnumerable<string> Messages => _entries.Select(e => e.Message);

    public IDisposable? BeginScope<TState>(TState state)
        where TState : notnull => null;

    public bool IsEnabled(LogLevel logLevel) => true;

    public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
    {
        var message = formatter(state, exception);
        _entries.Enqueue((logLevel, message));
        OnMessage?.Invoke(message);
    }
}
