using System.Runtime.CompilerServices;
using System.Text;
using System.Text.Json;
using PolicyLayer.Json;
using PolicyLayer.Policies;
using PolicyLayer.Schema;

namespace PolicyLayer.Authorization;

/// <summary>Steps 5 and 6: the arguments' size, the schemas, then <c>require</c> and <c>deny_if</c>.</summary>
public sealed partial class PolicyAuthorizer
{
    /// <summary>Steps 5 and 6, refusing arguments that cannot be read at all.</summary>
    /// <remarks>
    /// System.Text.Json accepts text it then cannot read back as a string (an escaped lone surrogate, <c>"\ud800"</c>,
    /// as a property name), and its lookups throw on it. Such arguments are refused here, never thrown at the host.
    /// </remarks>
    private Refusal? CheckArguments(in ToolCall call, ToolRules? tool, DeclaredSchema? declared, Policy policy)
    {
        try
        {
            return CheckReadableArguments(call, tool, declared, policy);
        }
        catch (InvalidOperationException ex)
        {
            return new(Deny(RuleIds.Error, DecisionText.UnreadableArguments(ex.Message), policy.Revision));
        }
    }

    /// <summary>Steps 5 and 6: size bound, schemas, then require/deny_if of the tool and of all_tools.</summary>
    private Refusal? CheckReadableArguments(in ToolCall call, ToolRules? tool, DeclaredSchema? declared, Policy policy)
    {
        if (!ArgumentsFit(call.Arguments, _options.MaxArgumentBytes, out var size))
        {
            return Refused(RuleIds.Error, DecisionText.TooLarge(size, _options.MaxArgumentBytes), policy.Revision);
        }

        if (tool?.CompiledSchema is { } schema && !schema.IsValid(call.Arguments))
        {
            return SchemaRefusal(call, tool, schema, declared, policy.Revision);
        }

        if (declared is not null)
        {
            if (declared.Schema is null)
            {
                return Refused(RuleIds.InputSchema, DecisionText.DeclaredSchemaBroken(call.ToolName, declared.Errors), policy.Revision);
            }

            if (!declared.Schema.IsValid(call.Arguments))
            {
                return DeclaredSchemaRefusal(call, declared.Schema, policy.Revision);
            }
        }

        if (tool is not null && CheckConditions(call, tool, policy.Revision) is { } toolRefusal)
        {
            return toolRefusal;
        }

        return CheckConditions(call, policy.AllTools, policy.Revision);
    }

    /// <summary>The refusal of arguments that fail the tool's schema, with every error of the step: the declared schema's as well, when the arguments fail it too.</summary>
    [MethodImpl(MethodImplOptions.NoInlining)]
    private static Refusal SchemaRefusal(in ToolCall call, ToolRules tool, JsonSchema schema, DeclaredSchema? declared, string revision)
    {
        var errors = schema.CollectErrors(call.Arguments);
        var declaredErrors = declared?.Schema is { } declaredSchema && !declaredSchema.IsValid(call.Arguments) ? declaredSchema.CollectErrors(call.Arguments) : [];
        var message = DecisionText.SchemaInvalid(errors, declared: false) + (declaredErrors.Count > 0 ? " " + DecisionText.SchemaInvalid(declaredErrors, declared: true) : string.Empty);
        return new(new AuthorizationDecision(DecisionOutcome.Deny, tool.Pointer + "/schema", message, revision, validationErrors: [.. errors, .. declaredErrors]));
    }

    [MethodImpl(MethodImplOptions.NoInlining)]
    private static Refusal DeclaredSchemaRefusal(in ToolCall call, JsonSchema declared, string revision)
    {
        var errors = declared.CollectErrors(call.Arguments);
        return new(new AuthorizationDecision(DecisionOutcome.Deny, RuleIds.InputSchema, DecisionText.SchemaInvalid(errors, declared: true), revision, validationErrors: errors));
    }

    private static Refusal? CheckConditions(in ToolCall call, ToolRules rules, string revision) =>
        rules.RequireGroups.Length == 0 && rules.DenyIfGroups.Length == 0 ? null : EvaluateConditions(call, rules, revision);

