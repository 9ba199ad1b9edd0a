using System.Text;
using PolicyLayer.Approvals;
using PolicyLayer.Redis.Keys;
using PolicyLayer.Redis.Scripts;
using StackExchange.Redis;

namespace PolicyLayer.Redis.Approvals;

/// <summary>
/// An <see cref="IApprovalStore"/> on a Redis (or Valkey) server, so that every instance of a host shares the
/// approval requests: approve on one, and the retried call is allowed once on whichever instance it reaches.
/// </summary>
/// <remarks>
/// <para><b>Semantics.</b> The same as <see cref="InMemoryApprovalStore"/>'s, checked by the same contract tests: one
/// live request per call, an approval used at most once, a lapse reported once and then asked again.</para>
/// <para><b>Atomic.</b> Adding, using and deciding are each one <c>EVALSHA</c> of one Lua script over three keys that
/// share a hash tag (one Redis Cluster slot): a hash of requests by id (as JSON), a hash from call key to the live
/// request's id, and a sorted set of when each request may be removed. Reads are single commands. Scripts are
/// loaded again when the server answers <c>NOSCRIPT</c>.</para>
/// <para><b>Time.</b> Expiry is decided by the injected <see cref="TimeProvider"/>, the authorizer's clock, whose
/// time is passed into the script; the server's clock plays no part in it. Keys expire too, but only as cleanup:
/// their expiry is extended to outlive every request they hold (plus <see cref="RedisApprovalStoreOptions.Retention"/>),
/// so that a store nobody uses any more disappears.</para>
/// <para><b>Bounded.</b> At most <see cref="RedisApprovalStoreOptions.MaxRequests"/> requests of at most
/// <see cref="RedisApprovalStoreOptions.MaxRequestBytes"/> each. Requests past their expiry plus the retention (and
/// used ones past their expiry) are removed a few at a time on every add, and more when the store is full; if none
/// can be removed, <see cref="GetOrAddAsync"/> answers <see langword="null"/> (full).</para>
/// <para><b>Failures.</b> When Redis cannot answer within <see cref="RedisApprovalStoreOptions.Timeout"/> (no
/// connection, a stall, an error) the method throws a <see cref="RedisException"/> whose message says what happened;
/// the authorizer turns it into a refusal that says the approval store is unavailable (approvals always fail
/// closed). A request larger than the bound throws an <see cref="ArgumentException"/> that says so, which the
/// authorizer also turns into a refusal. Thread-safe.</para>
/// </remarks>
public sealed class RedisApprovalStore : IApprovalStore
{
    private const int ListingBatch = 256;

    // Key expiry is measured by the server's clock from the store's idea of now: a minute more absorbs clock skew
    // between hosts. At most ten years, far beyond any sensible timeout, so the number stays valid for PEXPIRE.
    private static readonly TimeSpan KeyExpiryMargin = TimeSpan.FromMinutes(1);
    private static readonly TimeSpan MaxKeyExpiry = TimeSpan.FromDays(3653);

    private readonly Task<IConnectionMultiplexer> _connection;
    private readonly ApprovalKeys _keys;
    private readonly TimeProvider _time;
    private readonly TimeSpan _timeout;
    private readonly int _maxRequests;
    private readonly int _maxRequestBytes;
    private readonly TimeSpan _retention;

    /// <summary>Creates a store on <see cref="RedisApprovalStoreOptions.ConnectionMultiplexer"/>.</summary>
    /// <param name="options">The options; validated and copied, so later changes have no effect.</param>
    /// <exception cref="ArgumentException">The options are invalid; the message lists every problem.</exception>
    public RedisApprovalStore(RedisApprovalStoreOptions options)
        : this(options, null)
    {
    }

    /// <summary>Creates a store on a connection that is still being made (the counter store's, through DI).</summary>
    internal RedisApprovalStore(RedisApprovalStoreOptions options, Task<IConnectionMultiplexer>? connection)
    {
        ArgumentNullException.ThrowIfNull(options);
        List<string> errors = RedisApprovalStoreOptions.Check(options, connectionRequired: connection is null);
        if (errors.Count > 0)
        {
            throw new ArgumentException(string.Join(Environment.NewLine, errors), nameof(options));
        }

        if (connection is null)
        {
            connection = Task.FromResult(options.ConnectionMultiplexer!);
            _ = RedisScript.LoadAllAsync(options.ConnectionMultiplexer!);
        }

        _connection = connection;
        _keys = new ApprovalKeys(options.KeyPrefix);
        _time = options.TimeProvider ?? TimeProvider.System;
        _timeout = options.Timeout;
        _maxRequests = options.MaxRequests;
        _maxRequestBytes = options.MaxRequestBytes;
        _retention = options.Retention;
    }

