using PolicyLayer.Auditing;

namespace PolicyLayer.Tests.Auditing;

/// <summary>
/// The behaviour every <see cref="IDecisionSink"/> must have. A sink's test class derives from this one, creates the
/// sink in <see cref="CreateSink"/> and reads back what it wrote in <see cref="ReadWritten"/>; xunit runs every test
/// below against it (one instance of the derived class per test).
/// </summary>
/// <remarks>
/// Sinks write records in their own formats, so the read-back reduces each to the fields every sink must keep: what
/// was called by whom, what was decided under which rule and revision, and, for a refusal, the message. A sink may
/// keep more (a file keeps everything), never less.
/// </remarks>
public abstract class DecisionSinkContractTests
{
    private static readonly DateTimeOffset Time = new(2026, 3, 14, 15, 9, 26, TimeSpan.Zero);

    /// <summary>Creates the sink under test, empty.</summary>
    /// <returns>The sink; <see cref="ReadWritten"/> reads what it writes.</returns>
    protected abstract IDecisionSink CreateSink();

    /// <summary>What the sink has written so far, in the order written (called after a flush).</summary>
    /// <returns>The records, each reduced to the fields every sink keeps.</returns>
    protected abstract IReadOnlyList<WrittenRecord> ReadWritten();

    [Fact]
    public async Task WriteThenFlush_EveryRecordWrittenOnceInOrder()
    {
        IDecisionSink sink = CreateSink();
        for (var i = 0; i < 20; i++)
        {
            await sink.WriteAsync(Record($"tool_{i}", i % 3 == 0 ? DecisionOutcome.Deny : DecisionOutcome.Allow, rule: $"/tools/tool_{i}"));
        }

        await sink.FlushAsync();

        IReadOnlyList<WrittenRecord> written = ReadWritten();
        Assert.Equal(Enumerable.Range(0, 20).Select(i => $"tool_{i}"), written.Select(r => r.Tool));
        Assert.Equal(Enumerable.Range(0, 20).Select(i => i % 3 == 0 ? "deny" : "allow"), written.Select(r => r.Outcome));
        Assert.Equal(Enumerable.Range(0, 20).Select(i => $"/tools/tool_{i}"), written.Select(r => r.Rule));
    }

    [Fact]
    public async Task Write_EveryField_Kept()
    {
        IDecisionSink sink = CreateSink();
        var record = new DecisionRecord
        {
            Timestamp = Time,
            Tool = "issue_refund",
            Grant = "grant-7",
            Session = "session-3",
            Outcome = DecisionOutcome.RequireApproval,
            Rule = "/tools/issue_refund",
            Message = "Refunds need a person's approval.",
            PolicyRevision = "rev-42",
            Duration = TimeSpan.FromMilliseconds(1.5),
            RetryAfter = TimeSpan.FromSeconds(12.5),
            ApprovalId = "apr_123",
            ArgumentKeys = ["amount", "customer_id"],
            ArgumentCount = 3, // more arguments than keys kept (a record keeps at most MaxArgumentKeys)
            Shadow = new ShadowDecision(DecisionOutcome.Deny, "/tools/issue_refund/deny_if/0", "Too large.", "rev-43", Agrees: false),
        };

        await sink.WriteAsync(record);
        await sink.FlushAsync();

        WrittenRecord written = Assert.Single(ReadWritten());
        Assert.Equal(new WrittenRecord("issue_refund", "require_approval", "/tools/issue_refund", "rev-42", "Refunds need a person's approval.")
        {
            Grant = "grant-7",
            Session = "session-3",
            ApprovalId = "apr_123",
            ArgumentKeys = "amount,customer_id",
            ArgumentCount = 3,
            RetryAfterSeconds = 12.5,
            ShadowOutcome = "deny",
            ShadowRule = "/tools/issue_refund/deny_if/0",
            ShadowAgrees = false,
        }, written);
    }

    [Fact]
    public async Task Write_OptionalFieldsMissing_WrittenAsMissing()
    {
        IDecisionSink sink = CreateSink();

        await sink.WriteAsync(Record("list_sessions", DecisionOutcome.Deny, rule: "#/default", message: "Not listed."));
        await sink.FlushAsync();

        WrittenRecord written = Assert.Single(ReadWritten());
        Assert.Null(written.Grant);
        Assert.Null(written.Session);
        Assert.Null(written.ApprovalId);
        Assert.Null(written.ShadowOutcome);
        Assert.Equal(string.Empty, written.ArgumentKeys);
        Assert.Equal("Not listed.", written.Message);
    }

