using PolicyLayer.Counters;
using PolicyLayer.Redis.Keys;
using StackExchange.Redis;

namespace PolicyLayer.Redis;

/// <summary>
/// The budgets of one call, ready for the scripts: requests for the same key added up, costs and maxima as integer
/// millionths, windows in microseconds.
/// </summary>
/// <remarks>
/// <para>Costs are exact decimals. Redis scripts compute with doubles, which are exact for integers below 2^53, so
/// the store sends integers of millionths: a cost is rounded up and a maximum down, so a sub-millionth difference can
/// only refuse, never admit, and nothing in a script is ever a binary fraction. Integers are capped at 2^52 (about
/// 4.5 billion units), which keeps every sum below 2^53: a counter whose maximum is larger is enforced at that cap.</para>
/// <para>Windows are rounded up to a whole microsecond (Redis <c>TIME</c> has microseconds), which again can only
/// refuse a little earlier, and are limited to ten years so that the script's arithmetic stays exact.</para>
/// </remarks>
internal sealed class ReservationPlan
{
    /// <summary>The largest integer the scripts are sent: 2^52, so that any two add up exactly.</summary>
    internal const long MaxUnits = 1L << 52;

    private const decimal UnitsPerCost = 1_000_000m;
    /// <summary>Microseconds from 0001-01-01 (where the in-memory store's time starts) to the Unix epoch (Redis TIME's).</summary>
    private const long UnixEpochMicroseconds = 62_135_596_800_000_000;

    private const long MaxWindowMicroseconds = 10L * 366 * 24 * 3600 * 1_000_000;

    private ReservationPlan(Budget[] budgets, int neverIndex, string? error)
    {
        Budgets = budgets;
        NeverIndex = neverIndex;
        Error = error;
    }

    /// <summary>The distinct budgets, in the order of their first request.</summary>
    public Budget[] Budgets { get; }

    /// <summary>The first request whose (added up) cost exceeds its maximum, so it can never be admitted; -1 if none.</summary>
    public int NeverIndex { get; }

    /// <summary>Why the store cannot keep these budgets, or <see langword="null"/>.</summary>
    public string? Error { get; }

    /// <summary>Adds up and converts <paramref name="requests"/> (already validated).</summary>
    public static ReservationPlan Create(ReadOnlySpan<CounterRequest> requests, BudgetKeys keys)
    {
        var budgets = new List<Budget>(requests.Length);
        for (int i = 0; i < requests.Length; i++)
        {
            CounterRequest request = requests[i];
            int found = IndexOf(budgets, request.Key);
            if (found >= 0)
            {
                // A total above the maximum can never be admitted and may not even be a decimal: note it instead of
                // relying on the saturated sum, which is not above a maximum of decimal.MaxValue.
                Budget existing = budgets[found];
                budgets[found] = existing with
                {
                    Cost = AddSaturating(existing.Cost, request.Cost),
                    OverMax = existing.OverMax || existing.Cost > request.Key.Counter.Max - request.Cost,
                };
            }
            else
            {
                budgets.Add(new Budget(request.Key, i, request.Cost));
            }
        }

        int never = -1;
        string? error = null;
        var result = new Budget[budgets.Count];
        for (int i = 0; i < result.Length; i++)
        {
            Budget budget = budgets[i];
            CounterDefinition counter = budget.CounterKey.Counter;
            if ((budget.OverMax || budget.Cost > counter.Max) && never < 0)
            {
                never = budget.FirstIndex;
            }

            long window = Math.Max(1, (counter.Window.Ticks + 9) / 10);
            if (window > MaxWindowMicroseconds && error is null)
            {
                error = $"rate-limit store cannot keep counter '{counter.Name}': its window {counter.Window} is longer than the Redis counter store supports (10 years); use a shorter window.";
            }

            string tag = keys.TagOf(budget.CounterKey);
            result[i] = budget with
            {
                Tag = tag,
                RedisKey = keys.KeyOf(budget.CounterKey, tag),
                WindowMicroseconds = window,
                MaxUnits = ToUnits(counter.Max, roundUp: false),
                CostUnits = ToUnits(budget.Cost, roundUp: true),

                // A budget's last segment counts until a window and a segment after it began.
                ExpiryMilliseconds = (window + ((window + 9) / 10) + 999) / 1000,
                GridShiftMicroseconds = UnixEpochMicroseconds % window,
            };
        }

        return new ReservationPlan(result, never, error);
    }

    /// <summary>Integer millionths, at most <see cref="MaxUnits"/>.</summary>
    internal static long ToUnits(decimal value, bool roundUp)
    {
        if (value >= MaxUnits / UnitsPerCost)
        {
            return MaxUnits;
        }

        decimal scaled = value * UnitsPerCost;
        return (long)(roundUp ? decimal.Ceiling(scaled) : decimal.Floor(scaled));
    }

    private static int IndexOf(List<Budget> budgets, in CounterKey key)
    {
        for (int i = 0; i < budgets.Count; i++)
        {
            if (budgets[i].CounterKey.Equals(key))
            {
                return i;
            }
        }

        return -1;
    }

    private static decimal AddSaturating(decimal a, decimal b) =>
        decimal.MaxValue - a < b ? decimal.MaxValue : a + b;

    /// <summary>One distinct budget of the call.</summary>
    /// <param name="CounterKey">The budget.</param>
    /// <param name="FirstIndex">Its first request's index.</param>
    /// <param name="Cost">The added-up cost.</param>
    internal readonly record struct Budget(CounterKey CounterKey, int FirstIndex, decimal Cost)
    {
        public string Tag { get; init; } = "";

        /// <summary>The requests for this budget add up to more than its maximum.</summary>
        public bool OverMax { get; init; }

        public RedisKey RedisKey { get; init; }

        public long WindowMicroseconds { get; init; }

        public long MaxUnits { get; init; }

        public long CostUnits { get; init; }

        public long ExpiryMilliseconds { get; init; }

        /// <summary>Where segments start relative to the Unix epoch, so that they start where the in-memory store's do.</summary>
        public long GridShiftMicroseconds { get; init; }
    }
}
