using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using ModelContextProtocol;
using ModelContextProtocol.Client;
using ModelContextProtocol.Protocol;
using PolicyLayer.ModelContextProtocol;
using PolicyProxy;

// A stdio MCP proxy: starts the upstream server as a child process, serves stdio to its own client, and
// enforces the policy on every tools/call before forwarding it.
var parsed = ProxyArguments.Parse(args, out var error);
if (parsed is null)
{
    await Console.Error.WriteLineAsync($"PolicyProxy: {error}\n{ProxyArguments.Usage}");
    return 2;
}

var builder = Host.CreateApplicationBuilder();
builder.Logging.AddConsole(o => o.LogToStandardErrorThreshold = LogLevel.Trace); // stdout carries the protocol

var policyFile = Path.GetFullPath(parsed.PolicyFile);
await using var upstream = await McpClient.CreateAsync(new StdioClientTransport(new StdioClientTransportOptions
{
    Name = "upstream",
    Command = parsed.Command,
    Arguments = [.. parsed.CommandArguments],
}));

var forward = new UpstreamForwarder(upstream);
var server = builder.Services.AddMcpServer(o => o.ServerInfo = new Implementation { Name = "PolicyProxy", Version = "1.0.0" })
    .WithStdioServerTransport()
    .WithListToolsHandler(forward.ListToolsAsync)
    .WithCallToolHandler(forward.CallToolAsync)
    .AddPolicyLayer(o => o.PolicyFile = policyFile);

var capabilities = upstream.ServerCapabilities;
if (capabilities.Resources is not null)
{
    server.WithListResourcesHandler(forward.ListResourcesAsync)
        .WithListResourceTemplatesHandler(forward.ListResourceTemplatesAsync)
        .WithReadResourceHandler(forward.ReadResourceAsync);
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

var host = builder.Build();

// The upstream's tools are the proxy's whole tool list: register their input schemas, and answer any other
// name as an unknown tool (as the SDK does), so hidden tools cannot be told apart from missing ones.
var catalog = host.Services.GetRequiredService<PolicyToolCatalog>();
forward.Catalog = catalog;
await forward.RefreshToolsAsync(CancellationToken.None);
upstream.RegisterNotificationHandler(NotificationMethods.ToolListChangedNotification, async (_, ct) => await forward.RefreshToolsAsync(ct));

await host.RunAsync();
return 0;
