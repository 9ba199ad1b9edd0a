using ModelContextProtocol.Client;

namespace PolicyLayer.ModelContextProtocol.Tests;

/// <summary>Starts a built sample as a real stdio MCP server, with the SDK's client on the other end.</summary>
internal static class SampleProcess
{
    public static string RepoRoot { get; } = FindRepoRoot();

    /// <summary>The built sample's assembly, in the same configuration as the tests.</summary>
    public static string Assembly(string sample)
    {
        var configuration = AppContext.BaseDirectory.Contains($"{Path.DirectorySeparatorChar}Release{Path.DirectorySeparatorChar}", StringComparison.Ordinal) ? "Release" : "Debug";
        var path = Path.Combine(RepoRoot, "samples", sample, "bin", configuration, "net10.0", sample + ".dll");
        Assert.True(File.Exists(path), $"The sample is not built at {path}; build the test project (it references the sample).");
        return path;
    }

    public static Task<McpClient> StartAsync(string sample, params string[] arguments) =>
        StartAsync(sample, options: null, arguments);

    /// <summary>Starts the sample with a client configured by <paramref name="options"/> (handlers, protocol version).</summary>
    public static Task<McpClient> StartAsync(string sample, McpClientOptions? options, params string[] arguments)
    {
        options ??= new McpClientOptions();

        // The client probes with server/discover and, when that times out, falls back to initialize, which a
        // 2026-07-28 server then rejects. A process that is slow to start (the proxy starts its upstream
        // first; a loaded machine) must not be mistaken for an old server.
        options.DiscoverProbeTimeout = TimeSpan.FromSeconds(90);
        return McpClient.CreateAsync(new StdioClientTransport(new StdioClientTransportOptions
        {
            Name = sample,
            Command = "dotnet",
            Arguments = [Assembly(sample), .. arguments],
            ShutdownTimeout = TimeSpan.FromSeconds(10),
        }),
        options);
    }

    private static string FindRepoRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, "PolicyLayer.Core.sln")))
            {
                return dir.FullName;
            }
        }

        throw new InvalidOperationException("PolicyLayer.Core.sln not found above " + AppContext.BaseDirectory);
    }
}
