using System.Collections.Concurrent;
using System.Text.Json;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using PolicyLayer.Approvals;
using PolicyLayer.Auditing;
using PolicyLayer.DependencyInjection;

namespace PolicyLayer.Tests.DependencyInjection;

/// <summary>
/// The builder methods that turn on decision records and approvals, as a host calls them: the authorizer the container
/// builds records to what they register, and a bad setting stops the host's start with what is wrong.
/// </summary>
public sealed class DecisionRecordRegistrationTests : IDisposable
{
    // One call a minute: the first call to t is allowed, the second refused.
    private const string PolicyText = """{ "version": "1", "default": "deny", "tools": { "t": { "limits": [ { "counter": "c", "window": "minute", "max": 1 } ] } } }""";

    private readonly string _directory = Directory.CreateTempSubdirectory("policylayer-records-").FullName;

    public void Dispose() => Directory.Delete(_directory, recursive: true);

    [Fact]
    public async Task AddJsonLinesDecisionLog_EveryDecisionIsInTheFileOnceTheContainerIsDisposed()
    {
        var path = Path.Combine(_directory, "decisions.jsonl");
        var provider = new ServiceCollection()
            .AddPolicyLayer(o => o.PolicyJson = PolicyText)
            .AddJsonLinesDecisionLog(o => o.Path = path)
            .Services.BuildServiceProvider();
        var authorizer = provider.GetRequiredService<IToolCallAuthorizer>();

        await authorizer.AuthorizeAsync(new ToolCall("t", grantId: "alice"));
        await authorizer.AuthorizeAsync(new ToolCall("t", grantId: "alice"));
        await authorizer.AuthorizeAsync(new ToolCall("unlisted", grantId: "alice"));
        await provider.DisposeAsync(); // drains the queue and closes the file

        var records = File.ReadAllLines(path).Select(line => JsonDocument.Parse(line).RootElement).ToList();
        Assert.Equal(["allow", "deny", "deny"], records.Select(r => r.GetProperty("outcome").GetString()));
        Assert.Equal(["t", "t", "unlisted"], records.Select(r => r.GetProperty("tool").GetString()));
        Assert.All(records, r => Assert.Equal("alice", r.GetProperty("grant").GetString()));
    }

    [Fact]
    public void AddJsonLinesDecisionLog_CalledTwice_OneLogOneSinkOneValidator()
    {
        var services = new ServiceCollection();
        services.AddPolicyLayer(o => o.PolicyJson = PolicyText)
            .AddJsonLinesDecisionLog(o => o.Path = Path.Combine(_directory, "a.jsonl"))
            .AddJsonLinesDecisionLog(o => o.Capacity = 16);

        Assert.Single(services, d => d.ServiceType == typeof(JsonLinesDecisionLog));
        Assert.Single(services, d => d.ServiceType == typeof(IDecisionSink));
        Assert.Single(services, d => d.ServiceType == typeof(IValidateOptions<JsonLinesDecisionLogOptions>));

        // Both configurations apply, in order.
        using var provider = services.BuildServiceProvider();
        var options = provider.GetRequiredService<IOptions<JsonLinesDecisionLogOptions>>().Value;
        Assert.Equal((Path.Combine(_directory, "a.jsonl"), 16), (options.Path, options.Capacity));
    }

    [Fact]
    public void AddJsonLinesDecisionLog_InvalidOptions_StartFailsNamingEachProblem()
    {
        using var provider = new ServiceCollection()
            .AddPolicyLayer(o => o.PolicyJson = PolicyText)
            .AddJsonLinesDecisionLog(o => o.Capacity = 0)
            .Services.BuildServiceProvider();

        var failures = StartFailures(provider);

        Assert.Equal(2, failures.Count);
        Assert.Contains(failures, f => f.StartsWith("JsonLinesDecisionLogOptions.Path is required", StringComparison.Ordinal));
        Assert.Contains("JsonLinesDecisionLogOptions.Capacity must be positive, not 0.", failures);
    }

    [Fact]
    public void ConfigureDecisionRecords_InvalidKeyBound_StartFailsNamingThatSettingOnly()
    {
        using var provider = new ServiceCollection()
            .AddPolicyLayer(o => o.PolicyJson = PolicyText)
            .ConfigureDecisionRecords(o => o.MaxArgumentKeys = -1)
            .Services.BuildServiceProvider();

        // Only what is wrong: hashing is off, so nothing about its salt.
        Assert.Equal(["DecisionRecordOptions.MaxArgumentKeys must not be negative, not -1."], StartFailures(provider));
    }

    [Fact]
    public void ConfigureDecisionRecords_HashWithoutSalt_StartFailsSayingHowToFixIt()
    {
        using var provider = new ServiceCollection()
            .AddPolicyLayer(o => o.PolicyJson = PolicyText)
            .ConfigureDecisionRecords(o => o.HashArguments = true)
            .Services.BuildServiceProvider();

        var failure = Assert.Single(StartFailures(provider));
        Assert.Contains("ArgumentHashSalt of at least 16 random bytes", failure, StringComparison.Ordinal);
    }

