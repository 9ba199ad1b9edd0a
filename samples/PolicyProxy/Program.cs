using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using ModelContextProtocol;
using ModelContextProtocol.Client;
using ModelContextProtocol.Protocol;
using ModelContextProtocol.Server;
using PolicyLayer.ModelContextProtocol;
using PolicyProxy;

// A stdio MCP proxy: starts the upstream server as a child process, serves stdio to its own client, enforces the
// policy on tools/list and tools/call, and passes everything else through both ways (README.md says exactly what).
var parsed = ProxyArguments.Parse(args, out var error);
if (parsed is null)
{
    await Console.Error.WriteLineAsync($"PolicyProxy: {error}\n{ProxyArguments.Usage}");
    return 2;
}

var builder = Host.CreateApplicationBuilder();
builder.Logging.AddConsole(o => o.LogToStandardErrorThreshold = LogLevel.Trace); // stdout carries the protocol

var policyFile = Path.GetFullPath(parsed.PolicyFile);

// The upstream is connected before the proxy's client, so its notification and request handlers go through
// DownstreamSessions, which learns the client's session once the host is built.
var downstream = new DownstreamSessions();
UpstreamForwarder? forward = null;
ListChangeSignals? signals = null;
var notifications = new UpstreamNotificationRelay(downstream, ct => forward?.RefreshToolsAsync(ct) ?? Task.CompletedTask, () => signals);
await using var upstream = await McpClient.CreateAsync(
    new ProgressFirstTransport(
        new StdioClientTransport(new StdioClientTransportOptions
        {
            Name = "upstream",
            Command = parsed.Command,
            Arguments = [.. parsed.CommandArguments],
        }),
        notifications.RelayProgressAsync),
    new McpClientOptions { Handlers = new UpstreamRequestHandlers(downstream).Create(notifications.Handlers()) });

forward = new UpstreamForwarder(upstream, downstream);
var capabilities = upstream.ServerCapabilities;
signals = new ListChangeSignals(capabilities);
var server = builder.Services.AddMcpServer(o =>
    {
        o.ServerInfo = new Implementation { Name = "PolicyProxy", Version = "1.0.0" };
        o.ServerInstructions = upstream.ServerInstructions;

        // The proxy relays the upstream's list changes, so it promises them exactly when the upstream does.
        o.Capabilities = new ServerCapabilities
        {
            Tools = new ToolsCapability { ListChanged = capabilities.Tools?.ListChanged },
            Prompts = capabilities.Prompts is null ? null : new PromptsCapability { ListChanged = capabilities.Prompts.ListChanged },
            Resources = capabilities.Resources is null ? null : new ResourcesCapability { ListChanged = capabilities.Resources.ListChanged },
        };

        // Through these the SDK tells every client of the upstream's prompt and resource list changes, whatever its
        // protocol revision (see ListChangeSignals).
        o.PromptCollection = signals.Prompts;
        o.ResourceCollection = signals.Resources;
    })
    .WithStdioServerTransport()
    .WithListToolsHandler(forward.ListToolsAsync)
    .WithCallToolHandler(forward.CallToolAsync)
    .AddPolicyLayer(o => o.PolicyFile = policyFile);

if (capabilities.Resources is not null)
{
    server.WithListResourcesHandler(forward.ListResourcesAsync)
        .WithListResourceTemplatesHandler(forward.ListResourceTemplatesAsync)
        .WithReadResourceHandler(forward.ReadResourceAsync);

    if (capabilities.Resources.Subscribe == true)
    {
        server.WithSubscribeToResourcesHandler(forward.SubscribeAsync)
            .WithUnsubscribeFromResourcesHandler(forward.UnsubscribeAsync);
    }
}

if (capabilities.Prompts is not null)
{
    server.WithListPromptsHandler(forward.ListPromptsAsync)
        .WithGetPromptHandler(forward.GetPromptAsync);
}

if (capabilities.Completions is not null)
{
    server.WithCompleteHandler(forward.CompleteAsync);
}

if (capabilities.Logging is not null)
{
    server.WithSetLoggingLevelHandler(forward.SetLoggingLevelAsync);
}

var host = builder.Build();

// The upstream's tools are the proxy's whole tool list: register their input schemas, and answer any other
// name as an unknown tool (as the SDK does), so hidden tools cannot be told apart from missing ones.
var catalog = host.Services.GetRequiredService<PolicyToolCatalog>();
forward.Catalog = catalog;
await forward.RefreshToolsAsync(CancellationToken.None);
downstream.Session = host.Services.GetRequiredService<McpServer>();

await host.RunAsync();
return 0;