    // Apart from CheckConditions: its frame holds the argument slots, which the runtime clears on every entry, and
    // most rules (all_tools' among them) have no conditions to spend that on.
    [MethodImpl(MethodImplOptions.NoInlining)]
    private static Refusal? EvaluateConditions(in ToolCall call, ToolRules rules, string revision)
    {
        var arguments = default(ArgumentValues);
        if (rules.ArgumentNames is { } names)
        {
            arguments.Fill(names, call.Arguments);
        }

        foreach (var group in rules.RequireGroups)
        {
            foreach (var condition in group.ConditionArray)
            {
                var result = ConditionEvaluator.Evaluate(condition, call, arguments);
                if (result != ConditionResult.Holds)
                {
                    return RequireFailed(group, condition, result, revision);
                }
            }
        }

        foreach (var group in rules.DenyIfGroups)
        {
            var matches = true;
            foreach (var condition in group.ConditionArray)
            {
                // A wrong type counts as matching, so a numeric string cannot slip past a numeric rule.
                var result = ConditionEvaluator.Evaluate(condition, call, arguments);
                if (result is ConditionResult.DoesNotHold or ConditionResult.Missing)
                {
                    matches = false;
                    break;
                }
            }

            if (matches)
            {
                return DenyIfMatched(group, revision);
            }
        }

        return null;
    }

    // The refusals are built out of line, so that EvaluateConditions' frame does not carry their temporaries.
    [MethodImpl(MethodImplOptions.NoInlining)]
    private static Refusal RequireFailed(ConditionGroup group, Condition condition, ConditionResult result, string revision) =>
        Refused(group.Pointer, DecisionText.RequireFailed(group, condition, result), revision);

    [MethodImpl(MethodImplOptions.NoInlining)]
    private static Refusal DenyIfMatched(ConditionGroup group, string revision) =>
        Refused(group.Pointer, DecisionText.DenyIfMatched(group), revision);

    /// <summary>Whether the arguments, as JSON text, take at most <paramref name="max"/> bytes.</summary>
    /// <param name="arguments">The call's arguments.</param>
    /// <param name="max">The bound.</param>
    /// <param name="size">When they do not fit, their exact size.</param>
    private static bool ArgumentsFit(in JsonProperties arguments, int max, out int size)
    {
        if (arguments.TryGetElement(out var element))
        {
            size = JsonRaw.Utf8(element).Length;
            return size <= max;
        }

        // Held values: a bound first (a name's UTF-8 takes at most three bytes per UTF-16 unit), which nearly every call
        // is within; the exact size only for one that is not, to decide and to say by how much.
        size = HeldArgumentSize(arguments, exactNames: false);
        if (size <= max)
        {
            return true;
        }

        size = HeldArgumentSize(arguments, exactNames: true);
        return size <= max;
    }

    // The size of held arguments as JSON text, or with exactNames off a bound of it. Apart from ArgumentsFit, so that
    // an element's size does not pay for clearing the enumerators' frame.
    [MethodImpl(MethodImplOptions.NoInlining)]
    private static int HeldArgumentSize(in JsonProperties arguments, bool exactNames)
    {
        // The size of the object as JSON text: each value's text, each name's UTF-8 length (a name of non-ASCII
        // characters takes up to three bytes each, so its character count would let it past the bound), quotes,
        // colon and comma. Summed as a long, so that values of many large shared documents cannot wrap it round.
        long size = 2;
        if (arguments.Dictionary is Dictionary<string, JsonElement> dictionary)
        {
            // What the MCP SDK hands over: enumerated directly rather than through the general view.
            foreach (var pair in dictionary)
            {
                size += JsonRaw.Utf8(pair.Value).Length + NameBytes(pair.Key, exactNames) + 4;
            }
        }
        else
        {
            foreach (var property in arguments)
            {
                size += JsonRaw.Utf8(property.Value).Length + NameBytes(property.Name, exactNames) + 4;
            }
        }

        return (int)Math.Min(size, int.MaxValue);
    }

    private static long NameBytes(string name, bool exact) => exact ? Encoding.UTF8.GetByteCount(name) : name.Length * 3L;
}
