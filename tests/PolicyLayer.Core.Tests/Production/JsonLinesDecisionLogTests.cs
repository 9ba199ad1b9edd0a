using System.Collections.Concurrent;
using System.Diagnostics.Metrics;
using System.Text.Json;
using PolicyLayer.Auditing;
using PolicyLayer.Authorization;
using PolicyLayer.Counters;
using PolicyLayer.Diagnostics;
using PolicyLayer.Policies;

namespace PolicyLayer.Tests.Production;

public sealed class JsonLinesDecisionLogTests : IDisposable
{
    private readonly string _folder = Path.Combine(Path.GetTempPath(), "policylayer-tests", Guid.NewGuid().ToString("N"));

    public void Dispose()
    {
        if (Directory.Exists(_folder))
        {
            Directory.Delete(_folder, recursive: true);
        }
    }

    [Fact]
    public async Task Burst_OneMillionDecisionsInWaitMode_FileHoldsEveryRecord()
    {
        const int Threads = 4;
        const int PerThread = 250_000;
        var path = Path.Combine(_folder, "decisions.jsonl");
        var log = new JsonLinesDecisionLog(new JsonLinesDecisionLogOptions { Path = path, Capacity = 1024, FullMode = DecisionLogFullMode.Wait });
        var authorizer = new PolicyAuthorizer(
            Policy.Parse("""{ "version": "1", "default": "deny", "tools": { "t": {} } }"""),
            new InMemoryCounterStore(),
            new PolicyAuthorizerOptions { DecisionSinks = [log] });
        var arguments = JsonDocument.Parse("""{"b": 1, "a": 2}""").RootElement;

        await Task.WhenAll(Enumerable.Range(0, Threads).Select(thread => Task.Run(async () =>
        {
            for (var i = 0; i < PerThread; i++)
            {
                var decision = await authorizer.AuthorizeAsync(new ToolCall(i % 2 == 0 ? "t" : "u", arguments, $"grant-{thread}"));
                Assert.Equal(i % 2 == 0, decision.IsAllowed);
            }
        })));
        await log.DisposeAsync();

        var lines = 0;
        var allows = 0;
        foreach (var line in File.ReadLines(path))
        {
            lines++;
            if (line.Contains("\"outcome\":\"allow\"", StringComparison.Ordinal))
            {
                allows++;
            }
        }

        Assert.Equal(Threads * PerThread, lines);
        Assert.Equal(Threads * PerThread / 2, allows);
        Assert.Equal(0, log.DroppedCount);
        Assert.Equal(Threads * PerThread, log.WrittenCount);
    }

    [Theory]
    [InlineData(DecisionLogFullMode.DropNewest)]
    [InlineData(DecisionLogFullMode.DropOldest)]
    public async Task DropMode_SlowWriter_WrittenPlusDroppedEqualsProducedAndDropsAreReported(DecisionLogFullMode mode)
    {
        const int Produced = 2000;
        var name = "drop-test-" + Guid.NewGuid().ToString("N");
        long metricDropped = 0;
        using var listener = new MeterListener
        {
            InstrumentPublished = (instrument, l) =>
            {
                if (instrument.Meter.Name == PolicyLayerTelemetry.MeterName && instrument.Name == PolicyLayerTelemetry.DroppedRecordsName)
                {
                    l.EnableMeasurementEvents(instrument);
                }
            },
        };
        listener.SetMeasurementEventCallback<long>((_, value, tags, _) =>
        {
            foreach (var tag in tags)
            {
                if (tag.Key == PolicyLayerTelemetry.SinkTag && Equals(tag.Value, name))
                {
                    Interlocked.Add(ref metricDropped, value);
                }
            }
        });
        listener.Start();
        var stream = new GatedStream();
        var logger = new TestLogger<JsonLinesDecisionLog>();
        var log = new JsonLinesDecisionLog(new JsonLinesDecisionLogOptions { Path = "unused", Capacity = 4, FullMode = mode, Name = name }, stream, logger);
        var fixture = new ProductionFixture(ProductionFixture.Policy("""{ "t": {} }"""), extraSink: log);

        for (var i = 0; i < Produced; i++)
        {
            fixture.Call("t");
        }

        stream.Open();
        await log.DisposeAsync();

        var written = stream.Lines();
        Assert.True(log.DroppedCount > 0, "a queue of 4 behind a blocked writer must drop");
        Assert.Equal(Produced, written + log.DroppedCount);
        Assert.Equal(log.WrittenCount, written);
        Assert.Equal(log.DroppedCount, Interlocked.Read(ref metricDropped));
        Assert.Contains(logger.Messages, m => m.Contains($"dropped {log.DroppedCount} records", StringComparison.Ordinal));
    }

