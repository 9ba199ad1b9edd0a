using PolicyLayer.Schema;

namespace PolicyLayer.DependencyInjection;

/// <summary>
/// Options of <c>services.AddPolicyLayer(...)</c>: where the policy comes from, and the safety bounds.
/// Validated when the host starts; every problem, including every error of the policy itself, is reported at once.
/// </summary>
public sealed class PolicyLayerOptions
{
    /// <summary>The path of the policy file. Set this or <see cref="PolicyJson"/>.</summary>
    public string? PolicyFile { get; set; }

    /// <summary>The policy's JSON text. Set this or <see cref="PolicyFile"/>.</summary>
    public string? PolicyJson { get; set; }

    /// <summary>The largest arguments (UTF-8 bytes of JSON) that rules read; larger calls are refused. Default: 1 MiB.</summary>
    public int MaxArgumentBytes { get; set; } = 1024 * 1024;

    /// <summary>How JSON Schemas (the policy's and the tools' declared ones) are compiled and evaluated.</summary>
    public JsonSchemaOptions SchemaOptions { get; set; } = JsonSchemaOptions.Default;

    /// <summary>
    /// Whether the policy is reloaded when <see cref="PolicyFile"/> changes on disk (or when these options change
    /// through <c>IOptionsMonitor</c>). An edit with errors is logged and the last good policy stays in force.
    /// Default: <see langword="true"/>.
    /// </summary>
    public bool ReloadOnChange { get; set; } = true;

    /// <summary>
    /// A candidate policy file to run in shadow beside the active policy: every call is also evaluated under it and
    /// decision records show where the two disagree; it never changes a decision. Optional.
    /// </summary>
    public string? ShadowPolicyFile { get; set; }
}
