using System.Runtime.CompilerServices;
using System.Text.Json;
using PolicyLayer.Auditing;
using PolicyLayer.Counters;
using PolicyLayer.Json;
using PolicyLayer.Policies;

namespace PolicyLayer.Authorization;

/// <summary>Step 8: the call's limits, reserved together in the counter store.</summary>
public sealed partial class PolicyAuthorizer
{
    private const string AnonymousPartition = "anonymous";

    // Marks a key text that is not a plain string (see KeyText).
    private const string JsonKeyPrefix = "json:";

    // Not inlined into EvaluateAsync (its frame would carry this one's temporaries on every call), and building its
    // decisions in small methods for the same reason (see Decided).
    [MethodImpl(MethodImplOptions.NoInlining)]
    private ValueTask<AuthorizationDecision> ReserveLimits(in ToolCall call, ToolRules? tool, ToolRules allTools, string allowRule, string revision, CancellationToken cancellationToken)
    {
        var reservation = Reservation.Rent();
        Limit? refusedBy = null;
        var problem = (tool is null ? null : AddRequests(call, tool, reservation, out refusedBy)) ?? AddRequests(call, allTools, reservation, out refusedBy);
        if (problem is not null)
        {
            reservation.Return();
            return Denied(refusedBy!.Pointer, problem, revision);
        }

        if (reservation.Count == 0)
        {
            // Every cost was zero: nothing to reserve.
            reservation.Return();
            return Allowed(allowRule, revision);
        }

        return _store is InMemoryCounterStore memory
            ? ReserveInMemory(memory, reservation, call.ToolName, allowRule, revision)
            : ReserveInStore(reservation, call.ToolName, allowRule, revision, cancellationToken);
    }

    /// <summary>Any other store's path: its answer may come later.</summary>
    [MethodImpl(MethodImplOptions.NoInlining)]
    private ValueTask<AuthorizationDecision> ReserveInStore(Reservation reservation, string toolName, string allowRule, string revision, CancellationToken cancellationToken)
    {
        ValueTask<ReservationResult> pending;
        try
        {
            pending = _store.TryReserveAsync(reservation.Requests, cancellationToken);
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            return StoreThrew(reservation, ex, revision);
        }

        return pending.IsCompletedSuccessfully
            ? Completed(reservation, pending.Result, toolName, allowRule, revision)
            : AwaitReservation(pending, reservation, toolName, allowRule, revision);
    }

    /// <summary>The default store's path: its answer is read directly, not unwrapped from a <see cref="ValueTask{TResult}"/>.</summary>
    [MethodImpl(MethodImplOptions.NoInlining)]
    private ValueTask<AuthorizationDecision> ReserveInMemory(InMemoryCounterStore store, Reservation reservation, string toolName, string allowRule, string revision)
    {
        ReservationResult result;
        try
        {
            result = store.Reserve(reservation.Requests.Span);
        }
        catch (Exception ex)
        {
            return StoreThrew(reservation, ex, revision);
        }

        return Completed(reservation, result, toolName, allowRule, revision);
    }

    [MethodImpl(MethodImplOptions.NoInlining)]
    private ValueTask<AuthorizationDecision> Completed(Reservation reservation, in ReservationResult result, string toolName, string allowRule, string revision) =>
        new(Complete(reservation, result, toolName, allowRule, revision));

    [MethodImpl(MethodImplOptions.NoInlining)]
    private async ValueTask<AuthorizationDecision> AwaitReservation(ValueTask<ReservationResult> pending, Reservation reservation, string toolName, string allowRule, string revision)
    {
        ReservationResult result;
        try
        {
            result = await pending.ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            return StoreFailed(reservation, ex, revision);
        }

        return Complete(reservation, result, toolName, allowRule, revision);
    }

    [MethodImpl(MethodImplOptions.NoInlining)]
    private ValueTask<AuthorizationDecision> StoreThrew(Reservation reservation, Exception exception, string revision) =>
        new(StoreFailed(reservation, exception, revision));

    private AuthorizationDecision StoreFailed(Reservation reservation, Exception exception, string revision)
    {
        LogStoreFailed(_logger, exception);
        Diagnostics.PolicyLayerTelemetry.CountStoreError("counters");
        var rule = reservation.LimitAt(0).Pointer;
        reservation.Return();
        return Deny(rule, DecisionText.StoreUnavailable(exception.Message), revision);
    }