    [Fact]
    public async Task Write_TextWithQuotesNewlinesAndNonAscii_KeptIntact()
    {
        const string Message = "line one\nline \"two\"\t\\ — ünïcødé 🚫 \u0001";
        IDecisionSink sink = CreateSink();

        await sink.WriteAsync(Record("outil_é", DecisionOutcome.Deny, rule: "/tools/outil_é", message: Message, grant: "grant \"quoted\""));
        await sink.WriteAsync(Record("after", DecisionOutcome.Allow, rule: "/tools/after"));
        await sink.FlushAsync();

        IReadOnlyList<WrittenRecord> written = ReadWritten();
        Assert.Equal(2, written.Count);
        Assert.Equal("outil_é", written[0].Tool);
        Assert.Equal(Message, written[0].Message);
        Assert.Equal("grant \"quoted\"", written[0].Grant);
        Assert.Equal("after", written[1].Tool);
    }

    [Fact]
    public async Task Write_FromManyThreads_EveryRecordExactlyOnce()
    {
        const int Threads = 4;
        const int PerThread = 250;
        IDecisionSink sink = CreateSink();

        await Task.WhenAll(Enumerable.Range(0, Threads).Select(thread => Task.Run(async () =>
        {
            for (var i = 0; i < PerThread; i++)
            {
                await sink.WriteAsync(Record($"t{thread}_{i}", DecisionOutcome.Deny, rule: "/tools/t", message: "No."));
            }
        })));
        await sink.FlushAsync();

        IReadOnlyList<WrittenRecord> written = ReadWritten();
        Assert.Equal(Threads * PerThread, written.Count);
        Assert.Equal(
            Enumerable.Range(0, Threads).SelectMany(thread => Enumerable.Range(0, PerThread).Select(i => $"t{thread}_{i}")).Order(StringComparer.Ordinal),
            written.Select(r => r.Tool).Order(StringComparer.Ordinal));
    }

    [Fact]
    public async Task Flush_NothingWritten_CompletesAndWritesNothing()
    {
        IDecisionSink sink = CreateSink();

        await sink.FlushAsync();
        await sink.FlushAsync();

        Assert.Empty(ReadWritten());
    }

    [Fact]
    public async Task Write_NullRecord_Throws()
    {
        IDecisionSink sink = CreateSink();

        await Assert.ThrowsAsync<ArgumentNullException>(async () => await sink.WriteAsync(null!));
    }

    private static DecisionRecord Record(string tool, DecisionOutcome outcome, string rule, string message = "Allowed.", string? grant = null) => new()
    {
        Timestamp = Time,
        Tool = tool,
        Grant = grant,
        Outcome = outcome,
        Rule = rule,
        Message = message,
        PolicyRevision = "rev-1",
        Duration = TimeSpan.FromTicks(12_345),
    };

    /// <summary>The fields every sink keeps of a record, as text.</summary>
    /// <param name="Tool">The tool called.</param>
    /// <param name="Outcome"><c>allow</c>, <c>deny</c> or <c>require_approval</c>.</param>
    /// <param name="Rule">The rule pointer.</param>
    /// <param name="Revision">The policy revision.</param>
    /// <param name="Message">The decision's message; a sink may leave it out for an allow.</param>
    public sealed record WrittenRecord(string Tool, string Outcome, string Rule, string Revision, string? Message)
    {
        /// <summary>The grant, when the call had one.</summary>
        public string? Grant { get; init; }

        /// <summary>The session, when the call had one.</summary>
        public string? Session { get; init; }

        /// <summary>The approval id, when the decision has one.</summary>
        public string? ApprovalId { get; init; }

        /// <summary>The top-level argument keys, comma-separated in the record's order; empty when there are none.</summary>
        public string ArgumentKeys { get; init; } = string.Empty;

        /// <summary>The outcome under the shadow candidate, when one ran.</summary>
        public string? ShadowOutcome { get; init; }

        /// <summary>The rule that decided under the shadow candidate, when one ran.</summary>
        public string? ShadowRule { get; init; }

        /// <summary>Whether the shadow candidate agreed, when one ran.</summary>
        public bool? ShadowAgrees { get; init; }

        /// <summary>How many top-level arguments the call had.</summary>
        public int ArgumentCount { get; init; }

        /// <summary>The retry-after in seconds, when the decision has one.</summary>
        public double? RetryAfterSeconds { get; init; }
    }
}
