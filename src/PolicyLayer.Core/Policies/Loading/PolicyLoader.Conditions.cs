using System.Text.Json;
using System.Text.RegularExpressions;
using PolicyLayer.Json;
using PolicyLayer.Text;

namespace PolicyLayer.Policies;

/// <summary>Reading <c>require</c> and <c>deny_if</c>: condition groups, conditions, their operators, values and paths.</summary>
internal sealed partial class PolicyLoader
{
    private IReadOnlyList<ConditionGroup> ReadGroups(JsonElement rules, string field, string rulesPointer) =>
        ReadArray(rules, field, rulesPointer, "condition groups ({ \"conditions\": [...], \"on_deny\": \"...\" })", ReadGroup);

    private ConditionGroup? ReadGroup(JsonElement group, string pointer)
    {
        if (group.ValueKind != JsonValueKind.Object)
        {
            Error(PolicyErrorCodes.WrongType, pointer, $"a condition group must be an object {{ \"conditions\": [...], \"on_deny\": \"...\" }}, not {Describe(group)}");
            return null;
        }

        CheckFields(group, pointer, GroupFields);
        var onDeny = ReadOptionalString(group, "on_deny", pointer);
        if (!group.TryGetProperty("conditions", out var conditions))
        {
            Error(PolicyErrorCodes.MissingField, pointer, "the condition group has no 'conditions'; add \"conditions\": [ { \"path\": \"args.x\", \"op\": \"eq\", \"value\": 1 } ]");
            return null;
        }

        if (conditions.ValueKind != JsonValueKind.Array)
        {
            Error(PolicyErrorCodes.WrongType, pointer + "/conditions", $"'conditions' must be an array of conditions, not {Describe(conditions)}");
            return null;
        }

        var list = new List<Condition>();
        var index = 0;
        foreach (var condition in conditions.EnumerateArray())
        {
            var read = ReadCondition(condition, JsonPointer.Append(pointer + "/conditions", index++));
            if (read is not null)
            {
                list.Add(read);
            }
        }

        return new ConditionGroup(pointer, list, onDeny);
    }

    private Condition? ReadCondition(JsonElement condition, string pointer)
    {
        if (condition.ValueKind != JsonValueKind.Object)
        {
            Error(PolicyErrorCodes.WrongType, pointer, $"a condition must be an object {{ \"path\": \"args.x\", \"op\": \"eq\", \"value\": 1 }}, not {Describe(condition)}");
            return null;
        }

        CheckFields(condition, pointer, ConditionFields);
        var path = ReadPath(condition, "path", pointer, required: true);

        ConditionOperator? op = null;
        string? opText = null;
        if (!condition.TryGetProperty("op", out var opElement))
        {
            Error(PolicyErrorCodes.MissingField, pointer, "the condition has no 'op'; use one of " + OperatorList);
        }
        else if (opElement.ValueKind != JsonValueKind.String)
        {
            Error(PolicyErrorCodes.WrongType, pointer + "/op", $"'op' must be a string, one of {OperatorList}");
        }
        else
        {
            opText = opElement.GetString()!;
            op = Operators.TryGetValue(opText, out var parsed) ? parsed : null;
            if (op is null)
            {
                Error(PolicyErrorCodes.UnknownOperator, pointer + "/op", $"unknown op '{opText}'{Suggest(opText, Operators.Keys)}; use one of {OperatorList}");
            }
        }

        var hasValue = condition.TryGetProperty("value", out var value);
        if (op is null || path is null)
        {
            return null;
        }

        var valuePointer = pointer + "/value";
        Regex? regex = null;
        switch (op.Value)
        {
            case ConditionOperator.Exists or ConditionOperator.NotExists:
                if (hasValue)
                {
                    Error(PolicyErrorCodes.InvalidConditionValue, valuePointer, $"'{opText}' takes no 'value'; remove it");
                    return null;
                }

                return new Condition(pointer, path, op.Value, null, null, opText!);
            case var _ when !hasValue:
                Error(PolicyErrorCodes.InvalidConditionValue, pointer, $"the '{opText}' condition has no 'value'; add the value to compare with");
                return null;
            case ConditionOperator.In or ConditionOperator.NotIn when value.ValueKind != JsonValueKind.Array:
                Error(PolicyErrorCodes.InvalidConditionValue, valuePointer, $"'{opText}' needs an array of values, not {Describe(value)}; for example [\"a\", \"b\"]");
                return null;
            case ConditionOperator.Lt or ConditionOperator.Lte or ConditionOperator.Gt or ConditionOperator.Gte when value.ValueKind != JsonValueKind.Number:
                Error(PolicyErrorCodes.InvalidConditionValue, valuePointer, $"'{opText}' compares numbers, so 'value' must be a number, not {Describe(value)}");
                return null;
            case ConditionOperator.Regex when value.ValueKind != JsonValueKind.String:
                Error(PolicyErrorCodes.InvalidConditionValue, valuePointer, $"'regex' needs a regular expression as a string, not {Describe(value)}");
                return null;
            case ConditionOperator.Regex:
                regex = CompileRegex(value.GetString()!, valuePointer);
                if (regex is null)
                {
                    return null;
                }

                break;
        }

        return new Condition(pointer, path, op.Value, value, regex, opText!);
    }