    private AuthorizationDecision Complete(Reservation reservation, in ReservationResult result, string toolName, string allowRule, string revision) =>
        result.Status == ReservationStatus.Admitted && !result.FailedOpen
            ? new AuthorizationDecision(DecisionOutcome.Allow, allowRule, DecisionText.Allowed, revision, reservation: reservation.Activate(_store, result.Timestamp))
            : NotReserved(reservation, result, toolName, allowRule, revision);

    // Every answer but a plain admission, out of line: each builds a decision of its own, and as temporaries of
    // Complete's callers they would be cleared on every admitted call.
    [MethodImpl(MethodImplOptions.NoInlining)]
    private AuthorizationDecision NotReserved(Reservation reservation, in ReservationResult result, string toolName, string allowRule, string revision)
    {
        switch (result.Status)
        {
            case ReservationStatus.Admitted:
                // Failed open: admitted without counting, so there is nothing to give back later.
                LogStoreFailedOpen(_logger, toolName, result.Error);
                Diagnostics.PolicyLayerTelemetry.CountStoreError("counters");
                reservation.Return();
                return new AuthorizationDecision(DecisionOutcome.Allow, allowRule, DecisionText.Allowed, revision);
            case ReservationStatus.Refused:
                var index = Math.Clamp(result.RefusedIndex, 0, reservation.Count - 1);
                var limit = reservation.LimitAt(index);
                var cost = reservation[index].Cost;
                reservation.Return();
                return new AuthorizationDecision(DecisionOutcome.Deny, limit.Pointer, DecisionText.LimitReached(limit, result.RetryAfter, cost), revision, result.RetryAfter);
            default:
                Diagnostics.PolicyLayerTelemetry.CountStoreError("counters");
                var rule = reservation.LimitAt(0).Pointer;
                reservation.Return();
                return Deny(rule, DecisionText.StoreUnavailable(result.Error), revision);
        }
    }

    /// <summary>Adds one request per limit.</summary>
    /// <returns>
    /// <see langword="null"/>, or why the call is refused before anything is reserved (a cost or key cannot be read
    /// from it, or the costs it asks of one budget add up to more than that budget's maximum), with the limit in
    /// <paramref name="refusedBy"/>. The refusal is built by the caller, off this hot loop.
    /// </returns>
    private static string? AddRequests(in ToolCall call, ToolRules rules, Reservation reservation, out Limit? refusedBy)
    {
        foreach (var limit in rules.LimitArray)
        {
            var cost = limit.Cost;
            string? keyValue = null;
            if (limit.CostPath is not null || limit.KeyPath is not null)
            {
                if (ReadCostAndKeySafely(call, limit, ref cost, out keyValue) is { } problem)
                {
                    refusedBy = limit;
                    return problem;
                }

                if (cost == 0)
                {
                    continue;
                }
            }

            var partition = limit.Counter.Scope switch
            {
                CounterScope.Grant => call.GrantId ?? AnonymousPartition,
                CounterScope.Session => call.SessionId ?? AnonymousPartition,
                _ => string.Empty,
            };

            var full = reservation.Add(new CounterRequest(new CounterKey(limit.Counter, partition, keyValue), cost), limit);
            if (full >= 0)
            {
                refusedBy = reservation.LimitAt(full);
                return TooCostly(refusedBy, reservation[full].Cost, cost);
            }
        }

        refusedBy = null;
        return null;
    }

    /// <summary>The refusal of a call whose costs for one budget add up to more than its maximum (as the store would refuse it).</summary>
    [MethodImpl(MethodImplOptions.NoInlining)]
    private static string TooCostly(Limit limit, decimal earlier, decimal added) =>
        DecisionText.LimitReached(limit, null, earlier <= decimal.MaxValue - added ? earlier + added : null);

    /// <summary>
    /// <see cref="ReadCostAndKey"/>, refusing arguments that System.Text.Json accepted but cannot read back (see
    /// <see cref="CheckArguments"/>) instead of throwing at the host.
    /// </summary>
    [MethodImpl(MethodImplOptions.NoInlining)]
    private static string? ReadCostAndKeySafely(in ToolCall call, Limit limit, ref decimal cost, out string? keyValue)
    {
        try
        {
            return ReadCostAndKey(call, limit, ref cost, out keyValue);
        }
        catch (InvalidOperationException ex)
        {
            keyValue = null;
            return DecisionText.UnreadableArguments(ex.Message);
        }
    }

