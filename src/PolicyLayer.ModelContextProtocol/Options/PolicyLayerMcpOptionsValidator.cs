using Microsoft.Extensions.Options;

namespace PolicyLayer.ModelContextProtocol;

/// <summary>Validates <see cref="PolicyLayerMcpOptions"/> once, reporting every problem at once.</summary>
internal sealed class PolicyLayerMcpOptionsValidator : IValidateOptions<PolicyLayerMcpOptions>
{
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

        return failures.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(failures);
    }
}
