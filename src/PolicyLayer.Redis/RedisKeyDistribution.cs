namespace PolicyLayer.Redis;

/// <summary>How <see cref="RedisCounterStore"/> spreads budget keys over the slots of a Redis Cluster.</summary>
/// <remarks>
/// Every key has a hash tag (the part in braces), and Redis Cluster puts keys with the same tag in the same slot.
/// A reservation whose budgets share one slot is checked and reserved by one script, atomically, in one round trip.
/// On a single server (or a primary with replicas, or Sentinel) slots do not matter: every reservation is one script.
/// </remarks>
public enum RedisKeyDistribution
{
    /// <summary>
    /// The default: one tag per partition (<c>{g:grant-id}</c>, <c>{s:session-id}</c>, <c>{global}</c>). Budgets of
    /// different grants spread over the cluster; a call's limits of one scope share a slot. A call whose limits span
    /// scopes (a per-grant and a global limit, say) touches several slots: on a cluster the store then reserves slot
    /// by slot and gives back what it reserved if a later slot refuses, so it never admits more than a maximum, but
    /// such a call takes one round trip per slot and may briefly hold cost that it then gives back.
    /// </summary>
    PerPartition,

    /// <summary>
    /// One tag (<c>{policylayer}</c>) for every key: every reservation is one atomic script in one round trip even on
    /// a cluster, but all budgets live on one shard.
    /// </summary>
    SingleSlot,
}
