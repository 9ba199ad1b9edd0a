namespace PolicyLayer.Cli.Replay;

/// <summary>
/// The clock of a replay: it stands still between calls and moves only when a call's <c>at</c> says so, so
/// that a day of recorded traffic replays in seconds and the sliding windows see the recorded times.
/// </summary>
internal sealed class ReplayClock : TimeProvider
{
    private DateTimeOffset _now;

    public ReplayClock(DateTimeOffset start) => _now = start;

    public override DateTimeOffset GetUtcNow() => _now;

    // Timestamps follow the replayed time too, so anything measuring elapsed time sees the recorded gaps.
    public override long TimestampFrequency => TimeSpan.TicksPerSecond;

    public override long GetTimestamp() => _now.UtcTicks;

    /// <summary>Moves the clock to <paramref name="time"/>; refuses to go back.</summary>
    /// <returns><see langword="false"/> when <paramref name="time"/> is earlier than the clock.</returns>
    public bool TryMoveTo(DateTimeOffset time)
    {
        if (time < _now)
        {
            return false;
        }

        _now = time;
        return true;
    }

    /// <summary>Sets the clock to any time (the first recorded time of a replay).</summary>
    public void Set(DateTimeOffset time) => _now = time;
}
