using StackExchange.Redis;

namespace PolicyLayer.Redis.Keys;

/// <summary>
/// The three keys of the approval store: <c>prefix{approvals}:requests</c>, <c>:calls</c> and <c>:removals</c>.
/// </summary>
/// <remarks>
/// They share one hash tag, so the scripts that touch all three run on one Redis Cluster slot: approvals are rare
/// (only <c>require_approval</c> tools reach the store), and one slot keeps every step a single atomic script.
/// Ids and call keys are hash fields, not parts of key names, so caller input never shapes a key.
/// </remarks>
internal sealed class ApprovalKeys
{
    public ApprovalKeys(string prefix)
    {
        Requests = prefix + "{approvals}:requests";
        Calls = prefix + "{approvals}:calls";
        Removals = prefix + "{approvals}:removals";
        All = [Requests, Calls, Removals];
    }

    /// <summary>Hash: request id to the request's JSON.</summary>
    public RedisKey Requests { get; }

    /// <summary>Hash: call key to the id of the call's live request.</summary>
    public RedisKey Calls { get; }

    /// <summary>Sorted set: request id to when it may be removed (milliseconds since 0001-01-01, store time).</summary>
    public RedisKey Removals { get; }

    /// <summary>The keys in the order the approval script takes them.</summary>
    public RedisKey[] All { get; }
}
