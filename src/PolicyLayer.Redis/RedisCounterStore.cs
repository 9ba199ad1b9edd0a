using System.Globalization;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using PolicyLayer.Counters;
using PolicyLayer.Redis.Keys;
using PolicyLayer.Redis.Scripts;
using StackExchange.Redis;

namespace PolicyLayer.Redis;

/// <summary>
/// An <see cref="ICounterStore"/> on a Redis (or Valkey) server, so that every instance of a host shares one set of
/// budgets.
/// </summary>
/// <remarks>
/// <para><b>Algorithm.</b> The same as the in-memory store's: each budget keeps the cost admitted in each tenth of its
/// window, for the current tenth and the ten before it, and admits a request when those segments plus its cost are at
/// most the maximum. It never admits more than the maximum in any window-length interval, and when it refuses at time
/// t, the cost admitted in <c>(t - window - window/10, t]</c> plus the request's cost exceeds the maximum. A budget is
/// one Redis hash from segment number to cost; stale segments are deleted as the window slides and the key expires
/// a window and a segment after the first reservation of its newest segment, when nothing in it counts any more.</para>
/// <para><b>One round trip.</b> A reservation is one <c>EVALSHA</c> of a Lua script that checks every budget of the
/// call and reserves in all of them or none, atomically; a refund is another script. Time comes from the server
/// (<c>TIME</c>), so the clocks of the application's hosts do not matter. Scripts are loaded with <c>SCRIPT LOAD</c>
/// when the store connects, and again when the server answers <c>NOSCRIPT</c> (after a restart or a
/// <c>SCRIPT FLUSH</c>).</para>
/// <para><b>Exact costs.</b> Costs and maxima travel as integer millionths (see <see cref="RedisCounterStoreOptions"/>
/// and the package README): exact for six decimal places, rounded toward refusing beyond.</para>
/// <para><b>Redis Cluster.</b> Keys carry a hash tag by partition (see <see cref="RedisKeyDistribution"/>). A call
/// whose budgets span several slots of a cluster is reserved slot by slot, and what was reserved is given back if a
/// later slot refuses or fails: never more than a maximum is admitted, at the cost of more round trips. A refusal
/// also asks the slots after the refusing one (without reserving), so its retry-after covers every refusing budget,
/// as on a single server.</para>
/// <para><b>Failures.</b> No exception escapes for a store failure (no connection, a timeout, a script error): the
/// answer is <see cref="ReservationStatus.Unavailable"/>, or an uncounted admission when
/// <see cref="RedisCounterStoreOptions.FailureMode"/> is <see cref="RedisFailureMode.Open"/>, and a warning is logged
/// (at most once every ten seconds, with the number of failures in between). The connection recovers by itself. A
/// reservation that timed out may still have been applied by the server; it then counts until it slides out, which
/// can only refuse, never over-admit. Only caller bugs throw: a default <see cref="CounterKey"/> or a cost that is
/// not positive.</para>
/// <para>Thread-safe.</para>
/// </remarks>
public sealed partial class RedisCounterStore : ICounterStore, IDisposable, IAsyncDisposable
{
    private const string UnavailablePrefix = "rate-limit store unavailable: ";
    private const long MicrosecondsPerTick = 10;
    private static readonly TimeSpan FailureLogInterval = TimeSpan.FromSeconds(10);

    private readonly Task<IConnectionMultiplexer> _connection;
    private readonly bool _ownsConnection;
    private readonly BudgetKeys _keys;
    private readonly RedisFailureMode _failureMode;
    private readonly TimeSpan _timeout;
    private readonly TimeProvider _timeProvider;
    private readonly ILogger _logger;
    private long _clockOffsetMicroseconds;
    private long _nextFailureLog = long.MinValue;
    private int _failuresSinceLog;
    private int _disposed;

    /// <summary>Creates a store and starts connecting (without waiting for the connection).</summary>
    /// <param name="options">The options; validated and copied, so later changes have no effect.</param>
    /// <param name="logger">Where failures are logged; none when <see langword="null"/>.</param>
    /// <exception cref="ArgumentException">The options are invalid; the message lists every problem.</exception>
    public RedisCounterStore(RedisCounterStoreOptions options, ILogger<RedisCounterStore>? logger = null)
    {
        ArgumentNullException.ThrowIfNull(options);
        List<string> errors = RedisCounterStoreOptionsValidator.Check(options);
        if (errors.Count > 0)
        {
            throw new ArgumentException(string.Join(Environment.NewLine, errors), nameof(options));
        }

        _keys = new BudgetKeys(options.KeyPrefix, options.KeyDistribution);
        _failureMode = options.FailureMode;
        _timeout = options.Timeout;
        _timeProvider = options.TimeProvider ?? TimeProvider.System;
        _logger = (ILogger?)logger ?? NullLogger.Instance;
        if (options.ConnectionMultiplexer is { } shared)
        {
            _connection = Task.FromResult(shared);
            _ = RedisScript.LoadAllAsync(shared);
        }
        else
        {
            _ownsConnection = true;
            _connection = ConnectAsync(options.Configuration!);
        }
    }

