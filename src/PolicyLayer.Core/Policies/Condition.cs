using System.Text.Json;
using System.Text.RegularExpressions;

namespace PolicyLayer.Policies;

/// <summary>One condition: a path, an operator and, for most operators, a value.</summary>
public sealed class Condition
{
    internal Condition(string pointer, PolicyPath path, ConditionOperator op, JsonElement? value, Regex? regex, string opText)
    {
        Pointer = pointer;
        Path = path;
        Operator = op;
        Value = value;
        CompiledRegex = regex;
        if (value is { ValueKind: JsonValueKind.Number } number && Json.JsonNumbers.TryGetShort(number, out var exact))
        {
            ShortValue = exact;
        }

        if (op is ConditionOperator.In or ConditionOperator.NotIn && value is { ValueKind: JsonValueKind.Array } list)
        {
            JsonElement[] candidates = [.. list.EnumerateArray()];
            CandidateStrings = new Schema.Keywords.NameTable([.. candidates.Where(c => c.ValueKind == JsonValueKind.String).Select(c => c.GetString()!)]);
            OtherCandidates = [.. candidates.Where(c => c.ValueKind != JsonValueKind.String)];
        }

        Description = value is { } v ? $"{path.Text} {opText} {v.GetRawText()}" : $"{path.Text} {opText}";
    }

    /// <summary>The condition's JSON Pointer in the policy.</summary>
    public string Pointer { get; }

    /// <summary>The addressed value.</summary>
    public PolicyPath Path { get; }

    /// <summary>The comparison.</summary>
    public ConditionOperator Operator { get; }

    /// <summary>The value compared with, or <see langword="null"/> for <c>exists</c> and <c>not_exists</c>.</summary>
    public JsonElement? Value { get; }

    /// <summary>The condition as text, such as <c>args.amount gt 100</c>.</summary>
    public string Description { get; }

    internal Regex? CompiledRegex { get; }

    /// <summary>
    /// The slot of the addressed top-level argument in the <see cref="Authorization.ArgumentValues"/> of the rules
    /// the condition belongs to, or -1 when the value is looked up on its own.
    /// </summary>
    internal int ArgumentSlot { get; set; } = -1;

    /// <summary>For <c>in</c> and <c>not_in</c>: the listed strings, found by one hash lookup of a string value.</summary>
    internal Schema.Keywords.NameTable? CandidateStrings { get; }

    /// <summary>For <c>in</c> and <c>not_in</c>: the listed values that are not strings (compared one by one).</summary>
    internal JsonElement[]? OtherCandidates { get; }

    /// <summary>The value as a short decimal, when it is a number of that form (the fast comparison path).</summary>
    internal Json.ShortDecimal? ShortValue { get; }

    /// <inheritdoc />
    public override string ToString() => Description;
}

/// <summary>A list of conditions that are ANDed, with the message given when the group refuses a call.</summary>
public sealed class ConditionGroup
{
    internal ConditionGroup(string pointer, IReadOnlyList<Condition> conditions, string? onDeny)
    {
        Pointer = pointer;
        ConditionArray = [.. conditions];
        OnDeny = onDeny;
        Description = conditions.Count == 0 ? "(no conditions)" : string.Join(" and ", conditions.Select(c => c.Description));
    }

    /// <summary>The group's JSON Pointer in the policy, such as <c>/tools/create_refund/deny_if/0</c>.</summary>
    public string Pointer { get; }

    /// <summary>The conditions, all of which must hold for the group to hold.</summary>
    public IReadOnlyList<Condition> Conditions => ConditionArray;

    internal Condition[] ConditionArray { get; }

    /// <summary>The policy author's message for a refusal, or <see langword="null"/>.</summary>
    public string? OnDeny { get; }

    /// <summary>The conditions as text, joined with <c>and</c>.</summary>
    public string Description { get; }
}