    /// <inheritdoc />
    /// <exception cref="ArgumentException">The request takes more than <see cref="RedisApprovalStoreOptions.MaxRequestBytes"/>.</exception>
    /// <exception cref="RedisException">Redis did not answer in time, or answered with an error.</exception>
    public async ValueTask<ApprovalRequest?> GetOrAddAsync(ApprovalRequest request, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(request);
        ApprovalRequest added = request with { State = ApprovalState.Pending, DecidedAt = null, DecidedBy = null, DenialReason = null };
        DateTimeOffset removeAt = Add(added.ExpiresAt, _retention);
        byte[] json = ApprovalJson.Write(added, removeAt);
        if (json.Length > _maxRequestBytes)
        {
            throw new ArgumentException(
                $"The approval request to call '{Shorten(request.Tool)}' takes {json.Length:N0} bytes, more than the {_maxRequestBytes:N0} the Redis approval store keeps per request (RedisApprovalStoreOptions.MaxRequestBytes); make the call with smaller arguments, or raise the bound.",
                nameof(request));
        }

        DateTimeOffset now = _time.GetUtcNow();
        RedisValue[] values =
        [
            "add", ApprovalJson.Ticks(now), ApprovalJson.Milliseconds(now), added.Key, added.Id, json,
            ApprovalJson.Milliseconds(removeAt), KeyExpiry(now, added.ExpiresAt), _maxRequests,
        ];
        RedisResult[] answer = await RunScriptAsync(values, cancellationToken).ConfigureAwait(false);
        return Status(answer) switch
        {
            "live" or "expired" => Request(answer),
            "full" => null,
            "added" => added,
            var other => throw Unexpected(other),
        };
    }

    /// <inheritdoc />
    /// <exception cref="RedisException">Redis did not answer in time, or answered with an error.</exception>
    public async ValueTask<bool> TryUseAsync(string id, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(id);
        DateTimeOffset now = _time.GetUtcNow();
        RedisValue[] values = ["use", ApprovalJson.Ticks(now), ApprovalJson.Milliseconds(now), id];
        RedisResult answer = await RunAsync(database => RedisScript.Approval.EvaluateAsync(database, _keys.All, values), cancellationToken).ConfigureAwait(false);
        return (long)answer == 1;
    }

    /// <inheritdoc />
    /// <exception cref="ArgumentException">The approver and reason take more than <see cref="RedisApprovalStoreOptions.MaxRequestBytes"/>.</exception>
    /// <exception cref="RedisException">Redis did not answer in time, or answered with an error.</exception>
    public async ValueTask<ApprovalChange> DecideAsync(string id, ApprovalVerdict verdict, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(id);
        string? denialReason = verdict.Approve ? null : verdict.Reason;
        int decisionBytes = Encoding.UTF8.GetByteCount(verdict.Approver ?? string.Empty) + Encoding.UTF8.GetByteCount(denialReason ?? string.Empty);
        if (decisionBytes > _maxRequestBytes)
        {
            throw new ArgumentException(
                $"The approver and reason take {decisionBytes:N0} bytes, more than the {_maxRequestBytes:N0} the Redis approval store keeps per request (RedisApprovalStoreOptions.MaxRequestBytes); shorten the reason.",
                nameof(verdict));
        }

        DateTimeOffset now = _time.GetUtcNow();
        DateTimeOffset expires = Add(now, verdict.ValidFor);
        DateTimeOffset removeAt = Add(expires, _retention);
        RedisValue[] values =
        [
            "decide", ApprovalJson.Ticks(now), ApprovalJson.Milliseconds(now), id,
            verdict.Approve ? nameof(ApprovalState.Approved) : nameof(ApprovalState.Denied),
            Optional(verdict.Approver), Optional(denialReason),
            ApprovalJson.Ticks(expires), ApprovalJson.Milliseconds(expires),
            ApprovalJson.Ticks(removeAt), ApprovalJson.Milliseconds(removeAt), KeyExpiry(now, expires),
        ];
        RedisResult[] answer = await RunScriptAsync(values, cancellationToken).ConfigureAwait(false);
        return Status(answer) switch
        {
            "notfound" => new ApprovalChange(ApprovalChangeStatus.NotFound, null),
            "notpending" => new ApprovalChange(ApprovalChangeStatus.NotPending, Request(answer)),
            "expired" => new ApprovalChange(ApprovalChangeStatus.Expired, Request(answer) with { State = ApprovalState.Expired }),
            "applied" => new ApprovalChange(ApprovalChangeStatus.Applied, Request(answer)),
            var other => throw Unexpected(other),
        };
    }