    /// <summary>Test hook: forces a call's budgets with different hash tags into separate scripts, as on a cluster.</summary>
    internal bool SplitBySlotAlways { get; set; }

    /// <summary>The connection, once made; shared with the approval store through DI, and used by tests and benchmarks.</summary>
    internal Task<IConnectionMultiplexer> Connection => _connection;

    /// <inheritdoc />
    /// <exception cref="ArgumentException">A request has a default <see cref="CounterKey"/>.</exception>
    /// <exception cref="ArgumentOutOfRangeException">A request's cost is not positive.</exception>
    public ValueTask<ReservationResult> TryReserveAsync(ReadOnlyMemory<CounterRequest> requests, CancellationToken cancellationToken = default)
    {
        Validate(requests.Span);
        if (requests.IsEmpty)
        {
            return new(ReservationResult.Admitted(_timeProvider.GetUtcNow().UtcTicks));
        }

        ReservationPlan plan = ReservationPlan.Create(requests.Span, _keys);
        if (plan.NeverIndex >= 0)
        {
            return new(ReservationResult.Refused(plan.NeverIndex, null));
        }

        if (plan.Error is not null)
        {
            return new(ReservationResult.Unavailable(plan.Error));
        }

        return ReserveWithinTimeoutAsync(plan, cancellationToken);
    }

    /// <inheritdoc />
    /// <remarks>A refund that fails (Redis down, a timeout) is logged and dropped: the cost then counts until it
    /// slides out, which can only refuse, never over-admit.</remarks>
    /// <exception cref="ArgumentException">A request has a default <see cref="CounterKey"/>.</exception>
    /// <exception cref="ArgumentOutOfRangeException">A request's cost is not positive.</exception>
    public ValueTask RefundAsync(ReadOnlyMemory<CounterRequest> requests, long reservationTimestamp, CancellationToken cancellationToken = default)
    {
        Validate(requests.Span);
        long reservedAt = (reservationTimestamp - DateTimeOffset.UnixEpoch.UtcTicks) / MicrosecondsPerTick;
        if (requests.IsEmpty || reservedAt <= 0)
        {
            // Nothing reserved: an empty call, or a fail-open admission (timestamp 0) that counted nothing.
            return default;
        }

        ReservationPlan plan = ReservationPlan.Create(requests.Span, _keys);
        return plan.Error is null ? RefundWithinTimeoutAsync(plan, reservedAt, cancellationToken) : default;
    }

    /// <summary>Closes the connection if the store made it; a shared one is left open.</summary>
    public void Dispose()
    {
        // Idempotent: the service provider disposes the instance once for each registration that returns it.
        if (_ownsConnection && Interlocked.Exchange(ref _disposed, 1) == 0)
        {
            _ = _connection.ContinueWith(static t => t.Result.Dispose(), CancellationToken.None, TaskContinuationOptions.OnlyOnRanToCompletion, TaskScheduler.Default);
        }
    }

    /// <summary>Closes the connection if the store made it; a shared one is left open.</summary>
    /// <returns>A task that completes when the connection is closed.</returns>
    public async ValueTask DisposeAsync()
    {
        if (_ownsConnection && _connection.IsCompletedSuccessfully)
        {
            if (Interlocked.Exchange(ref _disposed, 1) == 0)
            {
                await _connection.Result.DisposeAsync().ConfigureAwait(false);
            }
        }
        else
        {
            Dispose();
        }
    }

    /// <summary>Test hook: moves the store's clock (the server's time plus an offset) forward.</summary>
    internal void AdvanceClock(TimeSpan by) => Interlocked.Add(ref _clockOffsetMicroseconds, by.Ticks / MicrosecondsPerTick);

    /// <summary>
    /// Test hook: when set, the scripts take their time (Unix microseconds) from here instead of the server's
    /// <c>TIME</c>, so that tests with second-long windows do not depend on how fast they run.
    /// </summary>
    internal Func<long>? TestClock { get; set; }

