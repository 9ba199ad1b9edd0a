using Microsoft.Extensions.Options;

namespace PolicyLayer.ModelContextProtocol.Tests;

public sealed class OptionsTests
{
    [Fact]
    public async Task Start_InvalidOptions_FailsWithEveryProblem()
    {
        var error = await Assert.ThrowsAsync<OptionsValidationException>(() => McpTestServer.StartAsync(configure: o =>
        {
            o.GrantResolver = null;
            o.GrantClaimType = " ";
            o.RefusalStyle = (PolicyRefusalStyle)7;
        }));

        Assert.Contains(error.Failures, f => f.Contains("GrantClaimType", StringComparison.Ordinal));
        Assert.Contains(error.Failures, f => f.Contains("RefusalStyle", StringComparison.Ordinal));
    }

    [Fact]
    public async Task Start_InvalidPolicy_FailsWithItsError()
    {
        var error = await Assert.ThrowsAsync<OptionsValidationException>(() => McpTestServer.StartAsync("""{ "version": "2", "default": "deny" }"""));

        Assert.Contains(error.Failures, f => f.Contains("version", StringComparison.OrdinalIgnoreCase));
    }

    [Fact]
    public async Task AddPolicyLayer_CalledTwice_FiltersOnce()
    {
        await using var server = await McpTestServer.StartAsync(server: b => b.AddPolicyLayerEnforcement());

        var options = server.Services.GetRequiredService<IOptions<global::ModelContextProtocol.Server.McpServerOptions>>().Value;
#pragma warning disable MCPEXP002
        Assert.Single(options.Filters.Request.CallToolWithAlternateFilters);
#pragma warning restore MCPEXP002
    }
}
