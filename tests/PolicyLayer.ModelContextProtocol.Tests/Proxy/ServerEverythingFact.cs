namespace PolicyLayer.ModelContextProtocol.Tests;

/// <summary>
/// A test against the real <c>@modelcontextprotocol/server-everything</c>, which scripts/mcp-peers.sh installs and
/// names in POLICYLAYER_SERVER_EVERYTHING. Without it the test is skipped, except under CI=true, where it fails.
/// </summary>
public sealed class ServerEverythingFactAttribute : FactAttribute
{
    public const string Variable = "POLICYLAYER_SERVER_EVERYTHING";

    public ServerEverythingFactAttribute()
    {
        if (string.IsNullOrEmpty(Environment.GetEnvironmentVariable(Variable)) && !IsCi)
        {
            Skip = $"{Variable} is not set: run eval \"$(bash scripts/mcp-peers.sh)\" first (scripts/test.sh does).";
        }
    }

    public static bool IsCi => string.Equals(Environment.GetEnvironmentVariable("CI"), "true", StringComparison.OrdinalIgnoreCase);

    /// <summary>The server's entry script; fails the test when it is missing.</summary>
    public static string ServerScript()
    {
        var path = Environment.GetEnvironmentVariable(Variable);
        Assert.False(string.IsNullOrEmpty(path), $"{Variable} is not set under CI=true: scripts/test.sh must run scripts/mcp-peers.sh.");
        Assert.True(File.Exists(path), $"{Variable} names {path}, which does not exist; run scripts/mcp-peers.sh.");
        return path;
    }
}
