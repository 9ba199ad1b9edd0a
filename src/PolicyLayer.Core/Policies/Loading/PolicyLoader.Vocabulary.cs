namespace PolicyLayer.Policies;

/// <summary>The field names and operators of the policy language, version 1.</summary>
internal sealed partial class PolicyLoader
{
    private static readonly string[] DocumentFields = ["version", "default", "hide", "all_tools", "tools", "input_schema", "mode", "description", "$schema"];
    private static readonly string[] ToolFields = ["action", "reason", "schema", "require", "deny_if", "limits"];
    private static readonly string[] AllToolsFields = ["require", "deny_if", "limits"];
    private static readonly string[] GroupFields = ["conditions", "on_deny"];
    private static readonly string[] ConditionFields = ["path", "op", "value"];
    private static readonly string[] LimitFields = ["counter", "window", "max", "scope", "cost", "key", "on_deny"];

    private static readonly Dictionary<string, ConditionOperator> Operators = new(StringComparer.Ordinal)
    {
        ["eq"] = ConditionOperator.Eq,
        ["neq"] = ConditionOperator.Neq,
        ["in"] = ConditionOperator.In,
        ["not_in"] = ConditionOperator.NotIn,
        ["lt"] = ConditionOperator.Lt,
        ["lte"] = ConditionOperator.Lte,
        ["gt"] = ConditionOperator.Gt,
        ["gte"] = ConditionOperator.Gte,
        ["regex"] = ConditionOperator.Regex,
        ["contains"] = ConditionOperator.Contains,
        ["exists"] = ConditionOperator.Exists,
        ["not_exists"] = ConditionOperator.NotExists,
    };

    private static readonly string OperatorList = string.Join(", ", Operators.Keys);
}