    private RedisValue ClockArgument() =>
        TestClock is { } clock ? "@" + clock().ToString(CultureInfo.InvariantCulture) : Volatile.Read(ref _clockOffsetMicroseconds);

    private static void Validate(ReadOnlySpan<CounterRequest> requests)
    {
        for (int i = 0; i < requests.Length; i++)
        {
            if (requests[i].Key.Counter is null)
            {
                throw new ArgumentException($"Request {i} has a default CounterKey; create keys with the CounterKey constructor.", nameof(requests));
            }

            if (requests[i].Cost <= 0m)
            {
                throw new ArgumentOutOfRangeException(nameof(requests), requests[i].Cost, $"Request {i} ({requests[i].Key}) has a cost that is not positive; costs must be validated before reserving.");
            }
        }
    }

    private async ValueTask<ReservationResult> ReserveWithinTimeoutAsync(ReservationPlan plan, CancellationToken cancellationToken)
    {
        try
        {
            return await ReserveAsync(plan).WaitAsync(_timeout, _timeProvider, cancellationToken).ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            throw;
        }
        catch (Exception ex)
        {
            return Fail(ex);
        }
    }

    private async ValueTask RefundWithinTimeoutAsync(ReservationPlan plan, long reservedAt, CancellationToken cancellationToken)
    {
        try
        {
            await RefundAsync(plan, reservedAt).WaitAsync(_timeout, _timeProvider, cancellationToken).ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            throw;
        }
        catch (Exception ex)
        {
            LogRefundFailed(_logger, Describe(ex));
        }
    }

    private Task<ReservationResult> ReserveAsync(ReservationPlan plan)
    {
        // The common case (connected, one slot) hands the script's task straight back: one async frame fewer.
        if (_connection.IsCompletedSuccessfully)
        {
            IConnectionMultiplexer connected = _connection.Result;
            if (SplitBySlot(connected, plan.Budgets) is null)
            {
                return ReserveGroupAsync(connected.GetDatabase(), plan.Budgets, checkOnly: false);
            }
        }

        return ReserveAfterConnectingAsync(plan);
    }

    private async Task<ReservationResult> ReserveAfterConnectingAsync(ReservationPlan plan)
    {
        IConnectionMultiplexer connection = await _connection.ConfigureAwait(false);
        IDatabase database = connection.GetDatabase();
        List<ReservationPlan.Budget[]>? groups = SplitBySlot(connection, plan.Budgets);
        if (groups is null)
        {
            return await ReserveGroupAsync(database, plan.Budgets, checkOnly: false).ConfigureAwait(false);
        }

        return await ReserveSlotBySlotAsync(database, groups).ConfigureAwait(false);
    }

    /// <param name="database">Where the budgets are.</param>
    /// <param name="budgets">The budgets, all in one slot.</param>
    /// <param name="checkOnly">Only ask whether every budget has room (an admission then reserves nothing).</param>
    private async Task<ReservationResult> ReserveGroupAsync(IDatabase database, ReservationPlan.Budget[] budgets, bool checkOnly)
    {
        var keys = new RedisKey[budgets.Length];
        var values = new RedisValue[1 + (budgets.Length * 5) + (checkOnly ? 1 : 0)];
        if (checkOnly)
        {
            values[^1] = "check";
        }

        values[0] = ClockArgument();
        for (int i = 0; i < budgets.Length; i++)
        {
            ref readonly ReservationPlan.Budget budget = ref budgets[i];
            keys[i] = budget.RedisKey;
            int at = 1 + (i * 5);
            values[at] = budget.WindowMicroseconds;
            values[at + 1] = budget.MaxUnits;
            values[at + 2] = budget.CostUnits;
            values[at + 3] = budget.ExpiryMilliseconds;
            values[at + 4] = budget.GridShiftMicroseconds;
        }

        RedisResult answer = await RedisScript.Reserve.EvaluateAsync(database, keys, values).ConfigureAwait(false);
        var parts = (RedisResult[]?)answer;
        if (parts is null || parts.Length < 2)
        {
            throw new RedisException("the reservation script returned an unexpected answer.");
        }

        if ((long)parts[0] == 1)
        {
            return ReservationResult.Admitted(ToTicks((long)parts[1]));
        }

        int refused = (int)(long)parts[1] - 1;
        long waitMicroseconds = parts.Length > 2 ? (long)parts[2] : -1;
        TimeSpan? retryAfter = waitMicroseconds < 0 ? null : TimeSpan.FromTicks(waitMicroseconds * MicrosecondsPerTick);
        return ReservationResult.Refused(budgets[refused].FirstIndex, retryAfter);
    }