    [Fact]
    public async Task ConfigureDecisionRecords_HashArguments_RecordsOfTheContainersAuthorizerCarryTheHash()
    {
        var sink = new CollectingSink();
        using var provider = new ServiceCollection()
            .AddPolicyLayer(o => o.PolicyJson = PolicyText)
            .AddDecisionSink(sink)
            .ConfigureDecisionRecords(o => (o.HashArguments, o.ArgumentHashSalt) = (true, new byte[16]))
            .Services.BuildServiceProvider();
        var arguments = JsonDocument.Parse("""{"id": 7}""").RootElement;

        await provider.GetRequiredService<IToolCallAuthorizer>().AuthorizeAsync(new ToolCall("t", arguments));

        var record = Assert.Single(sink.Records);
        Assert.Matches("^[0-9a-f]{64}$", record.ArgumentsHash);
        Assert.Equal(["id"], record.ArgumentKeys);
    }

    [Fact]
    public async Task AddDecisionSink_ByType_AddedOnceAndGivenEveryRecord()
    {
        var services = new ServiceCollection();
        services.AddPolicyLayer(o => o.PolicyJson = PolicyText)
            .AddDecisionSink<CollectingSink>()
            .AddDecisionSink<CollectingSink>();
        Assert.Single(services, d => d.ServiceType == typeof(IDecisionSink));
        using var provider = services.BuildServiceProvider();
        var authorizer = provider.GetRequiredService<IToolCallAuthorizer>();

        await authorizer.AuthorizeAsync(new ToolCall("t"));
        await authorizer.AuthorizeAsync(new ToolCall("t"));

        var sink = Assert.IsType<CollectingSink>(Assert.Single(provider.GetServices<IDecisionSink>()));
        Assert.Equal([DecisionOutcome.Allow, DecisionOutcome.Deny], sink.Records.Select(r => r.Outcome));
    }

    [Fact]
    public async Task AddLoggerDecisionSink_WritesEachDecisionToTheDecisionsCategory()
    {
        var logs = new CapturingLoggerFactory();
        using var provider = new ServiceCollection()
            .AddSingleton<ILoggerFactory>(logs)
            .AddPolicyLayer(o => o.PolicyJson = PolicyText)
            .AddLoggerDecisionSink()
            .AddLoggerDecisionSink()
            .Services.BuildServiceProvider();
        var authorizer = provider.GetRequiredService<IToolCallAuthorizer>();

        await authorizer.AuthorizeAsync(new ToolCall("t"));
        await authorizer.AuthorizeAsync(new ToolCall("t"));

        // Registered once although added twice: one entry per decision, allows at Debug and refusals at Information.
        Assert.Equal([LogLevel.Debug, LogLevel.Information], logs.Entries.Where(e => e.Category == LoggerDecisionSink.Category).Select(e => e.Level));
    }

    [Fact]
    public void AddApprovals_InvalidOptions_StartFailsNamingEachProblem()
    {
        using var provider = new ServiceCollection()
            .AddPolicyLayer(o => o.PolicyJson = PolicyText)
            .AddApprovals(o => (o.Timeout, o.MaxRequests) = (TimeSpan.Zero, 0))
            .Services.BuildServiceProvider();

        var failures = StartFailures(provider);

        Assert.Equal(2, failures.Count);
        Assert.Contains(failures, f => f.StartsWith("ApprovalOptions.Timeout must be positive, not 00:00:00", StringComparison.Ordinal));
        Assert.Contains(failures, f => f.StartsWith("ApprovalOptions.MaxRequests must be positive, not 0", StringComparison.Ordinal));
    }

    [Fact]
    public void AddApprovals_Defaults_Start()
    {
        using var provider = new ServiceCollection()
            .AddPolicyLayer(o => o.PolicyJson = PolicyText)
            .AddApprovals()
            .Services.BuildServiceProvider();

        provider.GetRequiredService<IStartupValidator>().Validate();
        Assert.IsType<InMemoryApprovalStore>(provider.GetRequiredService<IApprovalStore>());
    }

    /// <summary>What the host's start (options validation on start) reports.</summary>
    private static List<string> StartFailures(IServiceProvider provider) =>
        [.. Assert.Throws<OptionsValidationException>(() => provider.GetRequiredService<IStartupValidator>().Validate()).Failures];

    private sealed class CollectingSink : IDecisionSink
    {
        private readonly ConcurrentQueue<DecisionRecord> _records = new();

        public IReadOnlyList<DecisionRecord> Records => [.. _records];

        public ValueTask WriteAsync(DecisionRecord record)
        {
            _records.Enqueue(record);
            return default;
        }

        public ValueTask FlushAsync(CancellationToken cancellationToken = default) => default;
    }

    private sealed class CapturingLoggerFactory : ILoggerFactory
    {
        private readonly ConcurrentQueue<(string Category, LogLevel Level)> _entries = new();

        public IReadOnlyList<(string Category, LogLevel Level)> Entries => [.. _entries];

        public ILogger CreateLogger(string categoryName) => new Logger(categoryName, _entries);

        public void AddProvider(ILoggerProvider provider) => throw new NotSupportedException();

        public void Dispose()
        {
        }

        private sealed class Logger(string category, ConcurrentQueue<(string Category, LogLevel Level)> entries) : ILogger
        {
            public IDisposable? BeginScope<TState>(TState state)
                where TState : notnull => null;

            public bool IsEnabled(LogLevel logLevel) => true;

            public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter) =>
                entries.Enqueue((category, logLevel));
        }
    }
}
