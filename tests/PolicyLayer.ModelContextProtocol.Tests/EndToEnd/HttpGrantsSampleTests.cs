using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using ModelContextProtocol.Client;
using ModelContextProtocol.Protocol;

namespace PolicyLayer.ModelContextProtocol.Tests;

/// <summary>
/// The HttpGrants sample as a real process on 127.0.0.1 (stateless streamable HTTP, bearer tokens): the grant comes
/// from the authenticated user's claims, and each grant has its own budget.
/// </summary>
public sealed class HttpGrantsSampleTests
{
    [Fact]
    public async Task Sample_TwoBearerTokens_AreTwoGrantsWithTheirOwnBudgets()
    {
        await using var server = await HttpSample.StartAsync();
        await using var alpha = await server.ConnectAsync("alpha-demo-token");
        await using var beta = await server.ConnectAsync("beta-demo-token");

        for (var i = 0; i < 5; i++)
        {
            Assert.NotEqual(true, (await alpha.CallToolAsync("search_orders", Args(("customer", "c1")))).IsError);
        }

        var refused = await alpha.CallToolAsync("search_orders", Args(("customer", "c1")));
        var other = await beta.CallToolAsync("search_orders", Args(("customer", "c1")));

        Assert.True(refused.IsError);
        Assert.Contains("search_rate", McpTestServer.Text(refused), StringComparison.Ordinal);
        Assert.NotEqual(true, other.IsError);

        // A spend cap: 200 per day per grant, each refund costing its amount.
        Assert.NotEqual(true, (await alpha.CallToolAsync("issue_refund", Args(("orderId", "o1"), ("amount", 150)))).IsError);
        Assert.True((await alpha.CallToolAsync("issue_refund", Args(("orderId", "o2"), ("amount", 60)))).IsError);
        Assert.NotEqual(true, (await beta.CallToolAsync("issue_refund", Args(("orderId", "o3"), ("amount", 60)))).IsError);
    }

    private static Dictionary<string, object?> Args(params (string Name, object Value)[] values) =>
        values.ToDictionary(v => v.Name, v => (object?)v.Value);

    private sealed class HttpSample : IAsyncDisposable
    {
        private readonly Process _process;
        private readonly Uri _endpoint;

        private HttpSample(Process process, Uri endpoint)
        {
            _process = process;
            _endpoint = endpoint;
        }

        public static async Task<HttpSample> StartAsync()
        {
            var port = FreePort();
            var assembly = SampleProcess.Assembly("HttpGrants.McpServer");
            var start = new ProcessStartInfo("dotnet")
            {
                WorkingDirectory = Path.GetDirectoryName(assembly)!,
                RedirectStandardOutput = true,
                RedirectStandardError = true,
                UseShellExecute = false,
            };
            start.ArgumentList.Add(assembly);
            start.ArgumentList.Add($"--urls=http://127.0.0.1:{port}");
            start.ArgumentList.Add("--Logging:LogLevel:Microsoft.Hosting.Lifetime=Information");

            var process = Process.Start(start)!;
            var ready = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
            process.OutputDataReceived += (_, e) =>
            {
                if (e.Data?.Contains("Now listening on", StringComparison.Ordinal) == true)
                {
                    ready.TrySetResult();
                }
            };
            process.Exited += (_, _) => ready.TrySetException(new InvalidOperationException("The HttpGrants sample exited before it was listening."));
            process.EnableRaisingEvents = true;
            process.BeginOutputReadLine();
            process.BeginErrorReadLine();

            await ready.Task.WaitAsync(TimeSpan.FromSeconds(60));
            return new HttpSample(process, new Uri($"http://127.0.0.1:{port}/mcp"));
        }

        public Task<McpClient> ConnectAsync(string token) => McpClient.CreateAsync(new HttpClientTransport(new HttpClientTransportOptions
        {
            Endpoint = _endpoint,
            TransportMode = HttpTransportMode.StreamableHttp,
            AdditionalHeaders = new Dictionary<string, string> { ["Authorization"] = "Bearer " + token },
        }));

        public async ValueTask DisposeAsync()
        {
            _process.Kill(entireProcessTree: true);
            await _process.WaitForExitAsync();
            _process.Dispose();
        }

        private static int FreePort()
        {
            using var listener = new TcpListener(IPAddress.Loopback, 0);
            listener.Start();
            return ((IPEndPoint)listener.LocalEndpoint).Port;
        }
    }
}
