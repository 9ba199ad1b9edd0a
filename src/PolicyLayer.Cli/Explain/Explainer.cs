using System.Globalization;
using PolicyLayer.Authorization;
using PolicyLayer.Cli.Replay;
using PolicyLayer.Counters;
using PolicyLayer.Policies;

namespace PolicyLayer.Cli.Explain;

/// <summary>One line of an explanation, with how deep it is indented.</summary>
internal sealed record ExplainStep(int Depth, string Text);

/// <summary>
/// Explains one decision step by step. Every condition is evaluated by the core's own
/// <see cref="ConditionEvaluator"/> and <see cref="ResolvedValue"/>, and the budgets come from the requests the
/// real <see cref="PolicyAuthorizer"/> made, so the explanation cannot drift from enforcement; the decision
/// reported is the authorizer's.
/// </summary>
internal static class Explainer
{
    public static async Task<(IReadOnlyList<ExplainStep> Steps, DecisionRecord Decision)> ExplainAsync(Policy policy, CallLine line)
    {
        var steps = new List<ExplainStep>();
        RecordingCounterStore? recorder = null;
        var replayer = new Replayer(policy, TimeProvider.System.GetUtcNow(), clock => recorder = new RecordingCounterStore(new InMemoryCounterStore(clock)));
        var (decision, _) = await replayer.StepAsync(line).ConfigureAwait(false);
        var call = line.ToToolCall();

        void Add(int depth, string text) => steps.Add(new ExplainStep(depth, text));

        Add(0, $"call: {line.Tool} args={line.Arguments.GetRawText()} grant={line.Grant ?? "(none: anonymous)"} session={line.Session ?? "(none: anonymous)"}");
        Add(0, $"policy revision {policy.Revision}, default {Lower(policy.Default)}");
        if (policy.IsHidden(line.Tool))
        {
            Add(0, $"1. hidden: '{line.Tool}' is in 'hide'{(policy.HideAll ? " (\"*\" hides every tool)" : "")} -> deny (hidden)");
            return (steps, decision!);
        }

        Add(0, "1. hidden: no");
        var listed = policy.Tools.TryGetValue(line.Tool, out var tool);
        if (!listed)
        {
            Add(0, $"2. rules: '{line.Tool}' is not listed under 'tools'; default is {Lower(policy.Default)}");
            if (policy.Default == DefaultAction.Deny)
            {
                Add(1, "-> deny (default deny)");
                return (steps, decision!);
            }
        }
        else
        {
            Add(0, $"2. rules: {tool!.Pointer} (action {ActionName(tool.Action)})");
            if (tool.Action == ToolAction.Deny)
            {
                Add(1, $"-> deny: action is deny{(tool.Reason is null ? "" : $" (\"{tool.Reason}\")")}");
                return (steps, decision!);
            }
        }

        var schema = listed && tool!.Schema is not null ? $"the arguments are validated against {tool.Pointer}/schema" : "no policy schema for this tool";
        Add(0, $"3. schema: {schema}");
        if (decision!.Rule.EndsWith("/schema", StringComparison.Ordinal) || decision.Rule == RuleIds.InputSchema || decision.Rule == RuleIds.Error)
        {
            Add(1, $"-> deny: {decision.Message}");
            return (steps, decision);
        }

        Add(0, "4. conditions");
        var sets = new List<(string Kind, IReadOnlyList<ConditionGroup> Groups, bool IsRequire)>();
        if (listed)
        {
            sets.Add(($"{tool!.Pointer}/require", tool.Require, true));
            sets.Add(($"{tool.Pointer}/deny_if", tool.DenyIf, false));
        }

        sets.Add(("/all_tools/require", policy.AllTools.Require, true));
        sets.Add(("/all_tools/deny_if", policy.AllTools.DenyIf, false));
        foreach (var (kind, groups, isRequire) in sets)
        {
            if (groups.Count == 0)
            {
                Add(1, $"{kind}: none");
                continue;
            }

            foreach (var group in groups)
            {
                if (ExplainGroup(group, isRequire, call, Add))
                {
                    return (steps, decision);
                }
            }
        }

        if (listed && tool!.Action == ToolAction.RequireApproval)
        {
            Add(0, $"5. approval: action is require_approval -> require_approval{(tool.Reason is null ? "" : $" (\"{tool.Reason}\")")}");
            return (steps, decision);
        }

        Add(0, "5. approval: not required");
        ExplainLimits(listed ? tool : null, policy.AllTools, recorder!, decision, call, Add);
        return (steps, decision);
    }

