using System.Text.Json;
using PolicyLayer.Schema;
using PolicyLayer.Schema.Keywords;

namespace PolicyLayer.Policies;

/// <summary>The rules for one tool, or the <c>all_tools</c> rules that apply to every call.</summary>
public sealed class ToolRules
{
    internal ToolRules(
        string pointer,
        ToolAction action,
        string? reason,
        JsonElement? schema,
        JsonSchema? compiledSchema,
        IReadOnlyList<ConditionGroup> require,
        IReadOnlyList<ConditionGroup> denyIf,
        IReadOnlyList<Limit> limits)
    {
        Pointer = pointer;
        Action = action;
        Reason = reason;
        Schema = schema;
        CompiledSchema = compiledSchema;
        RequireGroups = [.. require];
        DenyIfGroups = [.. denyIf];
        LimitArray = [.. limits];
        ReadsArguments = compiledSchema is not null || require.Count > 0 || denyIf.Count > 0
            || limits.Any(l => l.CostPath is not null || l.KeyPath is not null);
        ArgumentNames = AssignArgumentSlots([.. RequireGroups, .. DenyIfGroups]);
    }

    internal static ToolRules Empty(string pointer) => new(pointer, ToolAction.Allow, null, null, null, [], [], []);

    /// <summary>The rules' JSON Pointer in the policy (<c>/tools/name</c> or <c>/all_tools</c>).</summary>
    public string Pointer { get; }

    /// <summary>Allow (evaluate the rules), deny, or require approval.</summary>
    public ToolAction Action { get; }

    /// <summary>The message given with <see cref="ToolAction.Deny"/> or <see cref="ToolAction.RequireApproval"/>.</summary>
    public string? Reason { get; }

    /// <summary>The JSON Schema the arguments must satisfy, as written, or <see langword="null"/>.</summary>
    public JsonElement? Schema { get; }

    /// <summary>The condition groups that must all hold.</summary>
    public IReadOnlyList<ConditionGroup> Require => RequireGroups;

    /// <summary>The condition groups any one of which refuses the call when it holds.</summary>
    public IReadOnlyList<ConditionGroup> DenyIf => DenyIfGroups;

    /// <summary>The limits reserved together.</summary>
    public IReadOnlyList<Limit> Limits => LimitArray;

    // Arrays for the hot path: a foreach over an IReadOnlyList boxes its enumerator, an array's does not.
    internal ConditionGroup[] RequireGroups { get; }

    internal ConditionGroup[] DenyIfGroups { get; }

    internal Limit[] LimitArray { get; }

    internal JsonSchema? CompiledSchema { get; }

    /// <summary>Whether any rule reads the call's arguments or caller (so they must be within the safety bounds).</summary>
    internal bool ReadsArguments { get; }

    /// <summary>
    /// The top-level argument names the conditions address, when there are enough of them to read the arguments in
    /// one pass (see <see cref="Authorization.ArgumentValues"/>); <see langword="null"/> otherwise.
    /// </summary>
    internal NameTable? ArgumentNames { get; }

    // One name is found as fast by a lookup as by a pass; past the slots' capacity every condition looks its own up.
    private static NameTable? AssignArgumentSlots(ConditionGroup[] groups)
    {
        var conditions = groups.SelectMany(g => g.ConditionArray).Where(c => c.Path.Root == PathRoot.Args && c.Path.SegmentArray.Length > 0).ToList();
        var names = conditions.Select(c => c.Path.SegmentArray[0]).Distinct(StringComparer.Ordinal).ToList();
        if (names.Count < 2 || names.Count > Authorization.ArgumentValues.Capacity)
        {
            return null;
        }

        var table = new NameTable(names);
        foreach (var condition in conditions)
        {
            condition.ArgumentSlot = table.Find(condition.Path.SegmentArray[0].AsSpan());
        }

        return table;
    }
}
