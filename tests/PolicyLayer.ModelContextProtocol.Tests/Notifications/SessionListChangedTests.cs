using System.IO.Pipelines;
using System.Runtime.CompilerServices;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using ModelContextProtocol.Client;
using ModelContextProtocol.Protocol;
using ModelContextProtocol.Server;
using PolicyLayer.Reload;

namespace PolicyLayer.ModelContextProtocol.Tests;

/// <summary>Several live sessions of one server: each is told once, and a closed one is neither kept nor told.</summary>
public sealed class SessionListChangedTests
{
    private static readonly string HidingEcho = ToolListChangedTests.HidingEcho;

    [Fact]
    public async Task Reload_TwoSessions_EachIsToldOnce()
    {
        await using var server = await MultiSessionServer.StartAsync();
        var first = await server.ConnectAsync("session-1", ToolListChangedTests.Handshake());
        var second = await server.ConnectAsync("session-2", ToolListChangedTests.Handshake());
        await using var firstProbe = new ListChangedProbe(first);
        await using var secondProbe = new ListChangedProbe(second);
        await first.ListToolsAsync();
        await second.ListToolsAsync();

        server.Services.GetRequiredService<PolicyReloader>().Apply(HidingEcho);

        await firstProbe.WaitForAsync();
        await secondProbe.WaitForAsync();
        Assert.Equal(1, await firstProbe.CountAfterRoundTripAsync());
        Assert.Equal(1, await secondProbe.CountAfterRoundTripAsync());
        Assert.DoesNotContain("echo", (await second.ListToolsAsync()).Select(t => t.Name));
    }

    [Fact]
    public async Task ClosedSession_IsNotKeptAlive_AndAChangeReachesTheLiveOne()
    {
        await using var server = await MultiSessionServer.StartAsync();
        var notifier = server.Services.GetRequiredService<ToolListChangeNotifier>();
        var closed = await OpenListAndCloseAsync(server.Services.GetRequiredService<IOptions<McpServerOptions>>().Value);
        var open = await server.ConnectAsync("open", ToolListChangedTests.Handshake());
        await using var probe = new ListChangedProbe(open);
        await open.ListToolsAsync();

        for (var i = 0; i < 10 && closed.IsAlive; i++)
        {
            GC.Collect();
            GC.WaitForPendingFinalizers();
        }

        Assert.False(closed.IsAlive);
        Assert.Equal(1, notifier.LiveSessionCount); // the closed session's record went with it

        server.Services.GetRequiredService<PolicyReloader>().Apply(HidingEcho);

        await probe.WaitForAsync();
        Assert.Equal(1, await probe.CountAfterRoundTripAsync());
    }

    [Fact]
    public async Task Reload_SessionClosedButNotYetCollected_SendIsSwallowed_OthersAreTold()
    {
        await using var server = await MultiSessionServer.StartAsync();
        var gone = await server.ConnectAsync("gone", ToolListChangedTests.Handshake());
        var open = await server.ConnectAsync("open", ToolListChangedTests.Handshake());
        await using var probe = new ListChangedProbe(open);
        await gone.ListToolsAsync();
        await open.ListToolsAsync();
        await server.CloseAsync("gone");

        var result = server.Services.GetRequiredService<PolicyReloader>().Apply(HidingEcho);

        Assert.Equal(PolicyReloadStatus.Applied, result.Status);
        await probe.WaitForAsync();
        Assert.Equal(1, await probe.CountAfterRoundTripAsync());
    }

    /// <summary>A session that lists its tools (so it is followed) and closes: returns a weak reference to its server.</summary>
    [MethodImpl(MethodImplOptions.NoInlining)]
    private static async Task<WeakReference> OpenListAndCloseAsync(McpServerOptions options)
    {
        var clientToServer = new Pipe();
        var serverToClient = new Pipe();
        var server = McpServer.Create(new StreamServerTransport(clientToServer.Reader.AsStream(), serverToClient.Writer.AsStream()), options, null, null);
        var run = server.RunAsync();
        var client = await McpClient.CreateAsync(new StreamClientTransport(clientToServer.Writer.AsStream(), serverToClient.Reader.AsStream()), ToolListChangedTests.Handshake());
        await client.ListToolsAsync();
        await client.DisposeAsync();
        await clientToServer.Writer.CompleteAsync();
        await server.DisposeAsync();
        await run;
        return new WeakReference(server);
    }
}
