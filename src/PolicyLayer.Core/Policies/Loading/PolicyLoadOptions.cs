using PolicyLayer.Schema;

namespace PolicyLayer.Policies;

/// <summary>How a policy is loaded.</summary>
public sealed class PolicyLoadOptions
{
    /// <summary>The shared default options.</summary>
    public static PolicyLoadOptions Default { get; } = new();

    /// <summary>How the policy's <c>schema</c> fields are compiled (dialect, format assertion, registered documents).</summary>
    public JsonSchemaOptions SchemaOptions { get; init; } = JsonSchemaOptions.Default;
}
