using System.Text.Json;
using PolicyLayer.Counters;
using PolicyLayer.Json;

namespace PolicyLayer.Policies;

/// <summary>Reading <c>limits</c>: counters, windows, maxima, scopes, costs and keys; shared counters must agree.</summary>
internal sealed partial class PolicyLoader
{
    private IReadOnlyList<Limit> ReadLimits(JsonElement rules, string rulesPointer) =>
        ReadArray(rules, "limits", rulesPointer, "limits", ReadLimit);

    private Limit? ReadLimit(JsonElement limit, string pointer)
    {
        if (limit.ValueKind != JsonValueKind.Object)
        {
            Error(PolicyErrorCodes.WrongType, pointer, $"a limit must be an object {{ \"counter\": \"name\", \"window\": \"minute\", \"max\": 30 }}, not {Describe(limit)}");
            return null;
        }

        CheckFields(limit, pointer, LimitFields);
        var errorsBefore = _errors.Count;

        string? counter = null;
        if (!limit.TryGetProperty("counter", out var counterElement))
        {
            Error(PolicyErrorCodes.MissingField, pointer, "the limit has no 'counter'; name its budget, as in \"counter\": \"refunds_per_grant\"");
        }
        else if (counterElement.ValueKind != JsonValueKind.String || counterElement.GetString()!.Length == 0)
        {
            Error(PolicyErrorCodes.WrongType, pointer + "/counter", $"'counter' must be a non-empty string, not {Describe(counterElement)}");
        }
        else
        {
            counter = counterElement.GetString();
        }

        var window = ReadWindow(limit, pointer);
        var max = ReadMax(limit, pointer);
        var scope = ReadEnum(limit, "scope", pointer, CounterScope.Grant, ("grant", CounterScope.Grant), ("session", CounterScope.Session), ("global", CounterScope.Global));
        var key = ReadPath(limit, "key", pointer, required: false);
        var (cost, costPath) = ReadCost(limit, pointer);
        var onDeny = ReadOptionalString(limit, "on_deny", pointer);

        if (_errors.Count > errorsBefore || counter is null || window is null || max is null)
        {
            return null;
        }

        var definition = new CounterDefinition(counter, window.Value, max.Value, scope, key?.Text);
        if (_counters.TryGetValue(counter, out var existing))
        {
            if (!existing.Definition.Equals(definition))
            {
                Error(PolicyErrorCodes.ConflictingCounter, pointer, $"the counter '{counter}' is defined differently at {existing.Pointer} ({Describe(existing.Definition)}) and here ({Describe(definition)}); limits sharing a counter must agree on window, max, scope and key, or use different counter names");
                return null;
            }

            definition = existing.Definition;
        }
        else
        {
            _counters[counter] = (definition, pointer);
        }

        return new Limit(pointer, definition, cost, costPath, key, onDeny);
    }

    private TimeSpan? ReadWindow(JsonElement limit, string pointer)
    {
        if (!limit.TryGetProperty("window", out var window))
        {
            Error(PolicyErrorCodes.MissingField, pointer, "the limit has no 'window'; use \"second\", \"minute\", \"hour\", \"day\" or a number of seconds");
            return null;
        }

        switch (window.ValueKind)
        {
            case JsonValueKind.String:
                switch (window.GetString())
                {
                    case "second": return TimeSpan.FromSeconds(1);
                    case "minute": return TimeSpan.FromMinutes(1);
                    case "hour": return TimeSpan.FromHours(1);
                    case "day": return TimeSpan.FromDays(1);
                }

                Error(PolicyErrorCodes.InvalidWindow, pointer + "/window", $"unknown window '{window.GetString()}'; use \"second\", \"minute\", \"hour\", \"day\" or a positive whole number of seconds");
                return null;
            // Any spelling of a whole number (60, 60.0, 6e1): JSON numbers are equal by value.
            case JsonValueKind.Number when window.TryGetDecimal(out var seconds) && seconds > 0 && decimal.IsInteger(seconds) && seconds <= (long)TimeSpan.MaxValue.TotalSeconds / 2:
                return TimeSpan.FromSeconds((long)seconds);
            default:
                Error(PolicyErrorCodes.InvalidWindow, pointer + "/window", $"'window' must be \"second\", \"minute\", \"hour\", \"day\" or a positive whole number of seconds, not {window.GetRawText()}");
                return null;
        }
    }

    private decimal? ReadMax(JsonElement limit, string pointer)
    {
        if (!limit.TryGetProperty("max", out var max))
        {
            Error(PolicyErrorCodes.MissingField, pointer, "the limit has no 'max'; give the most cost admitted per window, as in \"max\": 30");
            return null;
        }

        if (max.ValueKind != JsonValueKind.Number)
        {
            Error(PolicyErrorCodes.WrongType, pointer + "/max", $"'max' must be a positive number, not {Describe(max)}");
            return null;
        }

        if (!JsonNumbers.TryGetExactDecimal(max, out var value))
        {
            // A number beyond decimal, or with more digits than it holds (1e-30 would round to 0), cannot be counted exactly.
            Error(PolicyErrorCodes.NonPositiveMax, pointer + "/max", $"'max' {max.GetRawText()} cannot be counted exactly; use a positive number of at most 28 significant digits, up to {decimal.MaxValue.ToString(System.Globalization.CultureInfo.InvariantCulture)}");
            return null;
        }

        if (value <= 0)
        {
            Error(PolicyErrorCodes.NonPositiveMax, pointer + "/max", $"'max' must be a positive number, not {max.GetRawText()}");
            return null;
        }

        return value;
    }

    private (decimal Cost, PolicyPath? Path) ReadCost(JsonElement limit, string pointer)
    {
        if (!limit.TryGetProperty("cost", out var cost))
        {
            return (1m, null);
        }

        var costPointer = pointer + "/cost";
        switch (cost.ValueKind)
        {
            case JsonValueKind.Number when JsonNumbers.TryGetExactDecimal(cost, out var value) && value > 0:
                return (value, null);
            case JsonValueKind.Number when !JsonNumbers.TryGetExactDecimal(cost, out _):
                Error(PolicyErrorCodes.InvalidCost, costPointer, $"'cost' {cost.GetRawText()} cannot be counted exactly; use a positive number of at most 28 significant digits, up to {decimal.MaxValue.ToString(System.Globalization.CultureInfo.InvariantCulture)}");
                return (1m, null);
            case JsonValueKind.String:
                if (!PolicyPath.TryParse(cost.GetString()!, out var path, out var error))
                {
                    Error(PolicyErrorCodes.InvalidPath, costPointer, error!);
                }
                else if (path!.Root is not (PathRoot.Args or PathRoot.Caller))
                {
                    Error(PolicyErrorCodes.InvalidCost, costPointer, $"'cost' path '{path.Text}' addresses a string; a cost path must point into 'args' or 'caller', as in \"args.amount\"");
                }

                return (1m, path);
            default:
                Error(PolicyErrorCodes.InvalidCost, costPointer, $"'cost' must be a positive number or a path such as \"args.amount\", not {cost.GetRawText()}");
                return (1m, null);
        }
    }
}
