using Microsoft.Extensions.Options;
using PolicyLayer.Policies;

namespace PolicyLayer.DependencyInjection;

/// <summary>Validates <see cref="PolicyLayerOptions"/>, including loading the policy, so a bad policy stops the host at start.</summary>
internal sealed class PolicyLayerOptionsValidator : IValidateOptions<PolicyLayerOptions>
{
    public ValidateOptionsResult Validate(string? name, PolicyLayerOptions options)
    {
        var failures = new List<string>();
        if (options.PolicyFile is null == options.PolicyJson is null)
        {
            failures.Add("Set exactly one of PolicyLayerOptions.PolicyFile (a path to policy.json) and PolicyLayerOptions.PolicyJson (the policy text).");
        }

        if (options.MaxArgumentBytes <= 0)
        {
            failures.Add($"PolicyLayerOptions.MaxArgumentBytes must be positive, not {options.MaxArgumentBytes}.");
        }

        if (options.SchemaOptions is null)
        {
            failures.Add("PolicyLayerOptions.SchemaOptions must not be null.");
        }

        if (failures.Count == 0)
        {
            if (options.PolicyFile is { } file && !File.Exists(file))
            {
                failures.Add($"The policy file '{Path.GetFullPath(file)}' does not exist; set PolicyLayerOptions.PolicyFile to an existing policy.json.");
            }
            else
            {
                var result = PolicySources.Load(options);
                failures.AddRange(result.Errors.Select(e => e.ToString()));
            }
        }

        ProductionRegistration.ValidateShadowPolicy(options, failures);
        return failures.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(failures);
    }
}

/// <summary>Loads the policy the options name.</summary>
internal static class PolicySources
{
    public static PolicyLoadOptions LoadOptions(PolicyLayerOptions options) => new() { SchemaOptions = options.SchemaOptions };

    public static PolicyLoadResult Load(PolicyLayerOptions options) => options.PolicyFile is { } file
        ? Policy.LoadFile(file, LoadOptions(options))
        : Policy.Load(options.PolicyJson ?? string.Empty, "(PolicyLayerOptions.PolicyJson)", LoadOptions(options));
}