    /// <summary>A limit's cost and key read from the call's arguments, apart from the plain limits' loop.</summary>
    /// <returns><see langword="null"/>, or why the cost or key cannot be read.</returns>
    [MethodImpl(MethodImplOptions.NoInlining)]
    private static string? ReadCostAndKey(in ToolCall call, Limit limit, ref decimal cost, out string? keyValue)
    {
        keyValue = null;
        if (ReadCost(limit, call, out cost) is { } problem)
        {
            return problem;
        }

        if (cost == 0)
        {
            return null; // nothing to count: the key does not matter
        }

        if (limit.KeyPath is { } keyPath)
        {
            var key = ResolvedValue.Resolve(keyPath, call);
            if (!key.Found || key.IsNull)
            {
                return DecisionText.MissingKey(limit);
            }

            keyValue = KeyText(key);
        }

        return null;
    }

    /// <summary>The cost a limit asks of a call: its fixed cost, or the number its cost path addresses.</summary>
    /// <returns><see langword="null"/>, or why the cost cannot be read (then the call is refused).</returns>
    internal static string? ReadCost(Limit limit, in ToolCall call, out decimal cost)
    {
        cost = limit.Cost;
        if (limit.CostPath is not { } costPath)
        {
            return null;
        }

        var value = ResolvedValue.Resolve(costPath, call);
        if (!value.Found || value.IsNull)
        {
            return DecisionText.InvalidCost(limit, "is missing");
        }

        if (value.Kind != JsonValueKind.Number || !Json.JsonNumbers.TryGetExactDecimal(value.Element, out cost))
        {
            return DecisionText.InvalidCost(limit, value.Kind == JsonValueKind.Number ? "is not a number this library can count exactly (at most 28 significant digits)" : "is not a number");
        }

        return cost < 0 ? DecisionText.InvalidCost(limit, "is negative") : null;
    }

    /// <summary>
    /// A key's partition text. Values equal as JSON give one text and different values different texts, so a
    /// budget cannot be split by rewriting its key (<c>1</c>, <c>1.0</c> and <c>1e0</c> are one customer, as the
    /// spec's JSON equality says), nor shared across kinds (the string <c>"1"</c> is not the number <c>1</c>).
    /// </summary>
    /// <remarks>
    /// <para>A string is its own (unescaped) text, as it always was, so existing budgets keep their names. Any other
    /// value is <c>json:</c> and its canonical JSON text (<see cref="CanonicalArguments"/>: numbers in one normal
    /// form, object members sorted, no whitespace).</para>
    /// <para>Two kinds of string are written as <c>json:</c> and their quoted JSON text instead: one that itself
    /// begins with <c>json:</c>, and one with a lone surrogate (<c>"\ud800"</c> is valid JSON), whose text escapes
    /// it (<c>json:"\uD800"</c>). That keeps every text distinct (canonical JSON of a non-string never begins with a
    /// quote, and a quoted text decodes to exactly its string) and well-formed, so a store that encodes keys as UTF-8
    /// cannot merge them by replacing a lone surrogate with U+FFFD.</para>
    /// </remarks>
    private static string KeyText(in ResolvedValue key)
    {
        if (key.IsText)
        {
            return StringKeyText(key.Text!);
        }

        var element = key.ToElement();
        return element.ValueKind switch
        {
            // Decoded without GetString, which throws for a lone surrogate.
            JsonValueKind.String => StringKeyText(JsonStrings.GetString(element)),
            JsonValueKind.Number => JsonKeyPrefix + CanonicalArguments.NormalNumber(JsonRaw.Utf8(element)),
            _ => JsonKeyPrefix + CanonicalArguments.ValueText(element),
        };
    }

    private static string StringKeyText(string text) =>
        text.StartsWith(JsonKeyPrefix, StringComparison.Ordinal) || !JsonStrings.IsWellFormed(text)
            ? JsonKeyPrefix + CanonicalArguments.StringText(text)
            : text;
}
