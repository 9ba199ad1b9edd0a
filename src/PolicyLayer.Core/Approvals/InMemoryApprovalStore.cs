using System.Text;

namespace PolicyLayer.Approvals;

/// <summary>Options of <see cref="InMemoryApprovalStore"/>.</summary>
public sealed class InMemoryApprovalStoreOptions
{
    /// <summary>The default for <see cref="MaxRequestBytes"/>: 64 KiB, as the Redis store's.</summary>
    public const int DefaultMaxRequestBytes = 64 * 1024;

    /// <summary>The default for <see cref="MaxTotalBytes"/>: 64 MiB.</summary>
    public const long DefaultMaxTotalBytes = 64L * 1024 * 1024;

    /// <summary>The most requests held at once (any state). Default: 10,000. When full, new requests are refused.</summary>
    public int MaxRequests { get; set; } = 10_000;

    /// <summary>
    /// The most bytes one request may take: its text (mostly the call's canonical arguments, then the tool, grant,
    /// reason, and the approver and reason of a decision) as UTF-8; in memory it takes at most twice that. Default
    /// 64 KiB, at least 1,024. A larger request is not stored: <see cref="InMemoryApprovalStore.GetOrAddAsync"/> throws
    /// an <see cref="ArgumentException"/> that says so, and the authorizer refuses the call with that message.
    /// </summary>
    public int MaxRequestBytes { get; set; } = DefaultMaxRequestBytes;

    /// <summary>
    /// The most bytes (counted as <see cref="MaxRequestBytes"/> counts them) all requests held may take together.
    /// Default 64 MiB, at least <see cref="MaxRequestBytes"/>. When a new request would pass it, requests that lapsed
    /// are removed; if that is not enough, the new request is refused as when the store is full.
    /// </summary>
    public long MaxTotalBytes { get; set; } = DefaultMaxTotalBytes;

    /// <summary>How long a request is kept (for <see cref="IApprovalStore.GetAsync"/>) after it expires. Default: 1 hour.</summary>
    public TimeSpan Retention { get; set; } = TimeSpan.FromHours(1);
}

/// <summary>An <see cref="IApprovalStore"/> in this process's memory: for one host, or for tests.</summary>
/// <remarks>
/// <para>One lock guards everything: approvals are rare (only <c>require_approval</c> tools reach the store), and a
/// lock makes each method trivially atomic. Requests past their expiry plus
/// <see cref="InMemoryApprovalStoreOptions.Retention"/> are removed as new ones are added. Time comes from the
/// injected <see cref="TimeProvider"/>.</para>
/// <para>Bounded by count (<see cref="InMemoryApprovalStoreOptions.MaxRequests"/>) and by size, per request
/// (<see cref="InMemoryApprovalStoreOptions.MaxRequestBytes"/>) and in all
/// (<see cref="InMemoryApprovalStoreOptions.MaxTotalBytes"/>), so callers cannot exhaust the host's memory with
/// distinct or large calls.</para>
/// </remarks>
public sealed class InMemoryApprovalStore : IApprovalStore
{
    private readonly object _lock = new();
    private readonly Dictionary<string, ApprovalRequest> _byId = new(StringComparer.Ordinal);
    private readonly Dictionary<string, string> _liveByKey = new(StringComparer.Ordinal);
    private readonly TimeProvider _time;
    private readonly int _maxRequests;
    private readonly int _maxRequestBytes;
    private readonly long _maxTotalBytes;
    private readonly TimeSpan _retention;
    private long _totalBytes;

    /// <summary>Creates an empty store.</summary>
    /// <param name="timeProvider">The clock; <see cref="TimeProvider.System"/> when <see langword="null"/>.</param>
    /// <param name="options">Size bounds and retention; copied.</param>
    public InMemoryApprovalStore(TimeProvider? timeProvider = null, InMemoryApprovalStoreOptions? options = null)
    {
        options ??= new InMemoryApprovalStoreOptions();
        ArgumentOutOfRangeException.ThrowIfLessThanOrEqual(options.MaxRequests, 0, "options.MaxRequests");
        ArgumentOutOfRangeException.ThrowIfLessThan(options.MaxRequestBytes, 1024, "options.MaxRequestBytes");
        ArgumentOutOfRangeException.ThrowIfLessThan(options.MaxTotalBytes, options.MaxRequestBytes, "options.MaxTotalBytes");
        ArgumentOutOfRangeException.ThrowIfLessThan(options.Retention, TimeSpan.Zero, "options.Retention");
        _time = timeProvider ?? TimeProvider.System;
        _maxRequests = options.MaxRequests;
        _maxRequestBytes = options.MaxRequestBytes;
        _maxTotalBytes = options.MaxTotalBytes;
        _retention = options.Retention;
    }

