using PolicyLayer.Counters;

namespace PolicyLayer.Tests.Counters;

/// <summary>
/// A budget's amounts: whole costs counted as integers, moving to decimal at the first fraction without losing or
/// changing any amount, and exact at every size.
/// </summary>
public sealed class SegmentAmountsTests
{
    [Fact]
    public void HasRoomFor_WholeCostsUpToTheMax_AdmitsExactlyTheMax()
    {
        var amounts = new SegmentAmounts(5m);
        for (int i = 0; i < 5; i++)
        {
            Assert.True(amounts.HasRoomFor(1m));
            amounts.Add(i % SegmentAmounts.Count, 1m);
        }

        Assert.False(amounts.HasRoomFor(1m));
        Assert.False(amounts.HasRoomFor(0.001m));
        Assert.Equal(5m, amounts.Total);
    }

    [Fact]
    public void HasRoomFor_FractionalMaxWithWholeCosts_LeavesRoomOnlyForTheFraction()
    {
        var amounts = new SegmentAmounts(2.5m);
        amounts.Add(0, 1m);
        amounts.Add(1, 1m);

        Assert.False(amounts.HasRoomFor(1m));
        Assert.True(amounts.HasRoomFor(0.5m));
        amounts.Add(2, 0.5m);
        Assert.False(amounts.HasRoomFor(0.0000001m));
        Assert.Equal(2.5m, amounts.Total);
    }

    [Fact]
    public void Add_FirstFractionalCost_KeepsEveryEarlierSegment()
    {
        var amounts = new SegmentAmounts(100m);
        amounts.Add(0, 3m);
        amounts.Add(4, 2m);
        amounts.Add(10, 1m);

        amounts.Add(4, 0.25m);

        Assert.Equal(3m, amounts[0]);
        Assert.Equal(2.25m, amounts[4]);
        Assert.Equal(1m, amounts[10]);
        Assert.Equal(6.25m, amounts.Total);

        // Whole costs after the switch are still counted.
        amounts.Add(4, 1m);
        Assert.Equal(3.25m, amounts[4]);
        Assert.Equal(7.25m, amounts.Total);
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void Subtract_MoreThanTheSegmentHolds_StopsAtZero(bool fractional)
    {
        var amounts = new SegmentAmounts(100m);
        amounts.Add(1, 4m);
        amounts.Add(2, 2m);
        if (fractional)
        {
            amounts.Add(3, 0.5m);
        }

        amounts.Subtract(2, 5m);

        Assert.Equal(0m, amounts[2]);
        Assert.Equal(fractional ? 4.5m : 4m, amounts.Total);
    }

    [Fact]
    public void Subtract_FractionFromAWholeSegment_LeavesTheExactRest()
    {
        var amounts = new SegmentAmounts(10m);
        amounts.Add(0, 2m);

        amounts.Subtract(0, 0.5m);

        Assert.Equal(1.5m, amounts[0]);
        Assert.Equal(1.5m, amounts.Total);
        Assert.True(amounts.HasRoomFor(8.5m));
        Assert.False(amounts.HasRoomFor(8.6m));
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void Clear_OneSegmentThenAll_TakesItsAmountOutOfTheTotal(bool fractional)
    {
        var amounts = new SegmentAmounts(100m);
        amounts.Add(0, 3m);
        amounts.Add(5, fractional ? 1.75m : 2m);

        amounts.Clear(0);
        Assert.Equal(0m, amounts[0]);
        Assert.Equal(fractional ? 1.75m : 2m, amounts.Total);

        amounts.ClearAll();
        Assert.Equal(0m, amounts.Total);
        Assert.Equal(0m, amounts[5]);
        Assert.True(amounts.HasRoomFor(100m));
    }

    [Fact]
    public void Add_MaxBeyondLong_CountsExactlyWithoutOverflow()
    {
        var amounts = new SegmentAmounts(100_000_000_000_000_000_000m);
        decimal big = 9_000_000_000_000_000_000m; // just under long.MaxValue; two of them are not

        amounts.Add(0, big);
        amounts.Add(1, big);

        Assert.Equal(2 * big, amounts.Total);
        Assert.True(amounts.HasRoomFor(100_000_000_000_000_000_000m - (2 * big)));
        Assert.False(amounts.HasRoomFor(100_000_000_000_000_000_000m - (2 * big) + 1));
    }

    [Fact]
    public void HasRoomFor_WholeCostWithAScale_CountsLikeTheInteger()
    {
        var amounts = new SegmentAmounts(3m);
        amounts.Add(0, 2.0m);

        Assert.True(amounts.HasRoomFor(1.00m));
        Assert.False(amounts.HasRoomFor(2m));
        Assert.Equal(2m, amounts[0]);
    }
}
