using System.Buffers;
using System.Diagnostics;
using System.Text.Json;
using System.Threading.Channels;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using PolicyLayer.Diagnostics;

namespace PolicyLayer.Auditing;

/// <summary>
/// Appends decision records to a JSON Lines file from a background writer behind a bounded queue.
/// </summary>
/// <remarks>
/// <para>Authorizations only enqueue; one background task serializes and writes. When the queue is full,
/// <see cref="DecisionLogFullMode.Wait"/> makes the authorization wait for room (no record is ever lost),
/// while the drop modes drop a record and count it: in the <c>policylayer.decision_records.dropped</c> metric at
/// once (reason <c>queue_full</c>), and in a warning log line (with the number dropped since the last one) at the
/// next flush or dispose.</para>
/// <para><see cref="FlushAsync"/> returns when every record enqueued before it was written to the file (or
/// dropped) and the file flushed. <see cref="DisposeAsync"/> drains the queue, then closes the file; records
/// written after that are dropped and counted (reason <c>closed</c>): the first is logged at once, later ones at the
/// next flush or dispose.</para>
/// <para>A batch that cannot be written (an I/O error, or any other exception from the stream) is logged once with
/// its number of records lost, which are counted as dropped (reason <c>write_failed</c>), and the writer carries on;
/// so does it past a record that cannot be serialized, which is dropped alone. A write that fails part way (a full
/// disk) keeps the lines that reached the file whole, counted as written, and cuts off the partial line after them,
/// so the file holds whole lines only and the next write goes after them. The writer never stops early, so a
/// caller waiting for room is never left waiting.</para>
/// </remarks>
public sealed partial class JsonLinesDecisionLog : IDecisionSink, IAsyncDisposable, IDisposable
{
    private const int FlushBytes = 64 * 1024;
    private static readonly KeyValuePair<string, object?> QueueFullReason = new(PolicyLayerTelemetry.DropReasonTag, "queue_full");
    private static readonly KeyValuePair<string, object?> WriteFailedReason = new(PolicyLayerTelemetry.DropReasonTag, "write_failed");
    private static readonly KeyValuePair<string, object?> ClosedReason = new(PolicyLayerTelemetry.DropReasonTag, "closed");
    private static readonly JsonWriterOptions WriterOptions = new() { Indented = false, SkipValidation = true };

    private readonly Channel<DecisionRecord> _channel;
    private readonly Stream _stream;
    private readonly ILogger _logger;
    private readonly string _name;
    private readonly KeyValuePair<string, object?> _sinkTag;
    private readonly Task _writer;
    private readonly object _waitersLock = new();
    private readonly List<(long Target, TaskCompletionSource Done)> _waiters = [];
    private long _produced;
    private long _settled;
    private long _dropped;
    private long _droppedFull;
    private long _droppedFullReported;
    private long _droppedClosed;
    private long _droppedClosedReported;
    private long _written;
    private int _waiterCount;

    /// <summary>Opens (appending to) the file the options name and starts the background writer.</summary>
    /// <param name="options">Path, capacity and full mode.</param>
    /// <param name="logger">Where drops and I/O errors are reported.</param>
    /// <exception cref="ArgumentException">The options are not valid; the message lists every problem.</exception>
    public JsonLinesDecisionLog(JsonLinesDecisionLogOptions options, ILogger<JsonLinesDecisionLog>? logger = null)
        : this(options, OpenFile(options), logger)
    {
    }

