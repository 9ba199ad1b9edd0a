using System.Diagnostics;

namespace PolicyLayer.Redis.Tests.Infrastructure;

/// <summary>A three-primary Redis Cluster of a test's own, on loopback ports, made with <c>redis-cli --cluster create</c>.</summary>
internal sealed class DedicatedRedisCluster : IAsyncDisposable
{
    private const int Nodes = 3;
    private const int ReadyAttempts = 100;
    private static readonly TimeSpan ReadyPoll = TimeSpan.FromMilliseconds(100);

    private readonly List<DedicatedRedisServer> _servers = [];

    /// <summary>A configuration string naming every node.</summary>
    public string Configuration => string.Join(',', _servers.Select(s => s.Address));

    public static async Task<DedicatedRedisCluster> StartAsync()
    {
        var cluster = new DedicatedRedisCluster();
        try
        {
            foreach (int port in FreePorts())
            {
                cluster._servers.Add(await DedicatedRedisServer.StartAsync(port, "--cluster-enabled", "yes", "--cluster-config-file", $"nodes-{port}.conf"));
            }

            string output = await RunRedisCliAsync(["--cluster", "create", .. cluster._servers.Select(s => s.Address), "--cluster-replicas", "0", "--cluster-yes"]);
            for (int attempt = 0; attempt < ReadyAttempts; attempt++)
            {
                bool ready = true;
                foreach (DedicatedRedisServer server in cluster._servers)
                {
                    ready &= (await RunRedisCliAsync(["-p", server.Port.ToString(), "cluster", "info"])).Contains("cluster_state:ok", StringComparison.Ordinal);
                }

                if (ready)
                {
                    return cluster;
                }

                // Real time: waiting for the nodes to agree on the slot map.
                await Task.Delay(ReadyPoll);
            }

            throw new InvalidOperationException("The test cluster did not reach cluster_state:ok: " + output);
        }
        catch
        {
            await cluster.DisposeAsync();
            throw;
        }
    }

    public async ValueTask DisposeAsync()
    {
        foreach (DedicatedRedisServer server in _servers)
        {
            await server.DisposeAsync();
        }
    }

    /// <summary>Ports p whose cluster bus port p + 10000 is free too.</summary>
    private static List<int> FreePorts()
    {
        var ports = new List<int>();
        for (int port = 21000 + Random.Shared.Next(0, 20000); ports.Count < Nodes && port < 55000; port++)
        {
            if (DedicatedRedisServer.IsFree(port) && DedicatedRedisServer.IsFree(port + 10000))
            {
                ports.Add(port);
            }
        }

        return ports.Count == Nodes ? ports : throw new InvalidOperationException("No free loopback ports for a test cluster.");
    }

    private static async Task<string> RunRedisCliAsync(string[] arguments)
    {
        var start = new ProcessStartInfo("redis-cli") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (string argument in arguments)
        {
            start.ArgumentList.Add(argument);
        }

        using Process process = Process.Start(start) ?? throw new InvalidOperationException("redis-cli did not start.");
        Task<string> output = process.StandardOutput.ReadToEndAsync();
        Task<string> error = process.StandardError.ReadToEndAsync();
        await process.WaitForExitAsync();
        return await output + await error;
    }
}
