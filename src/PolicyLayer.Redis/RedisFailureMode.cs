namespace PolicyLayer.Redis;

/// <summary>What <see cref="RedisCounterStore"/> answers when Redis cannot answer in time.</summary>
public enum RedisFailureMode
{
    /// <summary>
    /// Fail closed (the default): the reservation is <see cref="PolicyLayer.Counters.ReservationStatus.Unavailable"/>,
    /// so a limited call is denied while Redis is down.
    /// </summary>
    Closed,

    /// <summary>
    /// Fail open: the call is admitted without being counted
    /// (<see cref="PolicyLayer.Counters.ReservationResult.AdmittedFailOpen"/>) and the store logs a warning.
    /// Limits are not enforced while Redis is down.
    /// </summary>
    Open,
}