    private async Task RefundAsync(ReservationPlan plan, long reservedAt)
    {
        IConnectionMultiplexer connection = await _connection.ConfigureAwait(false);
        IDatabase database = connection.GetDatabase();
        List<ReservationPlan.Budget[]>? groups = SplitBySlot(connection, plan.Budgets);
        if (groups is null)
        {
            await RefundGroupAsync(database, plan.Budgets, reservedAt).ConfigureAwait(false);
            return;
        }

        foreach (ReservationPlan.Budget[] group in groups)
        {
            await RefundGroupAsync(database, group, reservedAt).ConfigureAwait(false);
        }
    }

    private async Task RefundGroupAsync(IDatabase database, ReservationPlan.Budget[] budgets, long reservedAt)
    {
        var keys = new RedisKey[budgets.Length];
        var values = new RedisValue[2 + (budgets.Length * 3)];
        values[0] = ClockArgument();
        values[1] = reservedAt;
        for (int i = 0; i < budgets.Length; i++)
        {
            keys[i] = budgets[i].RedisKey;
            int at = 2 + (i * 3);
            values[at] = budgets[i].WindowMicroseconds;
            values[at + 1] = budgets[i].CostUnits;
            values[at + 2] = budgets[i].GridShiftMicroseconds;
        }

        await RedisScript.Refund.EvaluateAsync(database, keys, values).ConfigureAwait(false);
    }

    private static async Task<IConnectionMultiplexer> ConnectAsync(string configuration)
    {
        ConfigurationOptions options = ConfigurationOptions.Parse(configuration);

        // Never block or throw because Redis is down: start anyway, reconnect in the background, and fail a command
        // at once while disconnected rather than queue it to run, late, after the caller was answered.
        options.AbortOnConnectFail = false;
        options.BacklogPolicy = BacklogPolicy.FailFast;
        options.ReconnectRetryPolicy = new ExponentialRetry(250, 5000);
        ConnectionMultiplexer connection = await ConnectionMultiplexer.ConnectAsync(options).ConfigureAwait(false);
        await RedisScript.LoadAllAsync(connection).ConfigureAwait(false);
        return connection;
    }

    private static long ToTicks(long microseconds) => DateTimeOffset.UnixEpoch.UtcTicks + (microseconds * MicrosecondsPerTick);

    private static long ToMicroseconds(long ticks) => (ticks - DateTimeOffset.UnixEpoch.UtcTicks) / MicrosecondsPerTick;

    private ReservationResult Fail(Exception ex)
    {
        string error = UnavailablePrefix + Describe(ex);
        bool open = _failureMode == RedisFailureMode.Open;
        if (ShouldLogFailure(out int suppressed))
        {
            if (open)
            {
                LogFailedOpen(_logger, error, suppressed);
            }
            else
            {
                LogFailedClosed(_logger, error, suppressed);
            }
        }

        return open ? ReservationResult.AdmittedFailOpen(error) : ReservationResult.Unavailable(error);
    }

    private string Describe(Exception ex) => RedisFailure.Describe(ex, _timeout);

    /// <summary>At most one failure message per <see cref="FailureLogInterval"/>, so an outage cannot flood the log.</summary>
    private bool ShouldLogFailure(out int suppressed)
    {
        long now = _timeProvider.GetTimestamp();
        long next = Volatile.Read(ref _nextFailureLog);
        long interval = (long)(FailureLogInterval.TotalSeconds * _timeProvider.TimestampFrequency);
        if ((next != long.MinValue && now < next) || Interlocked.CompareExchange(ref _nextFailureLog, now + interval, next) != next)
        {
            Interlocked.Increment(ref _failuresSinceLog);
            suppressed = 0;
            return false;
        }

        suppressed = Interlocked.Exchange(ref _failuresSinceLog, 0);
        return true;
    }

    [LoggerMessage(EventId = 1, Level = LogLevel.Warning, Message = "Redis counter store failed; the call was admitted without counting it (FailureMode Open): {Error} ({Suppressed} more failures since the last message)")]
    private static partial void LogFailedOpen(ILogger logger, string error, int suppressed);

    [LoggerMessage(EventId = 2, Level = LogLevel.Warning, Message = "Redis counter store failed; limited calls are denied (FailureMode Closed): {Error} ({Suppressed} more failures since the last message)")]
    private static partial void LogFailedClosed(ILogger logger, string error, int suppressed);

    [LoggerMessage(EventId = 3, Level = LogLevel.Warning, Message = "Redis counter store could not give back a reservation's cost; it counts until it slides out: {Error}")]
    private static partial void LogRefundFailed(ILogger logger, string error);
}
