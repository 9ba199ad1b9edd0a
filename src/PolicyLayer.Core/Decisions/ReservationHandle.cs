using PolicyLayer.Counters;
using PolicyLayer.Policies;

namespace PolicyLayer;

/// <summary>
/// A versioned reference to a pooled <see cref="Reservation"/>: completing it bumps the version, so a second
/// report through a stale copy of the decision finds a different version and does nothing.
/// </summary>
internal readonly struct ReservationHandle
{
    private readonly Reservation? _reservation;
    private readonly int _version;

    internal ReservationHandle(Reservation reservation)
    {
        _reservation = reservation;
        _version = reservation.Version;
    }

    public bool IsActive => _reservation is not null && _reservation.Version == _version;

    public ValueTask CompleteAsync(ToolCallOutcome outcome, CancellationToken cancellationToken)
        => _reservation is null ? default : _reservation.CompleteAsync(_version, outcome, cancellationToken);
}

/// <summary>
/// What one admitted call reserved, kept until the host reports the tool's outcome. Instances are pooled so that
/// an admitted call with limits allocates nothing once the pool is warm; one that is never reported is simply
/// collected, and its reservation stays spent.
/// </summary>
internal sealed class Reservation
{
    private static readonly ReservationPool Pool = new();
    private CounterRequest[] _requests = new CounterRequest[4];
    private Limit[] _limits = new Limit[4];
    private int _count;
    private int _version;
    private long _timestamp;
    private ICounterStore? _store;

    public int Version => Volatile.Read(ref _version);

    /// <summary>The requests of the call being authorized; filled by the authorizer before it reserves.</summary>
    public ReadOnlyMemory<CounterRequest> Requests => _requests.AsMemory(0, _count);

    public static Reservation Rent() => Pool.Rent();

    public void Clear()
    {
        // Drop the references (counters, partitions, the store) so a pooled reservation keeps nothing alive.
        for (var i = 0; i < _count; i++)
        {
            _limits[i] = null!;
            _requests[i] = default;
        }

        _count = 0;
        _store = null;
    }

    /// <summary>Adds a request, adding its cost to an earlier request for the same budget.</summary>
    /// <returns>
    /// -1; or, when the costs for one budget add up to more than its counter's maximum, the index of that budget's
    /// request, which is left as it was: such a call can never be admitted, and its total may not even be a
    /// <see cref="decimal"/>, so the caller refuses it here rather than let the sum overflow.
    /// </returns>
    public int Add(in CounterRequest request, Limit limit)
    {
        // Merge repeated keys (a shared counter named by a tool's limit and by all_tools) so the store sees one cost.
        for (var i = 0; i < _count; i++)
        {
            if (_requests[i].Key.Equals(request.Key))
            {
                return Merge(i, request);
            }
        }

        if (_count == _requests.Length)
        {
            Array.Resize(ref _requests, _count * 2);
            Array.Resize(ref _limits, _count * 2);
        }

        _limits[_count] = limit;
        _requests[_count++] = request;
        return -1;
    }

    public int Count => _count;

    // Out of line: the merged request is a temporary that Add's frame would otherwise clear on every call.
    [System.Runtime.CompilerServices.MethodImpl(System.Runtime.CompilerServices.MethodImplOptions.NoInlining)]
    private int Merge(int index, in CounterRequest request)
    {
        var earlier = _requests[index].Cost;
        if (!request.Key.Counter.HoldsBoth(earlier, request.Cost))
        {
            return index;
        }

        _requests[index] = new CounterRequest(request.Key, earlier + request.Cost);
        return -1;
    }

    public ref readonly CounterRequest this[int index] => ref _requests[index];

    /// <summary>The first limit that asked for the request at <paramref name="index"/>.</summary>
    public Limit LimitAt(int index) => _limits[index];

    /// <summary>Marks the reservation as held by an admitted call.</summary>
    public ReservationHandle Activate(ICounterStore store, long timestamp)
    {
        _store = store;
        _timestamp = timestamp;
        return new ReservationHandle(this);
    }

    /// <summary>Returns an instance that was rented but not activated (the call was refused).</summary>
    public void Return()
    {
        Clear();
        Pool.Return(this);
    }

    public ValueTask CompleteAsync(int version, ToolCallOutcome outcome, CancellationToken cancellationToken)
    {
        // Only the first report with the current version wins; any later one sees a bumped version.
        if (Interlocked.CompareExchange(ref _version, unchecked(version + 1), version) != version)
        {
            return default;
        }

        if (outcome == ToolCallOutcome.Succeeded || _store is null)
        {
            Return();
            return default;
        }

        var refund = _store.RefundAsync(Requests, _timestamp, cancellationToken);
        if (refund.IsCompletedSuccessfully)
        {
            refund.GetAwaiter().GetResult();
            Return();
            return default;
        }

        return AwaitRefundAsync(refund);
    }

    private async ValueTask AwaitRefundAsync(ValueTask refund)
    {
        try
        {
            await refund.ConfigureAwait(false);
        }
        finally
        {
            Return();
        }
    }

    /// <summary>A small lock-free pool: a fixed array of slots claimed with compare-exchange.</summary>
    private sealed class ReservationPool
    {
        private readonly Reservation?[] _items = new Reservation?[Math.Max(16, Environment.ProcessorCount * 8)];

        // Most reservations are completed on the thread that made them: one cached per thread avoids the shared array.
        [ThreadStatic]
        private static Reservation? t_cached;

        public Reservation Rent()
        {
            var cached = t_cached;
            if (cached is not null)
            {
                t_cached = null;
                return cached;
            }

            var items = _items;
            for (var i = 0; i < items.Length; i++)
            {
                var item = items[i];
                if (item is not null && Interlocked.CompareExchange(ref items[i], null, item) == item)
                {
                    return item;
                }
            }

            return new Reservation();
        }

        public void Return(Reservation reservation)
        {
            if (t_cached is null)
            {
                t_cached = reservation;
                return;
            }

            var items = _items;
            for (var i = 0; i < items.Length; i++)
            {
                if (items[i] is null && Interlocked.CompareExchange(ref items[i], reservation, null) is null)
                {
                    return;
                }
            }
        }
    }
}
