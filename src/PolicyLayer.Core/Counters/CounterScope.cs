namespace PolicyLayer.Counters;

/// <summary>Who shares one budget of a limit.</summary>
public enum CounterScope
{
    /// <summary>One budget per grant (the default). A call without a grant id counts against <c>"anonymous"</c>.</summary>
    Grant,

    /// <summary>One budget per session. A call without a session id counts against <c>"anonymous"</c>.</summary>
    Session,

    /// <summary>One budget for every caller.</summary>
    Global,
}
