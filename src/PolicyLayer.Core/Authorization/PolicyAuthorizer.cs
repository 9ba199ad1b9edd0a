using System.Runtime.CompilerServices;
using System.Text.Json;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using PolicyLayer.Counters;
using PolicyLayer.Json;
using PolicyLayer.Policies;
using PolicyLayer.Schema;

namespace PolicyLayer.Authorization;

/// <summary>
/// Authorizes tool calls against a <see cref="Policy"/>, keeping budgets in an <see cref="ICounterStore"/>.
/// </summary>
/// <remarks>
/// <para>Evaluation follows the policy language's order: no policy, hidden, default deny, <c>action: deny</c>,
/// schemas, <c>require</c> and <c>deny_if</c> (the tool's, then <c>all_tools</c>'), approval, limits (reserved
/// together), allow. The first step that refuses decides.</para>
/// <para>Fail closed: a broken declared schema, arguments over the size bound, an unreadable cost or key, a
/// failing store: each refuses the call with a message that says why. Nothing a caller sends makes it throw.</para>
/// <para>Thread-safe. The policy can be replaced at any time with <see cref="UpdatePolicy"/>; each decision is
/// made under exactly one policy and carries its revision.</para>
/// </remarks>
public sealed partial class PolicyAuthorizer : IToolCallAuthorizer
{
    private readonly ICounterStore _store;
    private readonly PolicyAuthorizerOptions _options;
    private readonly ILogger _logger;
    private readonly DeclaredSchemas _declaredSchemas;
    private volatile Policy? _policy;

    /// <summary>Creates an authorizer.</summary>
    /// <param name="policy">The policy to enforce; <see langword="null"/> denies every call until <see cref="UpdatePolicy"/> is called.</param>
    /// <param name="store">Where budgets are kept.</param>
    /// <param name="options">Safety bounds and schema settings.</param>
    /// <param name="logger">Where store failures and schema registration problems are logged.</param>
    public PolicyAuthorizer(Policy? policy, ICounterStore store, PolicyAuthorizerOptions? options = null, ILogger<PolicyAuthorizer>? logger = null)
    {
        ArgumentNullException.ThrowIfNull(store);
        _policy = policy;
        _store = store;
        _options = options ?? PolicyAuthorizerOptions.Default;
        _logger = (ILogger?)logger ?? NullLogger.Instance;
        _declaredSchemas = new DeclaredSchemas(_options.SchemaOptions);
        _production = new ProductionFeatures(this, _options, _logger);
    }

    /// <summary>The policy in force, or <see langword="null"/>.</summary>
    public Policy? Policy => _policy;

    /// <summary>Replaces the policy in force. Calls already being authorized finish under the policy they started with.</summary>
    /// <param name="policy">The new policy.</param>
    public void UpdatePolicy(Policy policy)
    {
        ArgumentNullException.ThrowIfNull(policy);
        _policy = policy;
    }

    /// <summary>
    /// Registers the input schema a tool declares (an MCP server's <c>tools/list</c> <c>inputSchema</c>). Under
    /// <c>input_schema: "enforce"</c> (the default) calls must satisfy it. A schema that does not compile makes
    /// the tool's calls refused (fail closed) and is reported in the result.
    /// </summary>
    /// <param name="toolName">The tool's name.</param>
    /// <param name="inputSchema">The declared schema.</param>
    /// <returns>The compile errors; empty when the schema compiled.</returns>
    public IReadOnlyList<JsonSchemaCompileError> RegisterInputSchema(string toolName, JsonElement inputSchema)
    {
        ArgumentNullException.ThrowIfNull(toolName);
        var errors = _declaredSchemas.Register(toolName, inputSchema);
        if (errors.Count > 0)
        {
            LogDeclaredSchemaInvalid(_logger, toolName, string.Join("; ", errors));
        }

        return errors;
    }

    /// <summary>Removes a tool's declared input schema.</summary>
    /// <param name="toolName">The tool's name.</param>
    public void UnregisterInputSchema(string toolName) => _declaredSchemas.Unregister(toolName);

    /// <inheritdoc />
    public bool IsToolVisible(string toolName)
    {
        ArgumentNullException.ThrowIfNull(toolName);
        var policy = _policy;

        // Shadow mode enforces nothing, hiding included.
        return policy is not null && (policy.Mode == PolicyMode.Shadow || !policy.IsHidden(toolName));
    }

