using HttpGrants.McpServer;

// An MCP server over HTTP where each bearer token is a grant with its own budgets (see policy.json).
var builder = WebApplication.CreateBuilder(args);

builder.Services.AddAuthentication(GrantTokenOptions.Scheme)
    .AddScheme<GrantTokenOptions, GrantTokenHandler>(GrantTokenOptions.Scheme, o => builder.Configuration.GetSection("Grants").Bind(o));
builder.Services.AddAuthorization();

builder.Services.AddMcpServer()
    .WithHttpTransport(o => o.Stateless = true) // no session ids: session-scoped limits would count as "anonymous"
    .WithTools<OrderTools>()
    .AddPolicyLayer(o => o.PolicyFile = Path.Combine(AppContext.BaseDirectory, "policy.json"));

var app = builder.Build();
app.UseAuthentication();
app.UseAuthorization();
app.MapMcp("/mcp").RequireAuthorization();
await app.RunAsync();
