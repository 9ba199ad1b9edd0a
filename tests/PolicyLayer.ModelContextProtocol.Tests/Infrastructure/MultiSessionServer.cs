using System.IO.Pipelines;
using System.Threading.Channels;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Options;
using Microsoft.Extensions.Time.Testing;
using ModelContextProtocol.Client;
using ModelContextProtocol.Protocol;
using ModelContextProtocol.Server;

namespace PolicyLayer.ModelContextProtocol.Tests;

/// <summary>
/// One server configuration serving several sessions at once, each with its own session id, as a stateful HTTP
/// server does: every session is an <see cref="McpServer"/> built from the same options, on its own pair of pipes.
/// </summary>
public sealed class MultiSessionServer : IAsyncDisposable
{
    private readonly IHost _host;
    private readonly List<Session> _sessions = [];

    private MultiSessionServer(IHost host) => _host = host;

    public IServiceProvider Services => _host.Services;

    public static async Task<MultiSessionServer> StartAsync(string policyJson = TestPolicy.Json)
    {
        var builder = Host.CreateEmptyApplicationBuilder(new HostApplicationBuilderSettings());
        builder.Services.AddSingleton<InvocationLog>();
        builder.Services.AddSingleton<TimeProvider>(new FakeTimeProvider(new DateTimeOffset(2026, 1, 1, 0, 0, 0, TimeSpan.Zero)));
        builder.Services.AddMcpServer().WithTools<TestTools>().AddPolicyLayer(o => o.PolicyJson = policyJson);
        var host = builder.Build();
        await host.StartAsync();
        return new MultiSessionServer(host);
    }

    /// <summary>Opens a session and connects a client to it.</summary>
    public async Task<McpClient> ConnectAsync(string sessionId, McpClientOptions? clientOptions = null)
    {
        var session = await OpenAsync(sessionId, clientOptions);
        _sessions.Add(session);
        return session.Client;
    }

    /// <summary>Closes a session's client and server (as an HTTP session ending), keeping nothing else from it.</summary>
    public async Task CloseAsync(string sessionId)
    {
        var session = _sessions.Single(s => s.Server.SessionId == sessionId);
        _sessions.Remove(session);
        await session.DisposeAsync();
    }

    public async ValueTask DisposeAsync()
    {
        foreach (var session in _sessions)
        {
            await session.DisposeAsync();
        }

        await _host.StopAsync();
        _host.Dispose();
    }

    private async Task<Session> OpenAsync(string sessionId, McpClientOptions? clientOptions)
    {
        var clientToServer = new Pipe();
        var serverToClient = new Pipe();
        var transport = new SessionTransport(sessionId, new StreamServerTransport(clientToServer.Reader.AsStream(), serverToClient.Writer.AsStream()));
        var server = McpServer.Create(transport, Services.GetRequiredService<IOptions<McpServerOptions>>().Value, null, Services);
        var run = server.RunAsync();
        var client = await McpClient.CreateAsync(new StreamClientTransport(clientToServer.Writer.AsStream(), serverToClient.Reader.AsStream()), clientOptions);
        return new Session(server, run, client, clientToServer, serverToClient);
    }

    private sealed record Session(McpServer Server, Task Run, McpClient Client, Pipe ClientToServer, Pipe ServerToClient) : IAsyncDisposable
    {
        public async ValueTask DisposeAsync()
        {
            await Client.DisposeAsync();
            await ClientToServer.Writer.CompleteAsync();
            await Server.DisposeAsync();
            try
            {
                await Run;
            }
            catch (OperationCanceledException)
            {
                // The session was stopped.
            }
        }
    }

    /// <summary>A stream transport with a session id, as each session of a stateful HTTP server has.</summary>
    private sealed class SessionTransport(string sessionId, ITransport inner) : ITransport
    {
        public string? SessionId => sessionId;

        public ChannelReader<JsonRpcMessage> MessageReader => inner.MessageReader;

        public Task SendMessageAsync(JsonRpcMessage message, CancellationToken cancellationToken = default) => inner.SendMessageAsync(message, cancellationToken);

        public ValueTask DisposeAsync() => inner.DisposeAsync();
    }
}