    /// <summary>Steps 1 to 9 under one policy, without recording (see <see cref="AuthorizeAsync"/>).</summary>
    internal ValueTask<AuthorizationDecision> EvaluateAsync(Policy? policy, in ToolCall call, CancellationToken cancellationToken)
    {
        if (policy is null)
        {
            return Denied(RuleIds.NoPolicy, DecisionText.NoPolicy, string.Empty);
        }

        var name = call.ToolName;
        if (policy.IsHidden(name))
        {
            // Worded as for a tool that does not exist, so a refusal reveals nothing.
            return Denied(RuleIds.Hidden, DecisionText.UnknownTool(name), policy.Revision);
        }

        var listed = policy.TryGetTool(name, out var tool);
        if (!listed && policy.Default == DefaultAction.Deny)
        {
            return Denied(RuleIds.DefaultDeny, DecisionText.DefaultDeny(name), policy.Revision);
        }

        if (listed && tool.Action == ToolAction.Deny)
        {
            return Denied(tool.Pointer, tool.Reason ?? DecisionText.ToolDenied(name), policy.Revision);
        }

        var allTools = policy.AllTools;
        var declared = policy.InputSchema == InputSchemaMode.Enforce ? _declaredSchemas.Find(name) : null;
        if (declared is not null || (listed && tool.ReadsArguments) || allTools.ReadsArguments)
        {
            if (CheckArguments(call, listed ? tool : null, declared, policy) is { } refusal)
            {
                return Decided(refusal);
            }
        }

        if (listed && tool.Action == ToolAction.RequireApproval)
        {
            if (_production.Approvals is null)
            {
                return ApprovalRequired(tool, name, policy.Revision);
            }

            return ApprovalStepAsync(call, tool, allTools, policy, cancellationToken);
        }

        var allowRule = listed ? tool.Pointer : RuleIds.DefaultAllow;
        if ((!listed || tool.LimitArray.Length == 0) && allTools.LimitArray.Length == 0)
        {
            return Allowed(allowRule, policy.Revision);
        }

        return ReserveLimits(call, listed ? tool : null, allTools, allowRule, policy.Revision, cancellationToken);
    }

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
        var size = ArgumentSize(call.Arguments);
        if (size > _options.MaxArgumentBytes)
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
        var errors = schema.Validate(call.Arguments);
        var declaredErrors = declared?.Schema is { } declaredSchema && !declaredSchema.IsValid(call.Arguments) ? declaredSchema.Validate(call.Arguments) : [];
        var message = DecisionText.SchemaInvalid(errors, declared: false) + (declaredErrors.Count > 0 ? " " + DecisionText.SchemaInvalid(declaredErrors, declared: true) : string.Empty);
        return new(new AuthorizationDecision(DecisionOutcome.Deny, tool.Pointer + "/schema", message, revision, validationErrors: [.. errors, .. declaredErrors]));
    }

    [MethodImpl(MethodImplOptions.NoInlining)]
    private static Refusal DeclaredSchemaRefusal(in ToolCall call, JsonSchema declared, string revision)
    {
        var errors = declared.Validate(call.Arguments);
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

    private static int ArgumentSize(in JsonProperties arguments) =>
        arguments.TryGetElement(out var element) ? JsonRaw.Utf8(element).Length : HeldArgumentSize(arguments);

    // Apart from ArgumentSize, so that an element's size does not pay for clearing the enumerators' frame.
    [MethodImpl(MethodImplOptions.NoInlining)]
    private static int HeldArgumentSize(in JsonProperties arguments)
    {
        // Name length is an estimate for dictionary-held arguments; values are exact.
        var size = 2;
        if (arguments.Dictionary is Dictionary<string, JsonElement> dictionary)
        {
            // What the MCP SDK hands over: enumerated directly rather than through the general view.
            foreach (var (name, value) in dictionary)
            {
                size += JsonRaw.Utf8(value).Length + name.Length + 4;
            }

            return size;
        }

        foreach (var property in arguments)
        {
            size += JsonRaw.Utf8(property.Value).Length + property.Name.Length + 4;
        }

        return size;
    }

    // Decisions are built inside these small methods rather than where they are returned: each decision built in the
    // caller (even one only passed on by reference) is a wide temporary of its own in the caller's frame, and the
    // runtime zeroes every one of them on entry, so an evaluation paid for all its possible refusals before deciding
    // anything.
    [MethodImpl(MethodImplOptions.NoInlining)]
    private static ValueTask<AuthorizationDecision> Decided(Refusal refusal) => new(refusal.Decision);

    [MethodImpl(MethodImplOptions.NoInlining)]
    private static ValueTask<AuthorizationDecision> Denied(string rule, string message, string revision) =>
        new(Deny(rule, message, revision));

    [MethodImpl(MethodImplOptions.NoInlining)]
    private static ValueTask<AuthorizationDecision> ApprovalRequired(ToolRules tool, string name, string revision) =>
        new(new AuthorizationDecision(DecisionOutcome.RequireApproval, tool.Pointer, tool.Reason ?? DecisionText.ApprovalRequired(name), revision));

    /// <summary>A refusal of the argument steps, built out of line like the decisions above.</summary>
    [MethodImpl(MethodImplOptions.NoInlining)]
    private static Refusal Refused(string rule, string message, string revision) => new(Deny(rule, message, revision));

    [MethodImpl(MethodImplOptions.NoInlining)]
    private static ValueTask<AuthorizationDecision> Allowed(string rule, string revision) =>
        new(new AuthorizationDecision(DecisionOutcome.Allow, rule, DecisionText.Allowed, revision));

    internal static AuthorizationDecision Deny(string rule, string message, string revision) =>
        new(DecisionOutcome.Deny, rule, message, revision);

    [LoggerMessage(EventId = 1, Level = LogLevel.Warning, Message = "The declared input schema of tool '{Tool}' does not compile; its calls will be refused: {Errors}")]
    private static partial void LogDeclaredSchemaInvalid(ILogger logger, string tool, string errors);

    [LoggerMessage(EventId = 2, Level = LogLevel.Error, Message = "The counter store failed; the call was refused (fail closed)")]
    private static partial void LogStoreFailed(ILogger logger, Exception exception);

    [LoggerMessage(EventId = 3, Level = LogLevel.Warning, Message = "The counter store could not answer and admitted a call to '{Tool}' without counting it (fail open): {Error}")]
    private static partial void LogStoreFailedOpen(ILogger logger, string tool, string? error);
}
