using PolicyLayer.Schema;

namespace PolicyLayer.Authorization;

/// <summary>Safety bounds and schema settings of a <see cref="PolicyAuthorizer"/>.</summary>
public sealed class PolicyAuthorizerOptions
{
    /// <summary>The shared default options.</summary>
    public static PolicyAuthorizerOptions Default { get; } = new();

    /// <summary>
    /// The largest arguments (the UTF-8 size of their JSON) that rules read; a larger call is refused with a
    /// clear message. Default: 1 MiB.
    /// </summary>
    public int MaxArgumentBytes { get; init; } = 1024 * 1024;

    /// <summary>How declared input schemas registered with <see cref="PolicyAuthorizer.RegisterInputSchema"/> are compiled.</summary>
    public JsonSchemaOptions SchemaOptions { get; init; } = JsonSchemaOptions.Default;
}
