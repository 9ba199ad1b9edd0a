using PolicyLayer.Counters;

namespace PolicyLayer.Tests.Counters;

/// <summary>The packed result gives back exactly what each factory was given.</summary>
public sealed class ReservationResultTests
{
    [Fact]
    public void Admitted_KeepsTheTimestamp()
    {
        var result = ReservationResult.Admitted(638_000_000_000_000_000);

        Assert.Equal(ReservationStatus.Admitted, result.Status);
        Assert.True(result.IsAdmitted);
        Assert.Equal(638_000_000_000_000_000, result.Timestamp);
        Assert.Equal(-1, result.RefusedIndex);
        Assert.Null(result.RetryAfter);
        Assert.False(result.FailedOpen);
    }

    [Theory]
    [InlineData(2, 1234L)]
    [InlineData(0, 0L)]
    [InlineData(5, null)]
    public void Refused_KeepsIndexAndRetryAfter(int index, long? retryTicks)
    {
        var retryAfter = retryTicks is { } ticks ? TimeSpan.FromTicks(ticks) : (TimeSpan?)null;

        var result = ReservationResult.Refused(index, retryAfter);

        Assert.Equal(ReservationStatus.Refused, result.Status);
        Assert.Equal(index, result.RefusedIndex);
        Assert.Equal(retryAfter, result.RetryAfter);
    }

    [Fact]
    public void Refused_NegativeRetryAfter_MeansRetryNow()
    {
        Assert.Equal(TimeSpan.Zero, ReservationResult.Refused(0, TimeSpan.FromSeconds(-3)).RetryAfter);
    }

    [Fact]
    public void FailOpenAndUnavailable_KeepTheError()
    {
        var open = ReservationResult.AdmittedFailOpen("store down");
        var unavailable = ReservationResult.Unavailable("timeout");

        Assert.True(open.IsAdmitted);
        Assert.True(open.FailedOpen);
        Assert.Equal("store down", open.Error);
        Assert.Equal(ReservationStatus.Unavailable, unavailable.Status);
        Assert.False(unavailable.FailedOpen);
        Assert.Equal("timeout", unavailable.Error);
    }
}
