using PolicyLayer.Cli.Input;
using PolicyLayer.Policies;

namespace PolicyLayer.Cli.Lint;

/// <summary>
/// Finds what makes a loadable policy likely wrong: rules for tools the server lacks, fail-open <c>deny_if</c>
/// paths, conditions on undeclared arguments, rules that can never fire, and <c>require</c>s the schema rules out.
/// </summary>
/// <remarks>
/// Counters defined differently by two limits are not a warning: the loader already refuses them (PL015).
/// The schema of a tool is its policy <c>schema</c> and, with <c>--tools</c>, its declared <c>inputSchema</c>;
/// an argument is required or declared when either schema says so.
/// </remarks>
internal static class PolicyLinter
{
    public static IReadOnlyList<LintWarning> Lint(Policy policy, IReadOnlyList<ToolInfo>? serverTools)
    {
        var warnings = new List<LintWarning>();
        var declared = serverTools?.ToDictionary(t => t.Name, StringComparer.Ordinal);
        foreach (var (name, rules) in policy.Tools.OrderBy(t => t.Value.Pointer, StringComparer.Ordinal))
        {
            if (declared is not null && !declared.ContainsKey(name))
            {
                warnings.Add(new(LintCodes.UnknownTool, $"the server has no tool '{name}', so this rule never applies; check the name against tools/list", rules.Pointer));
            }

            if (policy.IsHidden(name))
            {
                warnings.Add(new(LintCodes.Unreachable, $"'{name}' is hidden, so it is always denied and these rules are never reached; remove them or unhide the tool", rules.Pointer));
                continue;
            }

            if (rules.Action == ToolAction.Deny)
            {
                if (rules.Schema is not null || rules.Require.Count > 0 || rules.DenyIf.Count > 0 || rules.Limits.Count > 0)
                {
                    warnings.Add(new(LintCodes.Unreachable, $"'{name}' has action deny, so its schema, require, deny_if and limits are never evaluated", rules.Pointer + "/action"));
                }

                continue;
            }

            LintRepeatedCounters(name, rules, policy.AllTools.Limits, warnings);
            var schemas = new List<SchemaView>();
            if (rules.Schema is { } own)
            {
                schemas.Add(new SchemaView(own));
            }

            if (declared is not null && declared.TryGetValue(name, out var tool) && tool.InputSchema is { } input && policy.InputSchema == InputSchemaMode.Enforce)
            {
                schemas.Add(new SchemaView(input));
            }

            var present = MissingHandled(rules, policy.AllTools.Require);
            LintGroups(rules.Require, isRequire: true, schemas, present, warnings);
            LintGroups(rules.DenyIf, isRequire: false, schemas, present, warnings);
        }

        // all_tools conditions usually address an argument only some tools have (a path, a working directory), so a
        // missing value there is the expected case, not a gap: they are only checked for empty groups.
        LintGroups(policy.AllTools.Require, isRequire: true, [], null, warnings);
        LintGroups(policy.AllTools.DenyIf, isRequire: false, [], null, warnings);
        return warnings;
    }

    // One budget listed twice for a tool (in its limits and all_tools.limits, or twice in one list) is charged once per
    // listing: a call costs the sum, which the author rarely means, and with a fixed cost above max it never succeeds.
    private static void LintRepeatedCounters(string tool, ToolRules rules, IReadOnlyList<Limit> shared, List<LintWarning> warnings)
    {
        foreach (var listings in rules.Limits.Concat(shared).GroupBy(l => l.Counter.Name, StringComparer.Ordinal).Where(g => g.Count() > 1))
        {
            var first = listings.First();
            var fixedCost = listings.All(l => l.CostPath is null) ? listings.Sum(l => l.Cost) : (decimal?)null;
            var never = fixedCost > first.Counter.Max
                ? $"; at {fixedCost.Value.ToString(System.Globalization.CultureInfo.InvariantCulture)} a call, more than its max {first.Counter.Max.ToString(System.Globalization.CultureInfo.InvariantCulture)}, '{tool}' can never succeed"
                : string.Empty;
            warnings.Add(new(
                LintCodes.CounterChargedTwice,
                $"counter '{listings.Key}' is listed {listings.Count()} times for '{tool}' ({string.Join(", ", listings.Select(l => l.Pointer))}), and each listing charges the call{never}; list it once, or use different counters",
                first.Pointer));
        }
    }

