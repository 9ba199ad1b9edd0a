using FsCheck;
using FsCheck.Fluent;
using Microsoft.Extensions.Time.Testing;
using PolicyLayer.Counters;
using PolicyLayer.Redis.Tests.Infrastructure;

namespace PolicyLayer.Redis.Tests;

/// <summary>
/// Differential test: any sequence of reservations, refunds and clock moves gets the same answers (status, refused
/// index, retry-after, timestamp) from the Redis store as from the in-memory store, the reference implementation of
/// the same algorithm.
/// </summary>
public sealed class RedisCounterStoreDifferentialTests
{
    // An instant that is on no window's or segment's boundary, in whole microseconds (Redis TIME's resolution).
    private const long StartMicroseconds = 1_773_500_966_535_897;

    [RedisFact]
    public void AnySequence_RedisAnswersAsInMemory()
    {
        Gen<Step> step =
            from advanceMs in Gen.Choose(0, 2500)
            from cents in Gen.Choose(1, 260)
            from target in Gen.Choose(0, 3)
            from refund in Gen.Elements(false, false, false, true)
            select new Step(advanceMs, cents, target, refund);

        Property property = Prop.ForAll(Gen.ArrayOf(step).ToArbitrary(), steps => RunBoth(steps));

        Check.One(Config.QuickThrowOnFailure.WithMaxTest(60), property);
    }

    private static bool RunBoth(Step[] steps)
    {
        var time = new FakeTimeProvider(DateTimeOffset.UnixEpoch.AddTicks(StartMicroseconds * 10));
        var reference = new InMemoryCounterStore(time);
        long nowMicroseconds = StartMicroseconds;
        RedisCounterStore redis = RedisTestServer.CreateStore();
        redis.TestClock = () => nowMicroseconds;

        var perGrant = new CounterKey(new CounterDefinition("per-grant", TimeSpan.FromSeconds(10), 5m), "grant-a");
        var perSession = new CounterKey(new CounterDefinition("per-session", TimeSpan.FromSeconds(7), 3.5m, CounterScope.Session), "session-1");
        CounterRequest[]? lastAdmitted = null;
        long lastTimestamp = 0;

        foreach (Step s in steps)
        {
            time.Advance(TimeSpan.FromMilliseconds(s.AdvanceMs));
            nowMicroseconds += s.AdvanceMs * 1000L;
            if (s.RefundLast && lastAdmitted is not null)
            {
                reference.RefundAsync(lastAdmitted, lastTimestamp).AsTask().GetAwaiter().GetResult();
                redis.RefundAsync(lastAdmitted, lastTimestamp).AsTask().GetAwaiter().GetResult();
                lastAdmitted = null;
                continue;
            }

            decimal cost = s.Cents / 100m;
            CounterRequest[] requests = s.Target switch
            {
                0 => [new(perGrant, cost)],
                1 => [new(perSession, cost)],
                2 => [new(perGrant, cost), new(perSession, cost)],
                _ => [new(perSession, cost), new(perGrant, cost), new(perSession, cost)],
            };

            ReservationResult expected = reference.TryReserveAsync(requests).AsTask().GetAwaiter().GetResult();
            ReservationResult actual = redis.TryReserveAsync(requests).AsTask().GetAwaiter().GetResult();
            Assert.Equal(expected.Status, actual.Status);
            Assert.Equal(expected.RefusedIndex, actual.RefusedIndex);
            Assert.Equal(expected.RetryAfter, actual.RetryAfter);
            Assert.Equal(expected.Timestamp, actual.Timestamp);
            if (actual.IsAdmitted)
            {
                lastAdmitted = requests;
                lastTimestamp = actual.Timestamp;
            }
        }

        return true;
    }

    private sealed record Step(int AdvanceMs, int Cents, int Target, bool RefundLast);
}