    /// <inheritdoc />
    /// <exception cref="RedisException">Redis did not answer in time, or answered with an error.</exception>
    public async ValueTask<ApprovalRequest?> GetAsync(string id, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(id);
        RedisValue json = await RunAsync(database => database.HashGetAsync(_keys.Requests, id), cancellationToken).ConfigureAwait(false);
        if (json.IsNull)
        {
            return null;
        }

        ApprovalRequest request = ApprovalJson.Read((byte[])json!);
        bool lapsed = request.State is ApprovalState.Pending or ApprovalState.Approved && _time.GetUtcNow() >= request.ExpiresAt;
        return lapsed ? request with { State = ApprovalState.Expired } : request;
    }

    /// <inheritdoc />
    /// <remarks>
    /// Reads the requests in batches (one round trip each, each within the timeout) rather than in one script, so that
    /// a long listing never holds up the server. Each request is read atomically; one decided while the listing runs
    /// is listed as it was when its batch was read.
    /// </remarks>
    /// <exception cref="RedisException">Redis did not answer in time, or answered with an error.</exception>
    public async ValueTask<IReadOnlyList<ApprovalRequest>> GetPendingAsync(CancellationToken cancellationToken = default)
    {
        RedisValue[] ids = await RunAsync(database => database.SortedSetRangeByRankAsync(_keys.Removals), cancellationToken).ConfigureAwait(false);
        var pending = new List<ApprovalRequest>();
        for (int start = 0; start < ids.Length; start += ListingBatch)
        {
            RedisValue[] batch = ids.AsSpan(start, Math.Min(ListingBatch, ids.Length - start)).ToArray();
            RedisValue[] found = await RunAsync(database => database.HashGetAsync(_keys.Requests, batch), cancellationToken).ConfigureAwait(false);
            DateTimeOffset now = _time.GetUtcNow();
            foreach (RedisValue json in found)
            {
                if (!json.IsNull && ApprovalJson.Read((byte[])json!) is { State: ApprovalState.Pending } request && now < request.ExpiresAt)
                {
                    pending.Add(request);
                }
            }
        }

        pending.Sort(static (a, b) => a.CreatedAt != b.CreatedAt ? a.CreatedAt.CompareTo(b.CreatedAt) : string.CompareOrdinal(a.Id, b.Id));
        return pending;
    }

    private async Task<RedisResult[]> RunScriptAsync(RedisValue[] values, CancellationToken cancellationToken)
    {
        RedisResult answer = await RunAsync(database => RedisScript.Approval.EvaluateAsync(database, _keys.All, values), cancellationToken).ConfigureAwait(false);
        return (RedisResult[]?)answer is { Length: > 0 } parts ? parts : throw Unexpected(answer.ToString());
    }

    /// <summary>One operation within the timeout; a failure becomes a <see cref="RedisException"/> that says what happened.</summary>
    private async Task<T> RunAsync<T>(Func<IDatabase, Task<T>> operation, CancellationToken cancellationToken)
    {
        try
        {
            return await RunConnectedAsync(operation).WaitAsync(_timeout, _time, cancellationToken).ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            throw;
        }
        catch (Exception ex)
        {
            // The caller is refused with this message; the client's full report stays in the inner exception, for the log.
            throw new RedisException(RedisFailure.Describe(ex, _timeout, connectionDetail: false), ex);
        }
    }

    private async Task<T> RunConnectedAsync<T>(Func<IDatabase, Task<T>> operation)
    {
        IConnectionMultiplexer connection = await _connection.ConfigureAwait(false);
        return await operation(connection.GetDatabase()).ConfigureAwait(false);
    }

    private static string Status(RedisResult[] answer) => answer[0].ToString() ?? string.Empty;

    private static ApprovalRequest Request(RedisResult[] answer) =>
        answer.Length > 1 && (byte[]?)answer[1] is { } json ? ApprovalJson.Read(json) : throw Unexpected("a status without its request");

    private static RedisException Unexpected(string? what) => new($"the approval script returned an unexpected answer ({what}).");

    /// <summary>How long the keys must live (server time) to outlive a request expiring at <paramref name="expires"/>.</summary>
    private long KeyExpiry(DateTimeOffset now, DateTimeOffset expires)
    {
        TimeSpan left = expires - now;
        TimeSpan expiry = left > MaxKeyExpiry ? MaxKeyExpiry : left + _retention + KeyExpiryMargin;
        return (long)Math.Ceiling(Math.Clamp(expiry.TotalMilliseconds, KeyExpiryMargin.TotalMilliseconds, MaxKeyExpiry.TotalMilliseconds));
    }

    private static RedisValue Optional(string? text) => text is null ? RedisValue.EmptyString : "=" + text;

    private static DateTimeOffset Add(DateTimeOffset time, TimeSpan span) =>
        span > DateTimeOffset.MaxValue - time ? DateTimeOffset.MaxValue : time + span;

    private static string Shorten(string text) => text.Length <= 64 ? text : string.Concat(text.AsSpan(0, 64), "…");
}
