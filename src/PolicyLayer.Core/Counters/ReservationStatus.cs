namespace PolicyLayer.Counters;

/// <summary>How a store answered a reservation.</summary>
public enum ReservationStatus
{
    /// <summary>Every request was reserved.</summary>
    Admitted,

    /// <summary>At least one budget had no room; nothing was reserved.</summary>
    Refused,

    /// <summary>The store could not answer (for example a remote store is down); nothing is known to be reserved.</summary>
    Unavailable,
}
