using System.ComponentModel;
using System.Diagnostics;
using System.Net;
using System.Net.Sockets;

namespace PolicyLayer.Redis.Tests.Infrastructure;

/// <summary>
/// A redis-server process of a test's own (loopback, no persistence), for tests that stop and restart Redis or pause
/// it, which must not disturb the shared server other tests use.
/// </summary>
internal sealed class DedicatedRedisServer : IAsyncDisposable
{
    private const int StartAttempts = 200;
    private static readonly TimeSpan StartPoll = TimeSpan.FromMilliseconds(50);

    private readonly string _directory;
    private readonly string[] _extraArguments;
    private Process? _process;

    private DedicatedRedisServer(int port, string[] extraArguments)
    {
        Port = port;
        _extraArguments = extraArguments;
        _directory = Directory.CreateTempSubdirectory("policylayer-redis-test.").FullName;
    }

    public int Port { get; }

    public string Address => $"127.0.0.1:{Port}";

    /// <summary>Starts a server on a free loopback port and waits until it accepts connections.</summary>
    /// <param name="port">The port, or <see langword="null"/> for a free one.</param>
    /// <param name="extraArguments">More redis-server arguments.</param>
    public static async Task<DedicatedRedisServer> StartAsync(int? port = null, params string[] extraArguments)
    {
        RedisTestServer.RequireAddress(); // the same precondition as every Redis test: scripts/services.sh installed redis-server
        var server = new DedicatedRedisServer(port ?? FreePort(), extraArguments);
        await server.StartAgainAsync();
        return server;
    }

    /// <summary>Whether nothing listens on <paramref name="port"/> of the loopback address.</summary>
    public static bool IsFree(int port)
    {
        try
        {
            using var listener = new TcpListener(IPAddress.Loopback, port);
            listener.Start();
            return true;
        }
        catch (SocketException)
        {
            return false;
        }
    }

    /// <summary>Starts the server (again) on the same port.</summary>
    public async Task StartAgainAsync()
    {
        var start = new ProcessStartInfo("redis-server")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (string argument in new[] { "--bind", "127.0.0.1", "--port", Port.ToString(), "--dir", _directory, "--save", "", "--appendonly", "no" }.Concat(_extraArguments))
        {
            start.ArgumentList.Add(argument);
        }

        try
        {
            _process = Process.Start(start) ?? throw new InvalidOperationException("redis-server did not start.");
        }
        catch (Win32Exception ex)
        {
            throw new InvalidOperationException("redis-server is not installed; `bash scripts/services.sh start` installs it.", ex);
        }

        _process.OutputDataReceived += static (_, _) => { };
        _process.ErrorDataReceived += static (_, _) => { };
        _process.BeginOutputReadLine();
        _process.BeginErrorReadLine();

        for (int attempt = 0; attempt < StartAttempts; attempt++)
        {
            if (_process.HasExited)
            {
                throw new InvalidOperationException($"redis-server exited with code {_process.ExitCode} on port {Port}.");
            }

            if (await AcceptsConnectionsAsync())
            {
                return;
            }

            // Real time: waiting for another process to open its port.
            await Task.Delay(StartPoll);
        }

        throw new InvalidOperationException($"redis-server did not listen on {Address} in time.");
    }

    /// <summary>Kills the server abruptly, as a crash would.</summary>
    public async Task KillAsync()
    {
        if (_process is { HasExited: false } process)
        {
            process.Kill();
            await process.WaitForExitAsync();
        }

        _process?.Dispose();
        _process = null;
    }

    public async ValueTask DisposeAsync()
    {
        await KillAsync();
        try
        {
            Directory.Delete(_directory, recursive: true);
        }
        catch (IOException)
        {
            // A leftover temporary directory is harmless.
        }
    }

    private static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }

    private async Task<bool> AcceptsConnectionsAsync()
    {
        try
        {
            using var client = new TcpClient();
            await client.ConnectAsync(IPAddress.Loopback, Port);
            return true;
        }
        catch (SocketException)
        {
            return false;
        }
    }
}
