using PolicyLayer.Counters;

namespace PolicyLayer.Tests.Counters;

/// <summary>The segment arithmetic for windows that are not a multiple of ten ticks, and for extreme ones.</summary>
public sealed class SlidingWindowBudgetTests
{
    [Theory]
    [InlineData(10L)]
    [InlineData(13L)]
    [InlineData(7L)]
    [InlineData(1L)]
    [InlineData(1_234_567L)]
    [InlineData(600_000_000L)]
    public void HasRoomFor_AtEveryTickAroundAnAdmission_CountsItExactlyForAWindowAndAtMostATenthMore(long windowTicks)
    {
        long start = 638_000_000_000_000_000L + 12_345;
        var budget = new SlidingWindowBudget(windowTicks, 1m, 1, start);
        budget.AdvanceTo(start);
        budget.Add(1m);

        // Probe a range of ticks after the admission (every tick for small windows, a sample otherwise).
        long step = Math.Max(1, windowTicks / 1000);
        for (long offset = 0; offset <= windowTicks * 12 / 10 + 2; offset += step)
        {
            long now = start + offset;
            budget.AdvanceTo(now);
            bool counted = !budget.HasRoomFor(1m);
            if (offset < windowTicks)
            {
                Assert.True(counted, $"Admission at {start} not counted at +{offset} ticks of a {windowTicks}-tick window.");
            }

            // Counted after the window only within the bound: 10·offset < 11·window.
            if (offset * 10 >= windowTicks * 11)
            {
                Assert.False(counted, $"Admission at {start} still counted at +{offset} ticks of a {windowTicks}-tick window.");
            }
        }
    }

    [Theory]
    [InlineData(13L)]
    [InlineData(1_234_567L)]
    [InlineData(600_000_000L)]
    public void RetryAfter_ForAFullBudget_IsExactlyWhenTheAdmissionStopsCounting(long windowTicks)
    {
        long start = 638_000_000_000_000_000L + 777;
        var budget = new SlidingWindowBudget(windowTicks, 1m, 1, start);
        budget.AdvanceTo(start);
        budget.Add(1m);

        TimeSpan wait = TimeSpan.FromTicks(budget.RetryAfterTicks(1m, start));
        Assert.True(wait.Ticks >= windowTicks, $"Wait {wait.Ticks} shorter than the window.");
        Assert.True(wait.Ticks * 10 <= windowTicks * 11, $"Wait {wait.Ticks} beyond the bound.");

        budget.AdvanceTo(start + wait.Ticks - 1);
        Assert.False(budget.HasRoomFor(1m));
        budget.AdvanceTo(start + wait.Ticks);
        Assert.True(budget.HasRoomFor(1m));
    }

    [Fact]
    public void AdvanceTo_HugeWindowNearTheEndOfTime_NoOverflow()
    {
        long end = DateTimeOffset.MaxValue.UtcTicks - 10;
        var budget = new SlidingWindowBudget(TimeSpan.MaxValue.Ticks, 5m, 1, end - 1000);
        budget.AdvanceTo(end - 1000);
        budget.Add(5m);

        budget.AdvanceTo(end);

        Assert.False(budget.HasRoomFor(1m));
        Assert.True(budget.RetryAfterTicks(1m, end) > 0);
    }

    [Fact]
    public void AdvanceTo_TinyWindowNearTheEndOfTime_SaturatesOnTheRefusingSide()
    {
        long end = DateTimeOffset.MaxValue.UtcTicks - 10;
        var budget = new SlidingWindowBudget(3, 1m, 1, end);
        budget.AdvanceTo(end);
        budget.Add(1m);

        for (long t = end; t <= DateTimeOffset.MaxValue.UtcTicks; t++)
        {
            budget.AdvanceTo(t);
            Assert.False(budget.HasRoomFor(1m));
        }
    }

    [Fact]
    public void AdvanceTo_EarlierTime_DoesNotRewind()
    {
        var budget = new SlidingWindowBudget(TimeSpan.FromSeconds(10).Ticks, 2m, 1, 1_000_000_000);
        budget.AdvanceTo(1_000_000_000);
        budget.Add(2m);

        budget.AdvanceTo(1_000_000_000 - 50_000_000);
        budget.AdvanceTo(1_000_000_000 + 50_000_000);

        Assert.False(budget.HasRoomFor(1m));
        Assert.Equal(2m, budget.Total);
    }

    [Fact]
    public void RetryAfter_MaximumAboveHalfTheLargestDecimal_NoOverflow()
    {
        long start = 638_000_000_000_000_000L;
        decimal max = 70_000_000_000_000_000_000_000_000_000m;
        var budget = new SlidingWindowBudget(600_000_000L, max, 1, start);
        budget.AdvanceTo(start);
        budget.Add(max);

        long wait = budget.RetryAfterTicks(max, start);

        Assert.InRange(wait, 600_000_000L, 660_000_000L);
        budget.AdvanceTo(start + wait);
        Assert.True(budget.HasRoomFor(max));
        Assert.Equal(0, budget.RetryAfterTicks(max, start + wait));
    }
}