    /// <summary>Writes to a stream instead of a file (tests use a slow one).</summary>
    internal JsonLinesDecisionLog(JsonLinesDecisionLogOptions options, Stream stream, ILogger? logger)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(stream);
        _stream = stream;
        _logger = logger ?? NullLogger.Instance;
        _name = options.Name;
        _sinkTag = new(PolicyLayerTelemetry.SinkTag, _name);
        var channelOptions = new BoundedChannelOptions(options.Capacity)
        {
            SingleReader = true,
            SingleWriter = false,
            FullMode = options.FullMode switch
            {
                DecisionLogFullMode.DropNewest => BoundedChannelFullMode.DropWrite,
                DecisionLogFullMode.DropOldest => BoundedChannelFullMode.DropOldest,
                _ => BoundedChannelFullMode.Wait,
            },
        };
        _channel = Channel.CreateBounded<DecisionRecord>(channelOptions, _ => DroppedFull());
        _writer = Task.Factory.StartNew(WriteLoopAsync, CancellationToken.None, TaskCreationOptions.LongRunning, TaskScheduler.Default).Unwrap();
    }

    /// <summary>How many records were dropped so far (queue full, not writable, or written after dispose).</summary>
    public long DroppedCount => Interlocked.Read(ref _dropped);

    /// <summary>How many records were written to the file so far.</summary>
    public long WrittenCount => Interlocked.Read(ref _written);

    /// <inheritdoc />
    public ValueTask WriteAsync(DecisionRecord record)
    {
        ArgumentNullException.ThrowIfNull(record);
        Interlocked.Increment(ref _produced);
        if (_channel.Writer.TryWrite(record))
        {
            return default;
        }

        return WriteWaitingAsync(record);
    }

    private async ValueTask WriteWaitingAsync(DecisionRecord record)
    {
        try
        {
            // Only Wait mode gets here with an open queue: wait for room (back-pressure).
            await _channel.Writer.WriteAsync(record).ConfigureAwait(false);
        }
        catch (ChannelClosedException)
        {
            DroppedClosed();
        }
    }

    /// <inheritdoc />
    public ValueTask FlushAsync(CancellationToken cancellationToken = default)
    {
        var target = Interlocked.Read(ref _produced);
        Task wait;
        lock (_waitersLock)
        {
            if (Interlocked.Read(ref _settled) >= target || _writer.IsCompleted)
            {
                ReportDrops();
                return default;
            }

            var done = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
            _waiters.Add((target, done));
            Interlocked.Increment(ref _waiterCount);

            // Settle adds to _settled, then reads _waiterCount; reading _settled again after publishing the waiter
            // means one of the two always sees the other.
            if (Interlocked.Read(ref _settled) >= target)
            {
                _waiters.RemoveAt(_waiters.Count - 1);
                Interlocked.Decrement(ref _waiterCount);
                ReportDrops();
                return default;
            }

            wait = done.Task;
        }

        return AwaitFlushAsync(wait, cancellationToken);
    }

    private async ValueTask AwaitFlushAsync(Task wait, CancellationToken cancellationToken)
    {
        await wait.WaitAsync(cancellationToken).ConfigureAwait(false);
        ReportDrops();
    }

    /// <summary>Drains the queue, writes everything, reports drops and closes the file.</summary>
    /// <returns>A task that completes when the file is closed.</returns>
    public async ValueTask DisposeAsync()
    {
        _channel.Writer.TryComplete();
        await _writer.ConfigureAwait(false);
        ReportDrops();
        await _stream.DisposeAsync().ConfigureAwait(false);
    }

    /// <summary>Drains the queue and closes the file, blocking until done.</summary>
    public void Dispose() => DisposeAsync().AsTask().GetAwaiter().GetResult();

    private async Task WriteLoopAsync()
    {
        var buffer = new ArrayBufferWriter<byte>(FlushBytes * 2);
        var reader = _channel.Reader;
        using var json = new Utf8JsonWriter(buffer, WriterOptions);
        long pending = 0;
        while (await reader.WaitToReadAsync().ConfigureAwait(false))
        {
            while (reader.TryRead(out var record))
            {
                var before = buffer.WrittenCount;
                try
                {
                    DecisionRecordJson.Write(json, record);
                    json.Flush();
                }
                catch (Exception ex)
                {
                    // Only this record is lost: the lines before it are written, and what it left half done is not.
                    json.Reset();
                    pending = WriteOut(buffer, before, pending, flushFile: false);
                    LogRecordFailed(_logger, _name, ex);
                    Dropped(1, WriteFailedReason);
                    continue;
                }

                json.Reset();
                buffer.Write("\n"u8);
                pending++;
                if (buffer.WrittenCount >= FlushBytes)
                {
                    pending = WriteOut(buffer, buffer.WrittenCount, pending, flushFile: false);
                }
            }

            // The queue is empty for now: write out, flush the file, and release flushes that were waiting.
            pending = WriteOut(buffer, buffer.WrittenCount, pending, flushFile: true);
        }

        WriteOut(buffer, buffer.WrittenCount, pending, flushFile: true);
        lock (_waitersLock)
        {
            foreach (var waiter in _waiters)
            {
                waiter.Done.TrySetResult();
            }

            _waiters.Clear();
            Volatile.Write(ref _waiterCount, 0);
        }
    }

    /// <summary>Writes the first <paramref name="length"/> bytes of the buffer (its <paramref name="pending"/> lines), then clears it.</summary>
    private long WriteOut(ArrayBufferWriter<byte> buffer, int length, long pending, bool flushFile)
    {
        var start = -1L;
        try
        {
            if (length > 0)
            {
                start = _stream.CanSeek ? _stream.Position : -1;
                _stream.Write(buffer.WrittenSpan[..length]);
            }

            if (flushFile)
            {
                _stream.Flush();
            }

            Interlocked.Add(ref _written, pending);
            Settle(pending);
        }
        catch (Exception ex)
        {
            // Any exception, not only I/O: were one to end the loop, nothing would empty the queue again, and
            // callers in Wait mode would wait for room for ever. A write can fail part way (a full disk): the lines
            // that reached the file whole are counted as written, the rest as dropped.
            var kept = KeepWholeLines(buffer.WrittenSpan[..length], start);
            if (kept > 0)
            {
                Interlocked.Add(ref _written, kept);
                Settle(kept);
            }

            if (pending > kept)
            {
                LogWriteFailed(_logger, _name, pending - kept, ex);
                Dropped(pending - kept, WriteFailedReason);
            }
        }

        buffer.Clear();
        return 0;
    }

    /// <summary>
    /// After a failed write of <paramref name="lines"/> at <paramref name="start"/>: cuts a partial line off the end of
    /// the file, puts the position at the end (a failed write leaves it where the write began, and the next one would
    /// overwrite what did reach the file), and says how many lines reached it whole.
    /// </summary>
    /// <returns>The lines in the file whole; 0 when the stream cannot say (it does not seek).</returns>
    private long KeepWholeLines(ReadOnlySpan<byte> lines, long start)
    {
        if (start < 0)
        {
            return 0;
        }

        long end;
        try
        {
            end = _stream.Length;
        }
        catch (Exception)
        {
            return 0;
        }

        var reached = lines[..(int)Math.Clamp(end - start, 0, lines.Length)];
        var whole = reached.LastIndexOf((byte)'\n') + 1;
        try
        {
            if (start + whole < end)
            {
                _stream.SetLength(start + whole);
            }

            _stream.Position = start + whole;
        }
        catch (Exception)
        {
            // The partial line cannot be cut off: at least never write over what is in the file.
            TrySeekTo(end);
        }

        return reached[..whole].Count((byte)'\n');
    }

    private void TrySeekTo(long position)
    {
        try
        {
            _stream.Position = position;
        }
        catch (Exception)
        {
            // Nothing more can be done here; the next write reports its own failure.
        }
    }

    private void DroppedFull()
    {
        Interlocked.Increment(ref _droppedFull);
        Dropped(1, QueueFullReason);
    }

    private void DroppedClosed()
    {
        Interlocked.Increment(ref _droppedClosed);
        Dropped(1, ClosedReason);
        if (Interlocked.Read(ref _droppedClosedReported) == 0)
        {
            // The first record lost this way is reported at once: a host that writes after disposing may never flush.
            // Later ones are reported, counted exactly, at the next flush or dispose.
            ReportDrops();
        }
    }

    private void Dropped(long count, KeyValuePair<string, object?> reason)
    {
        Interlocked.Add(ref _dropped, count);
        PolicyLayerTelemetry.DroppedRecords.Add(count, _sinkTag, reason);
        Settle(count);
    }

    /// <summary>Counts records as written or dropped, and releases the flushes that waited for them.</summary>
    private void Settle(long count)
    {
        var settled = Interlocked.Add(ref _settled, count);
        if (Volatile.Read(ref _waiterCount) == 0)
        {
            return;
        }

        lock (_waitersLock)
        {
            for (var i = _waiters.Count - 1; i >= 0; i--)
            {
                if (_waiters[i].Target <= settled)
                {
                    _waiters[i].Done.TrySetResult();
                    _waiters.RemoveAt(i);
                    Interlocked.Decrement(ref _waiterCount);
                }
            }
        }
    }

    /// <summary>Logs the records dropped, by reason, since the last report (those that could not be written were logged as they failed).</summary>
    private void ReportDrops()
    {
        var full = Interlocked.Read(ref _droppedFull);
        var fullReported = Interlocked.Exchange(ref _droppedFullReported, full);
        if (full > fullReported)
        {
            LogDropped(_logger, _name, full - fullReported, full);
        }

        var closed = Interlocked.Read(ref _droppedClosed);
        var closedReported = Interlocked.Exchange(ref _droppedClosedReported, closed);
        if (closed > closedReported)
        {
            LogDroppedClosed(_logger, _name, closed - closedReported, closed);
        }
    }

    private static Stream OpenFile(JsonLinesDecisionLogOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        var problems = options.Validate();
        if (problems.Count > 0)
        {
            throw new ArgumentException(string.Join(" ", problems), nameof(options));
        }

        var path = System.IO.Path.GetFullPath(options.Path!);
        Directory.CreateDirectory(System.IO.Path.GetDirectoryName(path)!);
        Debug.Assert(File.Exists(path) || !Directory.Exists(path), "the path names a file");
        return new FileStream(path, FileMode.Append, FileAccess.Write, FileShare.Read, bufferSize: 1);
    }

    [LoggerMessage(EventId = 32, Level = LogLevel.Warning, Message = "The decision log '{Sink}' dropped {Dropped} records written to it after it was disposed ({Total} in all); write decisions only to a sink that is open")]
    private static partial void LogDroppedClosed(ILogger logger, string sink, long dropped, long total);

    [LoggerMessage(EventId = 33, Level = LogLevel.Error, Message = "The decision log '{Sink}' could not serialize a record; it is counted as dropped")]
    private static partial void LogRecordFailed(ILogger logger, string sink, Exception exception);

    [LoggerMessage(EventId = 30, Level = LogLevel.Warning, Message = "The decision log '{Sink}' dropped {Dropped} records because its queue was full ({Total} in all); raise its Capacity or use FullMode Wait")]
    private static partial void LogDropped(ILogger logger, string sink, long dropped, long total);

    [LoggerMessage(EventId = 31, Level = LogLevel.Error, Message = "The decision log '{Sink}' could not write {Count} records; they are counted as dropped")]
    private static partial void LogWriteFailed(ILogger logger, string sink, long count, Exception exception);
}
