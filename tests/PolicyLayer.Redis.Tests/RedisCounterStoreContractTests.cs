using PolicyLayer.Counters;
using PolicyLayer.Redis.Tests.Infrastructure;
using PolicyLayer.Tests.Counters;

namespace PolicyLayer.Redis.Tests;

/// <summary>
/// Runs the counter store contract against <see cref="RedisCounterStore"/> on the test server.
/// </summary>
/// <remarks>
/// <para>The stores' scripts take their time from a test clock that only <see cref="AdvanceAsync"/> moves, instead of
/// the server's <c>TIME</c>: the contract's second-long windows would otherwise depend on how fast the test runs (a
/// 10 ms pause shortens a one-second test's retry-after by as much). The other tests of this project use the
/// server's real clock.</para>
/// <para>Inherited facts cannot be skipped in xunit 2, so without POLICYLAYER_REDIS these fail with the message that
/// says how to start Redis.</para>
/// </remarks>
public sealed class RedisCounterStoreContractTests : CounterStoreContractTests
{
    // Stores of one test share their budgets, as two hosts on one Redis do.
    private readonly string _prefix = RedisTestServer.UniquePrefix();

    // Not aligned to any window or segment boundary, as a real clock would not be.
    private long _nowMicroseconds = (new DateTimeOffset(2026, 3, 14, 15, 9, 26, 535, TimeSpan.Zero).AddTicks(8979) - DateTimeOffset.UnixEpoch).Ticks / 10;

    protected override ICounterStore CreateStore()
    {
        RedisCounterStore store = RedisTestServer.CreateStore(options => options.KeyPrefix = _prefix);
        store.TestClock = () => Interlocked.Read(ref _nowMicroseconds);
        return store;
    }

    protected override ValueTask AdvanceAsync(TimeSpan by)
    {
        Interlocked.Add(ref _nowMicroseconds, by.Ticks / 10);
        return ValueTask.CompletedTask;
    }
}
