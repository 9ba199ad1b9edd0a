using System.Runtime.CompilerServices;
using System.Text.Json;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using PolicyLayer.Counters;
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
/// made under exactly one policy and carries its revision. <see cref="PolicyChanged"/> says when it was.</para>
/// </remarks>
public sealed partial class PolicyAuthorizer : IToolCallAuthorizer, IPolicyChangeNotifier
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

    /// <inheritdoc />
    /// <remarks>
    /// Raised by <see cref="UpdatePolicy"/> (and so by every reload that applies a new policy) after the new policy
    /// is in force, on the thread that replaced it and outside the reloader's lock. A handler that throws is logged
    /// and does not stop the change or the other handlers. Not raised when the same policy instance is set again.
    /// </remarks>
    public event EventHandler<PolicyChangedEventArgs>? PolicyChanged;

    /// <summary>Replaces the policy in force. Calls already being authorized finish under the policy they started with.</summary>
    /// <param name="policy">The new policy.</param>
    /// <remarks>Then raises <see cref="PolicyChanged"/>.</remarks>
    public void UpdatePolicy(Policy policy)
    {
        var previous = SwapPolicy(policy);
        RaisePolicyChanged(previous, policy);
    }

    /// <summary>Puts <paramref name="policy"/> in force without raising <see cref="PolicyChanged"/>, for a caller that swaps under a lock of its own and raises after releasing it.</summary>
    /// <returns>The policy that was in force.</returns>
    internal Policy? SwapPolicy(Policy policy)
    {
        ArgumentNullException.ThrowIfNull(policy);

        // The policy actually replaced, even when two callers swap at once: each event then describes a real change.
        return Interlocked.Exchange(ref _policy, policy);
    }

    /// <summary>Raises <see cref="PolicyChanged"/> for a swap made with <see cref="SwapPolicy"/>; each handler's failure is logged, not thrown.</summary>
    internal void RaisePolicyChanged(Policy? previous, Policy current)
    {
        if (ReferenceEquals(previous, current) || PolicyChanged is not { } handlers)
        {
            return;
        }

        var args = new PolicyChangedEventArgs(previous, current);
        foreach (var handler in handlers.GetInvocationList())
        {
            try
            {
                ((EventHandler<PolicyChangedEventArgs>)handler)(this, args);
            }
            catch (Exception ex)
            {
                // The new policy is in force whatever a listener does; one failing must not stop the others hearing of it.
                LogPolicyChangedHandlerFailed(_logger, current.Revision, ex);
            }
        }
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
            // Worded as the policy answers a name that is not a tool, so a refusal reveals nothing: under default
            // deny an unlisted name is refused as not allowed; under default allow it reaches the host, which
            // answers that the tool is unknown.
            var message = policy.Default == DefaultAction.Deny ? DecisionText.DefaultDeny(name) : DecisionText.UnknownTool(name);
            return Denied(RuleIds.Hidden, message, policy.Revision);
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

    [LoggerMessage(EventId = 6, Level = LogLevel.Error, Message = "A PolicyChanged handler failed after revision {Revision} was put in force; the policy stays in force and the other handlers still ran")]
    private static partial void LogPolicyChangedHandlerFailed(ILogger logger, string revision, Exception exception);

    [LoggerMessage(EventId = 2, Level = LogLevel.Error, Message = "The counter store failed; the call was refused (fail closed)")]
    private static partial void LogStoreFailed(ILogger logger, Exception exception);

    [LoggerMessage(EventId = 3, Level = LogLevel.Warning, Message = "The counter store could not answer and admitted a call to '{Tool}' without counting it (fail open): {Error}")]
    private static partial void LogStoreFailedOpen(ILogger logger, string tool, string? error);
}