    /// <returns>Whether the group refused the call.</returns>
    private static bool ExplainGroup(ConditionGroup group, bool isRequire, in ToolCall call, Action<int, string> add)
    {
        add(1, $"{group.Pointer}: {(isRequire ? "must hold" : "denies when every condition holds")}: {group.Description}");
        if (group.Conditions.Count == 0)
        {
            add(2, isRequire ? "no conditions: holds" : "no conditions: matches every call");
        }

        foreach (var condition in group.Conditions)
        {
            var value = ResolvedValue.Resolve(condition.Path, call);
            var seen = value.Found ? value.ToElement().GetRawText() : "(missing)";
            var result = ConditionEvaluator.Evaluate(condition, call);
            var meaning = (result, isRequire) switch
            {
                (ConditionResult.Holds, _) => "holds",
                (ConditionResult.DoesNotHold, _) => "does not hold",
                (ConditionResult.Missing, true) => "missing: does not hold (fails closed)",
                (ConditionResult.Missing, false) => "missing: does not match",
                (ConditionResult.TypeMismatch, true) => "wrong type for the operator: does not hold (fails closed)",
                _ => "wrong type for the operator: counts as matching (fails closed)",
            };
            add(2, $"{condition.Description}: saw {seen}: {meaning}");
            var passes = isRequire ? result == ConditionResult.Holds : result is ConditionResult.Holds or ConditionResult.TypeMismatch;
            if (!passes)
            {
                add(2, isRequire ? $"-> deny by {group.Pointer}" : "group does not match");
                return isRequire;
            }
        }

        if (!isRequire)
        {
            add(2, $"-> deny by {group.Pointer}");
            return true;
        }

        return false;
    }

    private static void ExplainLimits(ToolRules? tool, ToolRules allTools, RecordingCounterStore recorder, DecisionRecord decision, in ToolCall call, Action<int, string> add)
    {
        var limits = (tool?.Limits ?? []).Concat(allTools.Limits).ToList();
        if (limits.Count == 0)
        {
            add(0, "6. limits: none");
            return;
        }

        add(0, "6. limits (reserved together; budgets start empty)");

        // The authorizer reserves one request per budget: limits that share a counter add their costs into one, so each
        // limit's own cost is read here, and the budget's partition and key from the request that reached the store.
        var spent = new Dictionary<CounterKey, decimal>();
        foreach (var limit in limits)
        {
            var counter = limit.Counter;
            var budget = $"{Number(counter.Max)} per {DecisionText.Window(counter.Window)}, scope {counter.Scope.ToString().ToLowerInvariant()}";
            if (decision.Rule == limit.Pointer && decision.Decision == "deny" && recorder.LastResult is null)
            {
                // Refused before anything reached the store (a cost or key it cannot read, or costs over the maximum).
                add(1, $"{limit.Pointer} '{counter.Name}' ({budget}): {decision.Message}");
                continue;
            }

            var cost = OwnCost(limit, call);
            var request = recorder.LastRequests.FirstOrDefault(r => r.Key.Counter.Equals(counter));
            if (cost is not > 0m || request.Key.Counter is null)
            {
                add(1, $"{limit.Pointer} '{counter.Name}' ({budget}): costs nothing for this call");
                continue;
            }

            var who = counter.Scope == CounterScope.Global ? "everyone" : $"{counter.Scope.ToString().ToLowerInvariant()} {request.Key.Partition}";
            var partition = request.Key.KeyValue is null ? who : $"{who}, key {request.Key.KeyValue}";
            var used = spent.GetValueOrDefault(request.Key);
            var left = counter.Max - used;
            if (cost > left)
            {
                add(1, $"{limit.Pointer} '{counter.Name}' ({budget}) for {partition}: costs {Number(cost.Value)}, more than the {Number(left)} left: refused");
                continue;
            }

            spent[request.Key] = used + cost.Value;
            add(1, $"{limit.Pointer} '{counter.Name}' ({budget}) for {partition}: costs {Number(cost.Value)}, leaves {Number(left - cost.Value)}");
        }

        add(1, decision.Decision == "allow" ? "-> every budget has room: reserved" : $"-> deny by {decision.Rule}: {decision.Message}");
    }

    /// <summary>The cost the limit asks of this call, or <see langword="null"/> when it cannot be read (the authorizer refused the call then).</summary>
    private static decimal? OwnCost(Limit limit, in ToolCall call) => PolicyAuthorizer.ReadCost(limit, call, out var cost) is null ? cost : null;

    private static string Lower(DefaultAction value) => value == DefaultAction.Deny ? "deny" : "allow";

    private static string ActionName(ToolAction action) => action switch
    {
        ToolAction.Deny => "deny",
        ToolAction.RequireApproval => "require_approval",
        _ => "allow",
    };

    private static string Number(decimal value) => value.ToString(CultureInfo.InvariantCulture);
}
