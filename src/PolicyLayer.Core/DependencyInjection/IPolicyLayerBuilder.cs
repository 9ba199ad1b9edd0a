using Microsoft.Extensions.DependencyInjection;

namespace PolicyLayer.DependencyInjection;

/// <summary>
/// Returned by <c>services.AddPolicyLayer(...)</c> so that extension packages (a Redis counter store, the MCP
/// integration) can add to the same registration: <c>services.AddPolicyLayer(...).UseRedis(...)</c>.
/// </summary>
public interface IPolicyLayerBuilder
{
    /// <summary>The service collection PolicyLayer is registered in.</summary>
    IServiceCollection Services { get; }
}
