using System.Text.Json;
using PolicyLayer.Json;
using PolicyLayer.Policies;

namespace PolicyLayer.Authorization;

/// <summary>Evaluates one condition against a call, without allocating for the common operators.</summary>
internal static class ConditionEvaluator
{
    public static ConditionResult Evaluate(Condition condition, in ToolCall call) => Evaluate(condition, call, default);

    /// <summary>Evaluates a condition, taking its top-level argument from <paramref name="arguments"/> when they were read into slots.</summary>
    public static ConditionResult Evaluate(Condition condition, in ToolCall call, in ArgumentValues arguments)
    {
        var actual = ResolvedValue.Resolve(condition.Path, call, condition.ArgumentSlot, arguments);
        switch (condition.Operator)
        {
            case ConditionOperator.Exists:
                return actual.Found && !actual.IsNull ? ConditionResult.Holds : ConditionResult.DoesNotHold;
            case ConditionOperator.NotExists:
                return actual.Found && !actual.IsNull ? ConditionResult.DoesNotHold : ConditionResult.Holds;
        }

        if (!actual.Found)
        {
            return ConditionResult.Missing;
        }

        var expected = condition.Value!.Value;
        return condition.Operator switch
        {
            ConditionOperator.Eq => Result(AreEqual(actual, expected)),
            ConditionOperator.Neq => Result(!AreEqual(actual, expected)),
            ConditionOperator.In => Result(IsAnyOf(actual, condition)),
            ConditionOperator.NotIn => Result(!IsAnyOf(actual, condition)),
            ConditionOperator.Lt or ConditionOperator.Lte or ConditionOperator.Gt or ConditionOperator.Gte => CompareNumber(actual, condition),
            ConditionOperator.Regex => MatchRegex(condition, actual),
            ConditionOperator.Contains => Contains(actual, expected),
            _ => ConditionResult.TypeMismatch,
        };
    }

    private static ConditionResult Result(bool holds) => holds ? ConditionResult.Holds : ConditionResult.DoesNotHold;

    private static bool AreEqual(in ResolvedValue actual, JsonElement expected)
    {
        if (actual.IsText)
        {
            return expected.ValueKind == JsonValueKind.String && expected.ValueEquals(actual.Text);
        }

        return JsonValues.DeepEquals(actual.ToElement(), expected);
    }

    private static bool IsAnyOf(in ResolvedValue actual, Condition condition)
    {
        if (actual.Kind == JsonValueKind.String)
        {
            // A string equals only a string: one lookup of its unescaped text among the listed strings.
            var strings = condition.CandidateStrings!;
            return (actual.IsText ? strings.Find(actual.Text.AsSpan()) : strings.Find(actual.Element)) >= 0;
        }

        foreach (var candidate in condition.OtherCandidates!)
        {
            if (AreEqual(actual, candidate))
            {
                return true;
            }
        }

        return false;
    }

    private static ConditionResult CompareNumber(in ResolvedValue actual, Condition condition)
    {
        // Numeric strings are never converted: "150" is a type mismatch, which deny_if treats as matching.
        if (actual.Kind != JsonValueKind.Number)
        {
            return ConditionResult.TypeMismatch;
        }

        var order = JsonNumbers.Compare(actual.Element, condition.Value!.Value, condition.ShortValue);
        return Result(condition.Operator switch
        {
            ConditionOperator.Lt => order < 0,
            ConditionOperator.Lte => order <= 0,
            ConditionOperator.Gt => order > 0,
            _ => order >= 0,
        });
    }

    private static ConditionResult MatchRegex(Condition condition, in ResolvedValue actual)
    {
        if (actual.Kind != JsonValueKind.String)
        {
            return ConditionResult.TypeMismatch;
        }

        var regex = condition.CompiledRegex!;
        if (actual.IsText)
        {
            return Result(regex.IsMatch(actual.Text!));
        }

        var chars = JsonStrings.GetChars(actual.Element, stackalloc char[256], out var rented);
        try
        {
            return Result(regex.IsMatch(chars));
        }
        finally
        {
            JsonStrings.Return(rented);
        }
    }

    private static ConditionResult Contains(in ResolvedValue actual, JsonElement expected)
    {
        switch (actual.Kind)
        {
            case JsonValueKind.String:
                if (expected.ValueKind != JsonValueKind.String)
                {
                    return ConditionResult.TypeMismatch;
                }

                if (actual.IsText)
                {
                    return Result(expected.GetString() is { } needle && actual.Text!.Contains(needle, StringComparison.Ordinal));
                }

                var haystack = JsonStrings.GetChars(actual.Element, stackalloc char[256], out var rentedHaystack);
                var needleChars = JsonStrings.GetChars(expected, stackalloc char[128], out var rentedNeedle);
                try
                {
                    return Result(haystack.IndexOf(needleChars, StringComparison.Ordinal) >= 0);
                }
                finally
                {
                    JsonStrings.Return(rentedHaystack);
                    JsonStrings.Return(rentedNeedle);
                }

            case JsonValueKind.Array:
                foreach (var item in actual.Element.EnumerateArray())
                {
                    if (JsonValues.DeepEquals(item, expected))
                    {
                        return ConditionResult.Holds;
                    }
                }

                return ConditionResult.DoesNotHold;
            default:
                return ConditionResult.TypeMismatch;
        }
    }
}
