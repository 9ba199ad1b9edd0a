namespace PolicyLayer.Auditing;

/// <summary>
/// Turns the monotonic timestamps that time an authorization into the record's UTC time, so a recorded decision
/// costs two clock reads (start and end) rather than three. The wall clock is read again at most once a second,
/// so a wall-clock adjustment shows in records within a second.
/// </summary>
/// <remarks>Thread-safe: the calibration is an immutable pair swapped as a whole.</remarks>
internal sealed class RecordClock(TimeProvider time)
{
    private Calibration? _calibration;

    /// <summary>The UTC time at <paramref name="timestamp"/>, a value of <see cref="TimeProvider.GetTimestamp"/>.</summary>
    public DateTimeOffset UtcAt(long timestamp)
    {
        var calibration = Volatile.Read(ref _calibration);
        var frequency = time.TimestampFrequency;
        if (calibration is null || timestamp < calibration.Timestamp || timestamp - calibration.Timestamp > frequency)
        {
            calibration = new Calibration(timestamp, time.GetUtcNow());
            Volatile.Write(ref _calibration, calibration);
            return calibration.Utc;
        }

        var elapsed = timestamp - calibration.Timestamp;
        var ticks = frequency == TimeSpan.TicksPerSecond ? elapsed : (long)(elapsed * ((double)TimeSpan.TicksPerSecond / frequency));
        return calibration.Utc.AddTicks(ticks);
    }

    private sealed record Calibration(long Timestamp, DateTimeOffset Utc);
}
