namespace PolicyLayer.Approvals;

/// <summary>Options of <see cref="InMemoryApprovalStore"/>.</summary>
public sealed class InMemoryApprovalStoreOptions
{
    /// <summary>The most requests held at once (any state). Default: 10,000. When full, new requests are refused.</summary>
    public int MaxRequests { get; set; } = 10_000;

    /// <summary>How long a request is kept (for <see cref="IApprovalStore.GetAsync"/>) after it expires. Default: 1 hour.</summary>
    public TimeSpan Retention { get; set; } = TimeSpan.FromHours(1);
}

/// <summary>An <see cref="IApprovalStore"/> in this process's memory: for one host, or for tests.</summary>
/// <remarks>
/// One lock guards everything: approvals are rare (only <c>require_approval</c> tools reach the store), and a
/// lock makes each method trivially atomic. Requests past their expiry plus
/// <see cref="InMemoryApprovalStoreOptions.Retention"/> are removed as new ones are added. Time comes from the
/// injected <see cref="TimeProvider"/>.
/// </remarks>
public sealed class InMemoryApprovalStore : IApprovalStore
{
    private readonly object _lock = new();
    private readonly Dictionary<string, ApprovalRequest> _byId = new(StringComparer.Ordinal);
    private readonly Dictionary<string, string> _liveByKey = new(StringComparer.Ordinal);
    private readonly TimeProvider _time;
    private readonly int _maxRequests;
    private readonly TimeSpan _retention;

    /// <summary>Creates an empty store.</summary>
    /// <param name="timeProvider">The clock; <see cref="TimeProvider.System"/> when <see langword="null"/>.</param>
    /// <param name="options">Size bound and retention; copied.</param>
    public InMemoryApprovalStore(TimeProvider? timeProvider = null, InMemoryApprovalStoreOptions? options = null)
    {
        options ??= new InMemoryApprovalStoreOptions();
        ArgumentOutOfRangeException.ThrowIfLessThanOrEqual(options.MaxRequests, 0, "options.MaxRequests");
        ArgumentOutOfRangeException.ThrowIfLessThan(options.Retention, TimeSpan.Zero, "options.Retention");
        _time = timeProvider ?? TimeProvider.System;
        _maxRequests = options.MaxRequests;
        _retention = options.Retention;
    }

    /// <inheritdoc />
    public ValueTask<ApprovalRequest?> GetOrAddAsync(ApprovalRequest request, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(request);
        lock (_lock)
        {
            var now = _time.GetUtcNow();
            if (_liveByKey.TryGetValue(request.Key, out var liveId) && _byId.TryGetValue(liveId, out var live))
            {
                if (now < live.ExpiresAt)
                {
                    return new(live);
                }

                // Report the lapse once; the next identical call asks again.
                _liveByKey.Remove(request.Key);
                var expired = live with { State = ApprovalState.Expired };
                _byId[liveId] = expired;
                return new(expired);
            }

            if (_byId.Count >= _maxRequests)
            {
                Sweep(now);
                if (_byId.Count >= _maxRequests)
                {
                    return new((ApprovalRequest?)null);
                }
            }

            var added = request with { State = ApprovalState.Pending, DecidedAt = null, DecidedBy = null, DenialReason = null };
            _byId[added.Id] = added;
            _liveByKey[added.Key] = added.Id;
            return new(added);
        }
    }

    /// <inheritdoc />
    public ValueTask<bool> TryUseAsync(string id, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(id);
        lock (_lock)
        {
            if (!_byId.TryGetValue(id, out var request) || request.State != ApprovalState.Approved || _time.GetUtcNow() >= request.ExpiresAt)
            {
                return new(false);
            }

            _byId[id] = request with { State = ApprovalState.Used };
            if (_liveByKey.TryGetValue(request.Key, out var liveId) && liveId == id)
            {
                _liveByKey.Remove(request.Key);
            }

            return new(true);
        }
    }

    /// <inheritdoc />
    public ValueTask<ApprovalChange> DecideAsync(string id, ApprovalVerdict verdict, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(id);
        lock (_lock)
        {
            if (!_byId.TryGetValue(id, out var request))
            {
                return new(new ApprovalChange(ApprovalChangeStatus.NotFound, null));
            }

            var now = _time.GetUtcNow();
            if (request.State is not (ApprovalState.Pending or ApprovalState.Expired))
            {
                return new(new ApprovalChange(ApprovalChangeStatus.NotPending, request));
            }

            if (request.State == ApprovalState.Expired || now >= request.ExpiresAt)
            {
                return new(new ApprovalChange(ApprovalChangeStatus.Expired, request with { State = ApprovalState.Expired }));
            }

            var decided = request with
            {
                State = verdict.Approve ? ApprovalState.Approved : ApprovalState.Denied,
                DecidedBy = verdict.Approver,
                DecidedAt = now,
                DenialReason = verdict.Approve ? null : verdict.Reason,
                // A validity that reaches past the end of time (TimeSpan.MaxValue, say) lasts until then.
                ExpiresAt = verdict.ValidFor > DateTimeOffset.MaxValue - now ? DateTimeOffset.MaxValue : now + verdict.ValidFor,
            };
            _byId[id] = decided;
            return new(new ApprovalChange(ApprovalChangeStatus.Applied, decided));
        }
    }

    /// <inheritdoc />
    public ValueTask<ApprovalRequest?> GetAsync(string id, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(id);
        lock (_lock)
        {
            if (!_byId.TryGetValue(id, out var request))
            {
                return new((ApprovalRequest?)null);
            }

            var lapsed = request.State is ApprovalState.Pending or ApprovalState.Approved && _time.GetUtcNow() >= request.ExpiresAt;
            return new(lapsed ? request with { State = ApprovalState.Expired } : request);
        }
    }

    /// <inheritdoc />
    public ValueTask<IReadOnlyList<ApprovalRequest>> GetPendingAsync(CancellationToken cancellationToken = default)
    {
        lock (_lock)
        {
            var now = _time.GetUtcNow();
            IReadOnlyList<ApprovalRequest> pending = _byId.Values
                .Where(r => r.State == ApprovalState.Pending && now < r.ExpiresAt)
                .OrderBy(r => r.CreatedAt)
                .ThenBy(r => r.Id, StringComparer.Ordinal)
                .ToArray();
            return new(pending);
        }
    }

    private void Sweep(DateTimeOffset now)
    {
        var stale = _byId.Values.Where(r => now - _retention >= r.ExpiresAt || (r.State == ApprovalState.Used && now >= r.ExpiresAt)).ToArray();
        foreach (var request in stale)
        {
            _byId.Remove(request.Id);
            if (_liveByKey.TryGetValue(request.Key, out var liveId) && liveId == request.Id)
            {
                _liveByKey.Remove(request.Key);
            }
        }
    }
}