    private Regex? CompileRegex(string pattern, string pointer)
    {
        // The dialect of JSON Schema's "pattern" (ECMA-262: $ only at the very end, \d and \w ASCII, . stops at line
        // terminators), so one pattern means the same in a schema and in a condition, plus a leading (?i) for case
        // insensitivity, which ECMA-262 spells as a flag outside the pattern.
        var options = RegexOptions.NonBacktracking | RegexOptions.CultureInvariant;
        var body = pattern;
        if (body.StartsWith("(?i)", StringComparison.Ordinal))
        {
            options |= RegexOptions.IgnoreCase;
            body = body[4..];
        }

        string translated;
        try
        {
            translated = Schema.Keywords.EcmaRegex.Translate(body, nativeWordBoundaries: true);
        }
        catch (ArgumentException ex)
        {
            Error(PolicyErrorCodes.InvalidRegex, pointer, $"the regex '{pattern}' is not valid: {ex.Message}. Conditions use ECMA-262 syntax, as JSON Schema patterns do, with an optional leading (?i) for case-insensitive matching.");
            return null;
        }

        try
        {
            // NonBacktracking runs in time linear in the input, whatever the pattern, and the input is bounded by
            // the authorizer's argument size limit. No match timeout: a timer would refuse calls on a busy machine
            // (the first match builds the automaton lazily) without adding safety.
            return RegexCache.Get(translated, options, Regex.InfiniteMatchTimeout);
        }
        catch (NotSupportedException ex)
        {
            Error(PolicyErrorCodes.InvalidRegex, pointer, $"the regex '{pattern}' uses a construct that linear-time matching does not support (backreferences, lookarounds, atomic groups, conditionals): {ex.Message} Rewrite it without that construct.");
        }
        catch (ArgumentException ex)
        {
            Error(PolicyErrorCodes.InvalidRegex, pointer, $"the regex '{pattern}' is not valid: {ex.Message}");
        }

        return null;
    }

    private PolicyPath? ReadPath(JsonElement element, string field, string pointer, bool required)
    {
        if (!element.TryGetProperty(field, out var pathElement))
        {
            if (required)
            {
                Error(PolicyErrorCodes.MissingField, pointer, $"missing '{field}'; add a path such as \"args.amount\"");
            }

            return null;
        }

        var fieldPointer = pointer + "/" + field;
        if (pathElement.ValueKind != JsonValueKind.String)
        {
            Error(PolicyErrorCodes.WrongType, fieldPointer, $"'{field}' must be a path string such as \"args.amount\", not {Describe(pathElement)}");
            return null;
        }

        if (!PolicyPath.TryParse(pathElement.GetString()!, out var path, out var error))
        {
            Error(PolicyErrorCodes.InvalidPath, fieldPointer, error!);
        }

        return path;
    }
}
