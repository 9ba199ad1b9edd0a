using AcpSessions.McpServer;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

// A stdio MCP server for an agent-session manager, with policy.json enforced on every tool call.
var builder = Host.CreateApplicationBuilder(args);

// stdout carries the protocol: every log line goes to stderr.
builder.Logging.AddConsole(o => o.LogToStandardErrorThreshold = LogLevel.Trace);

builder.Services.AddSingleton<AgentManager>();
builder.Services.AddMcpServer()
    .WithStdioServerTransport()
    .WithTools<AgentTools>()
    .WithTools<SessionTools>()
    .AddPolicyLayer(o => o.PolicyFile = Path.Combine(AppContext.BaseDirectory, "policy.json"));

await builder.Build().RunAsync();
