using PolicyLayer.Schema;

namespace PolicyLayer.Policies;

/// <summary>How a policy is loaded.</summary>
public sealed class PolicyLoadOptions
{
    /// <summary>The shared default options.</summary>
    public static PolicyLoadOptions Default { get; } = new();

    /// <summary>How the policy's <c>schema</c> fields are compiled (dialect, format assertion, registered documents).</summary>
    public JsonSchemaOptions SchemaOptions { get; init; } = JsonSchemaOptions.Default;

    /// <summary>How long one <c>regex</c> condition may run before the call is refused. Default: 100 ms.</summary>
    /// <remarks>Conditions run in linear time; this is a second bound for very long inputs.</remarks>
    public TimeSpan RegexTimeout { get; init; } = TimeSpan.FromMilliseconds(100);
}
