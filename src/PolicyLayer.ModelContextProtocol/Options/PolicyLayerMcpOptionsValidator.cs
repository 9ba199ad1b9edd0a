using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using PolicyLayer.Approvals;

namespace PolicyLayer.ModelContextProtocol;

/// <summary>Validates <see cref="PolicyLayerMcpOptions"/> once, reporting every problem at once.</summary>
internal sealed class PolicyLayerMcpOptionsValidator(IServiceProvider services) : IValidateOptions<PolicyLayerMcpOptions>
{
    private static readonly TimeSpan MaxElicitationTimeout = TimeSpan.FromDays(1);

    public ValidateOptionsResult Validate(string? name, PolicyLayerMcpOptions options)
    {
        var failures = new List<string>();
        if (!Enum.IsDefined(options.RefusalStyle))
        {
            failures.Add($"PolicyLayerMcpOptions.RefusalStyle is {(int)options.RefusalStyle}, which is not a PolicyRefusalStyle; use ToolResult or ProtocolError.");
        }

        if (options.GrantResolver is null && string.IsNullOrWhiteSpace(options.GrantClaimType))
        {
            failures.Add("PolicyLayerMcpOptions.GrantClaimType is empty; set it to the claim that names the grant (for example \"sub\") or set GrantResolver.");
        }

        if ((int)options.ProtocolErrorCode >= 0)
        {
            failures.Add($"PolicyLayerMcpOptions.ProtocolErrorCode is {(int)options.ProtocolErrorCode}; JSON-RPC error codes are negative, for example McpErrorCode.InvalidRequest (-32600).");
        }

        ValidateElicitation(options.ApprovalElicitation, failures);
        return failures.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(failures);
    }

    private void ValidateElicitation(ApprovalElicitationOptions elicitation, List<string> failures)
    {
        if (elicitation.Timeout <= TimeSpan.Zero || elicitation.Timeout > MaxElicitationTimeout)
        {
            failures.Add($"PolicyLayerMcpOptions.ApprovalElicitation.Timeout is {elicitation.Timeout}; it must be more than zero and at most one day, for example TimeSpan.FromMinutes(2).");
        }

        if (elicitation.Enabled && services.GetService<IServiceProviderIsService>() is { } registry && !registry.IsService(typeof(IApprovalService)))
        {
            failures.Add("PolicyLayerMcpOptions.ApprovalElicitation.Enabled is true, but no IApprovalService is registered to record the person's answer; register approvals with services.AddPolicyLayer(...).AddApprovals(), or turn ApprovalElicitation off.");
        }
    }
}
