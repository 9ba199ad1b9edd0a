using PolicyLayer.Counters;
using StackExchange.Redis;

namespace PolicyLayer.Redis;

// A call whose budgets sit on several slots of a Redis Cluster: reserved slot by slot.
public sealed partial class RedisCounterStore
{
    /// <summary>
    /// One atomic script per slot, in the order of the groups; what was reserved is given back if a later slot refuses
    /// or fails. Never over-admits; a concurrent call may briefly see the cost held here.
    /// </summary>
    private async Task<ReservationResult> ReserveSlotBySlotAsync(IDatabase database, List<ReservationPlan.Budget[]> groups)
    {
        var reserved = new List<(ReservationPlan.Budget[] Group, long At)>(groups.Count);
        long earliest = long.MaxValue;
        try
        {
            for (int g = 0; g < groups.Count; g++)
            {
                ReservationPlan.Budget[] group = groups[g];
                ReservationResult result = await ReserveGroupAsync(database, group, checkOnly: false).ConfigureAwait(false);
                if (!result.IsAdmitted)
                {
                    await GiveBackAsync(database, reserved).ConfigureAwait(false);
                    return result.Status == ReservationStatus.Refused ? await LongestRefusalAsync(database, groups, g, result).ConfigureAwait(false) : result;
                }

                long at = ToMicroseconds(result.Timestamp);
                reserved.Add((group, at));
                earliest = Math.Min(earliest, at);
            }
        }
        catch
        {
            await GiveBackAsync(database, reserved).ConfigureAwait(false);
            throw;
        }

        // A refund names one time for every slot. The earliest is safe: a refund into an earlier segment than the one
        // the cost landed in only keeps the cost counted longer.
        return ReservationResult.Admitted(ToTicks(earliest));
    }

    /// <summary>
    /// A refusal by the slot at <paramref name="refusingGroup"/>, combined with what the slots after it would answer,
    /// as one script over every budget answers: the refusing budget with the longest wait (a cost above its maximum
    /// outranks any wait; the first of equal ones), and a retry-after by which every refusing budget has room. The
    /// later slots are only asked, never charged, so a model told to retry then is not refused again by a budget that
    /// was never looked at.
    /// </summary>
    private async Task<ReservationResult> LongestRefusalAsync(IDatabase database, List<ReservationPlan.Budget[]> groups, int refusingGroup, ReservationResult refusal)
    {
        for (int g = refusingGroup + 1; g < groups.Count && refusal.RetryAfter is not null; g++)
        {
            ReservationResult later = await ReserveGroupAsync(database, groups[g], checkOnly: true).ConfigureAwait(false);
            if (later.Status == ReservationStatus.Refused && (later.RetryAfter is null || later.RetryAfter > refusal.RetryAfter))
            {
                refusal = later;
            }
        }

        return refusal;
    }

    private async Task GiveBackAsync(IDatabase database, List<(ReservationPlan.Budget[] Group, long At)> reserved)
    {
        foreach ((ReservationPlan.Budget[] group, long at) in reserved)
        {
            try
            {
                await RefundGroupAsync(database, group, at).ConfigureAwait(false);
            }
            catch (Exception ex)
            {
                LogRefundFailed(_logger, Describe(ex));
            }
        }
    }

    /// <summary>
    /// <see langword="null"/> when one script can take every budget (one server, or one cluster slot); otherwise the
    /// budgets grouped by slot, groups in the order of their first request.
    /// </summary>
    private List<ReservationPlan.Budget[]>? SplitBySlot(IConnectionMultiplexer connection, ReservationPlan.Budget[] budgets)
    {
        if (budgets.Length < 2)
        {
            return null;
        }

        // HashSlot is -1 for every key unless the server is a cluster.
        var slots = new int[budgets.Length];
        bool several = false;
        for (int i = 0; i < budgets.Length; i++)
        {
            slots[i] = SplitBySlotAlways ? StringComparer.Ordinal.GetHashCode(budgets[i].Tag) : connection.HashSlot(budgets[i].RedisKey);
            several |= slots[i] != slots[0];
        }

        if (!several)
        {
            return null;
        }

        var order = new List<int>();
        var members = new Dictionary<int, List<ReservationPlan.Budget>>();
        for (int i = 0; i < budgets.Length; i++)
        {
            if (!members.TryGetValue(slots[i], out List<ReservationPlan.Budget>? list))
            {
                list = [];
                members.Add(slots[i], list);
                order.Add(slots[i]);
            }

            list.Add(budgets[i]);
        }

        return order.ConvertAll(slot => members[slot].ToArray());
    }
}
