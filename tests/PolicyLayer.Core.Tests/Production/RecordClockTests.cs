using PolicyLayer.Auditing;

namespace PolicyLayer.Tests.Production;

/// <summary>Record times and durations from timestamps of clocks whose frequency is not ticks per second.</summary>
public sealed class RecordClockTests
{
    private static readonly DateTimeOffset Start = new(2026, 1, 1, 12, 0, 0, TimeSpan.Zero);

    [Theory]
    [InlineData(1_000_000_000L)] // nanoseconds, as on Linux
    [InlineData(10_000_000L)]    // ticks, as the fake clock of tests
    [InlineData(3_579_545L)]     // an odd hardware counter frequency
    public void Elapsed_AnyFrequency_ConvertsTimestampsToTicks(long frequency)
    {
        var clock = new RecordClock(new ManualClock(frequency));

        Assert.Equal(TimeSpan.FromSeconds(3).Ticks, clock.Elapsed(frequency, frequency * 4).Ticks, tolerance: 1);
        Assert.Equal(TimeSpan.Zero, clock.Elapsed(7, 7));
    }

    [Fact]
    public void UtcAt_TimestampsWithinASecond_OffsetFromOneWallClockRead()
    {
        var time = new ManualClock(1_000_000_000L) { Timestamp = 5_000_000_000L };
        var clock = new RecordClock(time);

        Assert.Equal(Start, clock.UtcAt(5_000_000_000L));
        time.Utc = Start.AddHours(1); // not read again within the second
        Assert.Equal(Start.AddMilliseconds(250), clock.UtcAt(5_250_000_000L));
        Assert.Equal(Start.AddHours(1), clock.UtcAt(6_500_000_000L)); // over a second later: read again
    }

    private sealed class ManualClock(long frequency) : TimeProvider
    {
        public long Timestamp { get; set; }

        public DateTimeOffset Utc { get; set; } = Start;

        public override long TimestampFrequency => frequency;

        public override long GetTimestamp() => Timestamp;

        public override DateTimeOffset GetUtcNow() => Utc;
    }
}
