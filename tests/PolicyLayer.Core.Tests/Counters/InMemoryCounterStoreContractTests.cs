using Microsoft.Extensions.Time.Testing;
using PolicyLayer.Counters;

namespace PolicyLayer.Tests.Counters;

/// <summary>Runs the counter store contract against <see cref="InMemoryCounterStore"/>.</summary>
public sealed class InMemoryCounterStoreContractTests : CounterStoreContractTests
{
    // Not aligned to any window or segment boundary, as a remote store's clock would not be.
    private readonly FakeTimeProvider _time = new(new DateTimeOffset(2026, 3, 14, 15, 9, 26, 535, TimeSpan.Zero).AddTicks(8979));

    protected override ICounterStore CreateStore() => new InMemoryCounterStore(_time);

    protected override ValueTask AdvanceAsync(TimeSpan by)
    {
        _time.Advance(by);
        return ValueTask.CompletedTask;
    }
}