    [Fact]
    public async Task FlushAsync_AfterWrites_EverythingBeforeIsInTheFile()
    {
        var path = Path.Combine(_folder, "flush.jsonl");
        await using var log = new JsonLinesDecisionLog(new JsonLinesDecisionLogOptions { Path = path, Capacity = 16 });
        var fixture = new ProductionFixture(ProductionFixture.Policy("""{ "t": {} }"""), extraSink: log);

        var arguments = JsonDocument.Parse("""{"x": 1}""").RootElement;
        for (var i = 0; i < 100; i++)
        {
            // A queue of 16 may push back: the authorization then completes when the writer makes room.
            await fixture.Authorizer.AuthorizeAsync(new ToolCall("t", arguments));
        }

        await log.FlushAsync();

        using var reader = new StreamReader(new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite));
        var lines = (await reader.ReadToEndAsync()).Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.Equal(100, lines.Length);
        using var first = JsonDocument.Parse(lines[0]);
        Assert.Equal("t", first.RootElement.GetProperty("tool").GetString());
        Assert.Equal("x", first.RootElement.GetProperty("arg_keys")[0].GetString());
    }

    [Fact]
    public async Task WriteAsync_AfterDispose_CountedAsDropped()
    {
        var log = new JsonLinesDecisionLog(new JsonLinesDecisionLogOptions { Path = Path.Combine(_folder, "closed.jsonl") });
        await log.DisposeAsync();

        await log.WriteAsync(new DecisionRecord { Timestamp = default, Tool = "t", Outcome = DecisionOutcome.Allow, Rule = "r", Message = "m", PolicyRevision = "v" });

        Assert.Equal(1, log.DroppedCount);
    }

    [Fact]
    public async Task DropMode_WriteFailsAndQueueFull_LogAndMetricCountEachReasonExactly()
    {
        const int Produced = 2000;
        var name = "reasons-test-" + Guid.NewGuid().ToString("N");
        var byReason = new ConcurrentDictionary<string, long>();
        using var listener = ListenToDrops(name, byReason);
        var stream = new GatedStream(failFirstWrite: new IOException("disk full"));
        var logger = new TestLogger<JsonLinesDecisionLog>();
        var log = new JsonLinesDecisionLog(new JsonLinesDecisionLogOptions { Path = "unused", Capacity = 4, FullMode = DecisionLogFullMode.DropNewest, Name = name }, stream, logger);

        for (var i = 0; i < Produced; i++)
        {
            await log.WriteAsync(Record("t"));
        }

        stream.Open();
        await log.DisposeAsync();

        var queueFull = byReason.GetValueOrDefault("queue_full");
        var writeFailed = byReason.GetValueOrDefault("write_failed");
        Assert.True(queueFull > 0, "a queue of 4 behind a blocked writer must drop");
        Assert.True(writeFailed > 0, "the first write failed");
        Assert.Equal(log.DroppedCount, queueFull + writeFailed);
        Assert.Equal(Produced, stream.Lines() + log.DroppedCount);
        Assert.Single(logger.Messages, m => m.Contains("because its queue was full", StringComparison.Ordinal));
        Assert.Contains(logger.Messages, m => m.Contains($"dropped {queueFull} records because its queue was full ({queueFull} in all)", StringComparison.Ordinal));
        Assert.Contains(logger.Messages, m => m.Contains($"could not write {writeFailed} records", StringComparison.Ordinal));
    }

    [Fact]
    public async Task WriteAsync_AfterDispose_LoggedOnceThenCountedAtTheNextFlush()
    {
        var name = "closed-test-" + Guid.NewGuid().ToString("N");
        var byReason = new ConcurrentDictionary<string, long>();
        using var listener = ListenToDrops(name, byReason);
        var logger = new TestLogger<JsonLinesDecisionLog>();
        var log = new JsonLinesDecisionLog(new JsonLinesDecisionLogOptions { Path = "unused", Name = name }, new GatedStream(open: true), logger);
        await log.DisposeAsync();

        await log.WriteAsync(Record("t"));
        var afterFirst = logger.Messages.ToArray();
        await log.WriteAsync(Record("t"));
        await log.WriteAsync(Record("t"));
        var beforeFlush = logger.Messages.Count();
        await log.FlushAsync();

        Assert.Equal(3, log.DroppedCount);
        Assert.Equal(3, byReason.GetValueOrDefault("closed"));
        Assert.Contains(afterFirst, m => m.Contains("dropped 1 records written to it after it was disposed (1 in all)", StringComparison.Ordinal));
        Assert.Equal(afterFirst.Length, beforeFlush);
        Assert.Contains(logger.Messages, m => m.Contains("dropped 2 records written to it after it was disposed (3 in all)", StringComparison.Ordinal));
        Assert.DoesNotContain(logger.Messages, m => m.Contains("queue was full", StringComparison.Ordinal));
    }

    [Fact]
    public async Task WaitMode_StreamThrowsSomethingOtherThanIO_WriterCarriesOnAndNobodyWaitsForEver()
    {
        const int Produced = 200;
        var stream = new GatedStream(open: true, failFirstWrite: new NotSupportedException("the stream was replaced"));
        var logger = new TestLogger<JsonLinesDecisionLog>();
        var log = new JsonLinesDecisionLog(new JsonLinesDecisionLogOptions { Path = "unused", Capacity = 1, FullMode = DecisionLogFullMode.Wait }, stream, logger);

        // A writer that stopped would leave these waiting for room for ever: bounded so that the test fails instead.
        await Task.Run(async () =>
        {
            for (var i = 0; i < Produced; i++)
            {
                await log.WriteAsync(Record("t"));
            }
        }).WaitAsync(TimeSpan.FromSeconds(30));
        await log.FlushAsync().AsTask().WaitAsync(TimeSpan.FromSeconds(30));
        await log.DisposeAsync();

        Assert.True(log.DroppedCount >= 1);
        Assert.True(log.WrittenCount >= 1, "records after the failed write are written");
        Assert.Equal(Produced, log.WrittenCount + log.DroppedCount);
        Assert.Equal(log.WrittenCount, stream.Lines());
        Assert.Contains(logger.Messages, m => m.Contains($"could not write {log.DroppedCount} records", StringComparison.Ordinal));
    }

    [Fact]
    public async Task WriteAsync_RecordThatCannotBeSerialized_DroppedAloneAndTheOthersWritten()
    {
        var stream = new GatedStream(open: true);
        var logger = new TestLogger<JsonLinesDecisionLog>();
        var log = new JsonLinesDecisionLog(new JsonLinesDecisionLogOptions { Path = "unused", Capacity = 1, FullMode = DecisionLogFullMode.Wait }, stream, logger);

        await Task.Run(async () =>
        {
            await log.WriteAsync(Record("before"));
            await log.WriteAsync(new DecisionRecord { Timestamp = default, Tool = "broken", Outcome = DecisionOutcome.Allow, Rule = "r", Message = "m", PolicyRevision = "v", ArgumentKeys = null! });
            for (var i = 0; i < 20; i++)
            {
                await log.WriteAsync(Record("after"));
            }
        }).WaitAsync(TimeSpan.FromSeconds(30));
        await log.DisposeAsync();

        Assert.Equal(1, log.DroppedCount);
        Assert.Equal(21, log.WrittenCount);
        Assert.Equal(21, stream.Lines());
        Assert.Contains(logger.Messages, m => m.Contains("could not serialize a record", StringComparison.Ordinal));
    }

    [Fact]
    public async Task DiskFull_PartialLineCannotBeCutOff_LaterRecordsAppendedNeverOverwritingKeptLines()
    {
        var stream = new FullDiskStream { Capacity = 1000, Truncates = false };
        var log = new JsonLinesDecisionLog(new JsonLinesDecisionLogOptions { Path = "unused", Capacity = 16, FullMode = DecisionLogFullMode.Wait }, stream, new TestLogger<JsonLinesDecisionLog>());

        await Task.Run(async () =>
        {
            for (var i = 0; i < 50; i++)
            {
                await log.WriteAsync(Record("before"));
            }
        }).WaitAsync(TimeSpan.FromSeconds(30));
        await log.FlushAsync().AsTask().WaitAsync(TimeSpan.FromSeconds(30));
        var keptWhole = stream.Text().Split('\n')[..^1];
        stream.Capacity = long.MaxValue;
        for (var i = 0; i < 10; i++)
        {
            await log.WriteAsync(Record("after"));
        }

        await log.DisposeAsync();

        // The file ends with a partial line that could not be removed: the writes after it go after it.
        var lines = stream.Text().Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.NotEmpty(keptWhole);
        Assert.Equal(keptWhole, lines[..keptWhole.Length]);
        Assert.Equal(10, lines.Count(l => l.Contains("\"after\"", StringComparison.Ordinal)));
        Assert.Equal(1, lines.Count(l => !IsJson(l)));
    }

    [Fact]
    public async Task DiskFull_WritesFailPartWay_FileHoldsWholeLinesOnlyAndEveryRecordCountedOnce()
    {
        const int BeforeFull = 200;
        const int AfterFreed = 10;
        var stream = new FullDiskStream { Capacity = 1000 };
        var logger = new TestLogger<JsonLinesDecisionLog>();
        var log = new JsonLinesDecisionLog(new JsonLinesDecisionLogOptions { Path = "unused", Capacity = 16, FullMode = DecisionLogFullMode.Wait }, stream, logger);

        await Task.Run(async () =>
        {
            for (var i = 0; i < BeforeFull; i++)
            {
                await log.WriteAsync(Record("before"));
            }
        }).WaitAsync(TimeSpan.FromSeconds(30));
        await log.FlushAsync().AsTask().WaitAsync(TimeSpan.FromSeconds(30));
        var writtenWhileFull = log.WrittenCount;
        stream.Capacity = long.MaxValue;
        for (var i = 0; i < AfterFreed; i++)
        {
            await log.WriteAsync(Record("after"));
        }

        await log.DisposeAsync();

        var text = stream.Text();
        Assert.EndsWith("\n", text, StringComparison.Ordinal);
        var lines = text.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.All(lines, line => JsonDocument.Parse(line).Dispose());
        Assert.True(writtenWhileFull > 0, "the lines that fitted are kept");
        Assert.Equal(writtenWhileFull, lines.Count(l => l.Contains("\"before\"", StringComparison.Ordinal)));
        Assert.Equal(AfterFreed, lines.Count(l => l.Contains("\"after\"", StringComparison.Ordinal)));
        Assert.Equal(lines.Length, log.WrittenCount);
        Assert.Equal(BeforeFull + AfterFreed, log.WrittenCount + log.DroppedCount);
    }

    [Fact]
    public void Constructor_InvalidOptions_ListsEveryProblem()
    {
        var error = Assert.Throws<ArgumentException>(() => new JsonLinesDecisionLog(new JsonLinesDecisionLogOptions { Path = "", Capacity = 0 }));

        Assert.Contains("Path is required", error.Message, StringComparison.Ordinal);
        Assert.Contains("Capacity must be positive", error.Message, StringComparison.Ordinal);
    }

    private static DecisionRecord Record(string tool) =>
        new() { Timestamp = default, Tool = tool, Outcome = DecisionOutcome.Allow, Rule = "r", Message = "m", PolicyRevision = "v" };

    /// <summary>Adds up the sink's dropped-records metric by reason.</summary>
    private static MeterListener ListenToDrops(string sink, ConcurrentDictionary<string, long> byReason)
    {
        var listener = new MeterListener
        {
            InstrumentPublished = (instrument, l) =>
            {
                if (instrument.Meter.Name == PolicyLayerTelemetry.MeterName && instrument.Name == PolicyLayerTelemetry.DroppedRecordsName)
                {
                    l.EnableMeasurementEvents(instrument);
                }
            },
        };
        listener.SetMeasurementEventCallback<long>((_, value, tags, _) =>
        {
            string? name = null;
            var reason = "(none)";
            foreach (var tag in tags)
            {
                if (tag.Key == PolicyLayerTelemetry.SinkTag)
                {
                    name = tag.Value as string;
                }
                else if (tag.Key == "policylayer.drop.reason")
                {
                    reason = tag.Value as string ?? "(none)";
                }
            }

            if (name == sink)
            {
                byReason.AddOrUpdate(reason, value, (_, total) => total + value);
            }
        });
        listener.Start();
        return listener;
    }

    /// <summary>
    /// A stream whose writes block until <see cref="Open"/> is called (a writer that cannot keep up), and whose first
    /// write may throw instead.
    /// </summary>
    private sealed class GatedStream(bool open = false, Exception? failFirstWrite = null) : Stream
    {
        private readonly ManualResetEventSlim _gate = new(open);
        private readonly MemoryStream _inner = new();
        private Exception? _failure = failFirstWrite;

        public override bool CanRead => false;

        public override bool CanSeek => false;

        public override bool CanWrite => true;

        public override long Length => _inner.Length;

        public override long Position { get => _inner.Position; set => throw new NotSupportedException(); }

        public void Open() => _gate.Set();

        public int Lines()
        {
            lock (_inner)
            {
                return _inner.ToArray().Count(b => b == (byte)'\n');
            }
        }

        public override void Write(byte[] buffer, int offset, int count)
        {
            if (Interlocked.Exchange(ref _failure, null) is { } failure)
            {
                throw failure;
            }

            _gate.Wait();
            lock (_inner)
            {
                _inner.Write(buffer, offset, count);
            }
        }

        public override void Flush() => _gate.Wait();

        public override int Read(byte[] buffer, int offset, int count) => throw new NotSupportedException();

        public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

        public override void SetLength(long value) => throw new NotSupportedException();
    }

    private static bool IsJson(string line)
    {
        try
        {
            JsonDocument.Parse(line).Dispose();
            return true;
        }
        catch (JsonException)
        {
            return false;
        }
    }

    /// <summary>
    /// A file on a disk of <see cref="Capacity"/> bytes: a write that does not fit writes what fits, then fails without
    /// moving the position, as a file stream does on a full disk.
    /// </summary>
    private sealed class FullDiskStream : Stream
    {
        private readonly MemoryStream _inner = new();
        private long _position;

        public long Capacity { get; set; }

        /// <summary>Whether the file can be cut short (a file on some network shares or devices cannot).</summary>
        public bool Truncates { get; set; } = true;

        public override bool CanRead => false;

        public override bool CanSeek => true;

        public override bool CanWrite => true;

        public override long Length
        {
            get
            {
                lock (_inner)
                {
                    return _inner.Length;
                }
            }
        }

        public override long Position
        {
            get => Interlocked.Read(ref _position);
            set => Interlocked.Exchange(ref _position, value);
        }

        public string Text()
        {
            lock (_inner)
            {
                return System.Text.Encoding.UTF8.GetString(_inner.ToArray());
            }
        }

        public override void Write(byte[] buffer, int offset, int count)
        {
            lock (_inner)
            {
                var fits = (int)Math.Clamp(Capacity - _position, 0, count);
                _inner.Position = _position;
                _inner.Write(buffer, offset, fits);
                if (fits < count)
                {
                    throw new IOException("No space left on device");
                }

                _position += count;
            }
        }

        public override void Flush()
        {
        }

        public override int Read(byte[] buffer, int offset, int count) => throw new NotSupportedException();

        public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

        public override void SetLength(long value)
        {
            if (!Truncates)
            {
                throw new IOException("The file cannot be truncated");
            }

            lock (_inner)
            {
                _inner.SetLength(value);
            }
        }
    }
}
