namespace PolicyLayer.Auditing;

/// <summary>
/// Turns the monotonic timestamps that time an authorization into the record's UTC time and duration, so a recorded
/// decision costs two clock reads (start and end) rather than three. The wall clock is read again at most once a
/// second, so a wall-clock adjustment shows in records within a second.
/// </summary>
/// <remarks>
/// Thread-safe: the calibration is an immutable pair swapped as a whole. The frequency is read once: reading it
/// through the provider for every conversion, as <see cref="TimeProvider.GetElapsedTime(long, long)"/> does, costs
/// more than the conversion.
/// </remarks>
internal sealed class RecordClock
{
    private readonly TimeProvider _time;
    private readonly long _frequency;
    private readonly double _ticksPerTimestamp;
    private Calibration? _calibration;

    public RecordClock(TimeProvider time)
    {
        _time = time;
        _frequency = time.TimestampFrequency;
        _ticksPerTimestamp = (double)TimeSpan.TicksPerSecond / _frequency;
    }

    /// <summary>The time between two timestamps (values of <see cref="TimeProvider.GetTimestamp"/>).</summary>
    public TimeSpan Elapsed(long start, long end) => TimeSpan.FromTicks(ToTicks(end - start));

    /// <summary>The UTC time at <paramref name="timestamp"/>, a value of <see cref="TimeProvider.GetTimestamp"/>.</summary>
    public DateTimeOffset UtcAt(long timestamp)
    {
        var calibration = Volatile.Read(ref _calibration);
        if (calibration is null || timestamp < calibration.Timestamp || timestamp - calibration.Timestamp > _frequency)
        {
            calibration = new Calibration(timestamp, _time.GetUtcNow().UtcTicks);
            Volatile.Write(ref _calibration, calibration);
        }

        return new DateTimeOffset(calibration.UtcTicks + ToTicks(timestamp - calibration.Timestamp), TimeSpan.Zero);
    }

    private long ToTicks(long timestamps) => (long)(timestamps * _ticksPerTimestamp);

    private sealed record Calibration(long Timestamp, long UtcTicks);
}