    /// <inheritdoc />
    /// <exception cref="ArgumentException">The request takes more than <see cref="InMemoryApprovalStoreOptions.MaxRequestBytes"/>.</exception>
    public ValueTask<ApprovalRequest?> GetOrAddAsync(ApprovalRequest request, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(request);
        var added = request with { State = ApprovalState.Pending, DecidedAt = null, DecidedBy = null, DenialReason = null };
        var bytes = Size(added);
        if (bytes > _maxRequestBytes)
        {
            throw new ArgumentException(
                $"The approval request to call '{Schema.Keywords.ValueText.Clip(request.Tool, 64)}' takes {bytes:N0} bytes, more than the {_maxRequestBytes:N0} the in-memory approval store keeps per request (InMemoryApprovalStoreOptions.MaxRequestBytes); make the call with smaller arguments, or raise the bound.",
                nameof(request));
        }

        lock (_lock)
        {
            var now = _time.GetUtcNow();
            if (_liveByKey.TryGetValue(request.Key, out var liveId) && _byId.TryGetValue(liveId, out var live))
            {
                if (now < live.ExpiresAt)
                {
                    return new(live);
                }

                // Report the lapse once; the next identical call asks again. A denial stays a denial: the caller is
                // told who denied it and why, never that it may simply call again.
                _liveByKey.Remove(request.Key);
                if (live.State == ApprovalState.Denied)
                {
                    return new(live);
                }

                var expired = live with { State = ApprovalState.Expired };
                _byId[liveId] = expired;
                return new(expired);
            }

            if (_byId.Count >= _maxRequests || _totalBytes + bytes > _maxTotalBytes)
            {
                Sweep(now);
                if (_byId.Count >= _maxRequests || _totalBytes + bytes > _maxTotalBytes)
                {
                    return new((ApprovalRequest?)null);
                }
            }

            _byId[added.Id] = added;
            _liveByKey[added.Key] = added.Id;
            _totalBytes += bytes;
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
    /// <exception cref="ArgumentException">The approver and reason take more than <see cref="InMemoryApprovalStoreOptions.MaxRequestBytes"/>.</exception>
    public ValueTask<ApprovalChange> DecideAsync(string id, ApprovalVerdict verdict, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(id);
        var denialReason = verdict.Approve ? null : verdict.Reason;
        var decisionBytes = Bytes(verdict.Approver) + Bytes(denialReason);
        if (decisionBytes > _maxRequestBytes)
        {
            throw new ArgumentException(
                $"The approver and reason take {decisionBytes:N0} bytes, more than the {_maxRequestBytes:N0} the in-memory approval store keeps per request (InMemoryApprovalStoreOptions.MaxRequestBytes); shorten the reason.",
                nameof(verdict));
        }

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
                DenialReason = denialReason,
                // A validity that reaches past the end of time (TimeSpan.MaxValue, say) lasts until then.
                ExpiresAt = verdict.ValidFor > DateTimeOffset.MaxValue - now ? DateTimeOffset.MaxValue : now + verdict.ValidFor,
            };
            _byId[id] = decided;
            _totalBytes += decisionBytes;
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
            _totalBytes -= Size(request);
            if (_liveByKey.TryGetValue(request.Key, out var liveId) && liveId == request.Id)
            {
                _liveByKey.Remove(request.Key);
            }
        }
    }

    /// <summary>What a request takes, counted as <see cref="InMemoryApprovalStoreOptions.MaxRequestBytes"/> says.</summary>
    private static long Size(ApprovalRequest request) =>
        Bytes(request.Id) + Bytes(request.Key) + Bytes(request.Tool) + Bytes(request.Grant) + Bytes(request.Arguments) + Bytes(request.Reason)
        + Bytes(request.DecidedBy) + Bytes(request.DenialReason);

    // A text too long to count exactly in an int is counted at its most (three bytes a UTF-16 code unit): far over any bound.
    private static long Bytes(string? text) => text is null ? 0 : text.Length > int.MaxValue / 3 ? text.Length * 3L : Encoding.UTF8.GetByteCount(text);
}
