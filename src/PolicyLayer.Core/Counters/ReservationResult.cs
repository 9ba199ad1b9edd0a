namespace PolicyLayer.Counters;

/// <summary>A counter store's answer to <see cref="ICounterStore.TryReserveAsync"/>.</summary>
public readonly struct ReservationResult
{
    // Packed into four words (status and flag as bytes, "no retry-after" as -1 ticks): every reservation copies it.
    private readonly byte _status;
    private readonly bool _failedOpen;
    private readonly int _refusedIndex;
    private readonly long _retryAfterTicks;

    private ReservationResult(ReservationStatus status, long timestamp, int refusedIndex, TimeSpan? retryAfter, string? error, bool failedOpen)
    {
        _status = (byte)status;
        Timestamp = timestamp;
        _refusedIndex = refusedIndex;
        _retryAfterTicks = retryAfter is { } after ? Math.Max(after.Ticks, 0) : -1;
        Error = error;
        _failedOpen = failedOpen;
    }

    /// <summary>How the store answered.</summary>
    public ReservationStatus Status => (ReservationStatus)_status;

    /// <summary><see langword="true"/> when every request was reserved.</summary>
    public bool IsAdmitted => Status == ReservationStatus.Admitted;

    /// <summary>The store's own time of the reservation, passed back to <see cref="ICounterStore.RefundAsync"/>.</summary>
    public long Timestamp { get; }

    /// <summary>
    /// For a refusal, the index of the request whose budget sets <see cref="RetryAfter"/>: of the requests whose
    /// budgets had no room, the one with the longest wait (one that can never succeed before any finite wait, the
    /// first request of equal waits); -1 otherwise.
    /// </summary>
    public int RefusedIndex => _refusedIndex;

    /// <summary>
    /// For a refusal, how long until every refusing budget has room for its request; <see langword="null"/>
    /// when some request costs more than its budget's maximum and can never succeed.
    /// </summary>
    public TimeSpan? RetryAfter => _retryAfterTicks < 0 ? null : TimeSpan.FromTicks(_retryAfterTicks);

    /// <summary>For <see cref="ReservationStatus.Unavailable"/>, what went wrong.</summary>
    public string? Error { get; }

    /// <summary>
    /// <see langword="true"/> when the store could not answer but is configured to fail open, so it admitted
    /// the call without counting it.
    /// </summary>
    public bool FailedOpen => _failedOpen;

    /// <summary>Every request was reserved at <paramref name="timestamp"/>.</summary>
    /// <param name="timestamp">The store's time of the reservation.</param>
    /// <returns>The result.</returns>
    public static ReservationResult Admitted(long timestamp) => new(ReservationStatus.Admitted, timestamp, -1, null, null, false);

    /// <summary>The store could not answer and admitted the call without counting it (fail-open mode).</summary>
    /// <param name="error">What went wrong.</param>
    /// <returns>The result.</returns>
    public static ReservationResult AdmittedFailOpen(string error) => new(ReservationStatus.Admitted, 0, -1, null, error, true);

    /// <summary>A budget had no room; nothing was reserved.</summary>
    /// <param name="refusedIndex">The refusing request with the longest wait (see <see cref="RefusedIndex"/>).</param>
    /// <param name="retryAfter">When a retry can succeed, or <see langword="null"/> for never.</param>
    /// <returns>The result.</returns>
    public static ReservationResult Refused(int refusedIndex, TimeSpan? retryAfter) => new(ReservationStatus.Refused, 0, refusedIndex, retryAfter, null, false);

    /// <summary>The store could not answer.</summary>
    /// <param name="error">What went wrong, for the decision's message.</param>
    /// <returns>The result.</returns>
    public static ReservationResult Unavailable(string error) => new(ReservationStatus.Unavailable, 0, -1, null, error, false);
}
