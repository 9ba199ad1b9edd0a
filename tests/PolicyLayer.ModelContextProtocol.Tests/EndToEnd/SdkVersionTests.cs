using ModelContextProtocol.Server;

namespace PolicyLayer.ModelContextProtocol.Tests;

public sealed class SdkVersionTests
{
    [Fact]
    public void Sdk_LoadedVersion_IsTheOneThisProjectTargets()
    {
        // Proves each test project really runs on the SDK it names (2.3.1, or 2.4.0 in the Sdk24 project).
#if MCP_SDK_2_4
        var expected = new Version(2, 4, 0);
#else
        var expected = new Version(2, 3, 1);
#endif
        var core = typeof(McpServer).Assembly.GetName().Version!;
        var hosting = typeof(McpServerBuilderExtensions).Assembly.GetName().Version!;

        Assert.Equal(expected, new Version(core.Major, core.Minor, core.Build));
        Assert.Equal(expected, new Version(hosting.Major, hosting.Minor, hosting.Build));
    }
}
