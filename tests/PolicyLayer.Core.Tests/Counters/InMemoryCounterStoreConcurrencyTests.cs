using Microsoft.Extensions.Time.Testing;
using PolicyLayer.Counters;

namespace PolicyLayer.Tests.Counters;

/// <summary>
/// Many threads on shared budgets: exact totals, no lost or phantom reservations, no deadlock. The clock stands
/// still, so every admission counts against the same window.
/// </summary>
public sealed class InMemoryCounterStoreConcurrencyTests
{
    private const int Workers = 8;

    // Only a guard against a hang (a deadlock would otherwise stall the run): not a performance threshold.
    private static readonly TimeSpan HangGuard = TimeSpan.FromMinutes(2);

    private readonly FakeTimeProvider _time = new(new DateTimeOffset(2026, 2, 2, 2, 2, 2, TimeSpan.Zero));

    private static async Task<int[]> RunWorkersAsync(Func<int, int> work)
    {
        using var start = new Barrier(Workers);
        Task<int>[] workers = Enumerable.Range(0, Workers)
            .Select(worker => Task.Factory.StartNew(
                () =>
                {
                    start.SignalAndWait();
                    return work(worker);
                },
                CancellationToken.None,
                TaskCreationOptions.LongRunning,
                TaskScheduler.Default))
            .ToArray();
        return await Task.WhenAll(workers).WaitAsync(HangGuard);
    }

    private static bool Reserve(ICounterStore store, params CounterRequest[] requests)
    {
        ValueTask<ReservationResult> pending = store.TryReserveAsync(requests);
        return pending.IsCompletedSuccessfully
            ? pending.Result.IsAdmitted
            : throw new InvalidOperationException("The in-memory store answers synchronously.");
    }

    private static int CountRoom(ICounterStore store, CounterKey key)
    {
        int room = 0;
        while (Reserve(store, new CounterRequest(key, 1)))
        {
            room++;
        }

        return room;
    }

    [Fact]
    public async Task TryReserve_ManyThreadsOnOneBudget_AdmitExactlyMax()
    {
        var store = new InMemoryCounterStore(_time);
        var key = new CounterKey(new CounterDefinition("hot", TimeSpan.FromMinutes(1), 5000), "g");

        int[] admitted = await RunWorkersAsync(_ =>
        {
            int count = 0;
            for (int i = 0; i < 2000; i++)
            {
                count += Reserve(store, new CounterRequest(key, 1)) ? 1 : 0;
            }

            return count;
        });

        Assert.Equal(5000, admitted.Sum());
        Assert.False(Reserve(store, new CounterRequest(key, 1)));
    }

    [Fact]
    public async Task TryReserve_ManyThreadsWithDecimalCosts_AdmitExactlyMax()
    {
        var store = new InMemoryCounterStore(_time);
        var key = new CounterKey(new CounterDefinition("spend", TimeSpan.FromHours(1), 1000.5m), "g");

        int[] admitted = await RunWorkersAsync(_ =>
        {
            int count = 0;
            for (int i = 0; i < 1000; i++)
            {
                count += Reserve(store, new CounterRequest(key, 0.25m)) ? 1 : 0;
            }

            return count;
        });

        Assert.Equal(4002, admitted.Sum());
    }

    [Fact]
    public async Task TryReserve_OverlappingMultiLimitCallsFromManyThreads_NoDeadlockAndExactTotals()
    {
        var store = new InMemoryCounterStore(_time);
        var a = new CounterKey(new CounterDefinition("a", TimeSpan.FromMinutes(1), 3000), "g");
        var b = new CounterKey(new CounterDefinition("b", TimeSpan.FromMinutes(1), 2000), "g");
        var c = new CounterKey(new CounterDefinition("c", TimeSpan.FromHours(1), 2500, CounterScope.Global), "");

        // Each worker reserves the budgets in a different order and combination; the store must lock them in one order.
        CounterRequest[][] shapes =
        [
            [new(a, 1), new(b, 1)],
            [new(b, 1), new(a, 1)],
            [new(c, 1), new(b, 1), new(a, 1)],
            [new(a, 1), new(c, 1)],
            [new(c, 1), new(a, 1), new(c, 1)],
            [new(a, 1)],
            [new(b, 2)],
            [new(c, 1)],
        ];
        var admittedPerShape = new int[shapes.Length];

        await RunWorkersAsync(worker =>
        {
            CounterRequest[] shape = shapes[worker];
            for (int i = 0; i < 1500; i++)
            {
                if (Reserve(store, shape))
                {
                    admittedPerShape[worker]++;
                }
            }

            return 0;
        });

        decimal usedA = 0, usedB = 0, usedC = 0;
        for (int s = 0; s < shapes.Length; s++)
        {
            foreach (CounterRequest request in shapes[s])
            {
                decimal cost = request.Cost * admittedPerShape[s];
                if (request.Key == a)
                {
                    usedA += cost;
                }
                else if (request.Key == b)
                {
                    usedB += cost;
                }
                else
                {
                    usedC += cost;
                }
            }
        }

        Assert.InRange(usedA, 0, 3000);
        Assert.InRange(usedB, 0, 2000);
        Assert.InRange(usedC, 0, 2500);

        // What is left in each budget is exactly what the admitted calls did not take: nothing lost, nothing extra.
        Assert.Equal(3000 - usedA, CountRoom(store, a));
        Assert.Equal(2000 - usedB, CountRoom(store, b));
        Assert.Equal(2500 - usedC, CountRoom(store, c));
    }

    [Fact]
    public async Task TryReserveAndRefund_ConcurrentlyWithSweeps_NoReservationLost()
    {
        // Refunds empty budgets so that the sweep drops them while other threads are about to reserve into them:
        // a reservation must never land in a dropped budget.
        var store = new InMemoryCounterStore(_time, new InMemoryCounterStoreOptions { SweepInterval = TimeSpan.FromTicks(1) });
        CounterKey[] keys = Enumerable.Range(0, 16)
            .Select(i => new CounterKey(new CounterDefinition("churn", TimeSpan.FromMinutes(1), 1000), $"g{i}"))
            .ToArray();

        int[] kept = await RunWorkersAsync(worker =>
        {
            if (worker == 0)
            {
                for (int i = 0; i < 20_000; i++)
                {
                    store.Sweep();
                    _time.Advance(TimeSpan.FromTicks(1));
                }

                return 0;
            }

            // Worker w keeps every w-th admission on its own share of keys and refunds the rest.
            int keptHere = 0;
            for (int i = 0; i < 20_000; i++)
            {
                CounterRequest[] request = [new(keys[(i * 7 + worker) % keys.Length], 1)];
                ValueTask<ReservationResult> pending = store.TryReserveAsync(request);
                ReservationResult result = pending.IsCompletedSuccessfully ? pending.Result : throw new InvalidOperationException();
                if (!result.IsAdmitted)
                {
                    continue;
                }

                if (i % 97 == 0)
                {
                    keptHere++;
                }
                else
                {
                    ValueTask refund = store.RefundAsync(request, result.Timestamp);
                    Assert.True(refund.IsCompletedSuccessfully);
                }
            }

            return keptHere;
        });

        // The clock moved well under a window, so every kept admission still counts.
        int room = keys.Sum(key => CountRoom(store, key));
        Assert.Equal((1000 * keys.Length) - kept.Sum(), room);
    }
}