    /// <summary>
    /// The paths whose absence a tool's rules already handle: those a <c>require</c> makes sure are present (a missing
    /// value fails every operator but <c>not_exists</c>, so such a call is refused before any <c>deny_if</c>), and
    /// those a <c>deny_if</c> group tests with <c>not_exists</c> (the author refuses the missing case explicitly).
    /// </summary>
    private static HashSet<string> MissingHandled(ToolRules rules, IReadOnlyList<ConditionGroup> sharedRequire) =>
    [
        .. rules.Require.Concat(sharedRequire).SelectMany(g => g.Conditions).Where(c => c.Operator != ConditionOperator.NotExists).Select(c => c.Path.Text),
        .. rules.DenyIf.SelectMany(g => g.Conditions).Where(c => c.Operator == ConditionOperator.NotExists).Select(c => c.Path.Text),
    ];

    // missingHandled: the paths whose absence the tool's rules handle (see MissingHandled); null for all_tools.
    private static void LintGroups(IReadOnlyList<ConditionGroup> groups, bool isRequire, List<SchemaView> schemas, HashSet<string>? missingHandled, List<LintWarning> warnings)
    {
        foreach (var group in groups)
        {
            if (!isRequire && group.Conditions.Count == 0)
            {
                warnings.Add(new(LintCodes.Unreachable, "this deny_if group has no conditions, so it denies every call and the rules after it are never reached; use action deny if that is meant", group.Pointer));
            }

            foreach (var condition in group.Conditions)
            {
                if (condition.Path.Root != PathRoot.Args || condition.Path.Segments.Count == 0 || missingHandled is null)
                {
                    continue;
                }

                var failsOpen = !isRequire && condition.Operator is not (ConditionOperator.Exists or ConditionOperator.NotExists) && !missingHandled.Contains(condition.Path.Text);
                if (schemas.Count == 0)
                {
                    if (failsOpen)
                    {
                        warnings.Add(new(LintCodes.DenyIfNotRequired, $"no schema requires {condition.Path.Text}, and a missing value never matches deny_if, so a call without it is not refused (fail open); add a schema that requires it or a require group", condition.Pointer + "/path"));
                    }

                    continue;
                }

                var (isDeclared, isRequired, targets) = Walk(condition.Path, schemas);
                if (!isDeclared)
                {
                    warnings.Add(new(LintCodes.UndeclaredArgument, $"the tool's schema does not declare {condition.Path.Text}; check the name (a condition on an argument that is never sent {(isRequire ? "refuses every call" : "never matches")})", condition.Pointer + "/path"));
                    continue;
                }

                if (failsOpen && !isRequired)
                {
                    warnings.Add(new(LintCodes.DenyIfNotRequired, $"the tool's schema does not require {condition.Path.Text}, and a missing value never matches deny_if, so a call without it is not refused (fail open); require it in the schema or add a require group", condition.Pointer + "/path"));
                }

                if (isRequire && condition.Value is { } value)
                {
                    var candidates = condition.Operator switch
                    {
                        ConditionOperator.Eq => [value],
                        ConditionOperator.In => value.EnumerateArray().ToArray(),
                        _ => Array.Empty<System.Text.Json.JsonElement>(),
                    };
                    foreach (var target in targets)
                    {
                        var reasons = new List<string>();
                        if (candidates.Length > 0 && candidates.All(c => { var excluded = target.Excludes(c, out var why); if (excluded) { reasons.Add(why); } return excluded; }))
                        {
                            warnings.Add(new(LintCodes.ContradictsSchema, $"no valid call can satisfy {condition.Description}: {reasons[0]}, so this require refuses every call", condition.Pointer + "/value"));
                            break;
                        }
                    }
                }
            }
        }
    }

    /// <summary>Follows a path through the schemas: declared when any schema declares it (or cannot tell), required when any requires every step.</summary>
    private static (bool Declared, bool Required, List<SchemaView> Targets) Walk(PolicyPath path, List<SchemaView> schemas)
    {
        var declared = false;
        var required = false;
        var targets = new List<SchemaView>();
        foreach (var schema in schemas)
        {
            SchemaView? node = schema;
            var schemaDeclares = true;
            var schemaRequires = true;
            foreach (var segment in path.Segments)
            {
                if (node is not { } current || current.IsOpaque)
                {
                    // Beyond what the lint can read: assume declared, not required.
                    schemaRequires = false;
                    node = null;
                    break;
                }

                if (current.Property(segment) is { } property)
                {
                    schemaRequires &= current.Requires(segment);
                    node = property;
                }
                else if (int.TryParse(segment, System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out _) && current.Items() is { } items)
                {
                    schemaRequires = false;
                    node = items;
                }
                else
                {
                    schemaDeclares = !current.DeclaresProperties;
                    schemaRequires = false;
                    node = null;
                    break;
                }
            }

            declared |= schemaDeclares;
            required |= schemaRequires && schemaDeclares;
            if (node is { } target)
            {
                targets.Add(target);
            }
        }

        return (declared, required, targets);
    }
}
