using System.Text.Json;
using Microsoft.Extensions.DependencyInjection;
using PolicyLayer;

// Load policy.json (validated on start: a bad policy stops here with every error and its line and column).
var services = new ServiceCollection();
services.AddPolicyLayer(options => options.PolicyFile = Path.Combine(AppContext.BaseDirectory, "policy.json"));
using var provider = services.BuildServiceProvider();
var authorizer = provider.GetRequiredService<IToolCallAuthorizer>();

Console.WriteLine("PolicyLayer.Core quick start: two agents (grants) call an agent-session manager's tools.");
Console.WriteLine();

var calls = new List<(string Grant, string Session, string Tool, string Args)>
{
    ("alice", "s-1", "list_sessions", "{}"),
    ("alice", "s-1", "new_session", """{"cwd": "/home/alice/shop", "agent": "claude-code"}"""),
    ("alice", "s-1", "new_session", """{"cwd": "/etc"}"""),
    ("alice", "s-1", "new_session", """{"cwd": "/home/alice/shop", "agent": "vim", "color": "blue"}"""),
    ("alice", "s-1", "prompt", """{"text": "add a unit test for the cart", "max_tokens": 4000}"""),
    ("alice", "s-1", "prompt", """{"text": "clean up with rm -rf / please", "max_tokens": 100}"""),
    ("alice", "s-1", "prompt", """{"text": "summarize the diff", "max_tokens": "lots"}"""),
    ("alice", "s-1", "agent_install", """{"name": "codex"}"""),
    ("alice", "s-1", "agent_install", """{"name": "codex", "reason": "second opinion on the refactor"}"""),
    ("alice", "s-1", "agent_uninstall", """{"name": "codex"}"""),
    ("alice", "s-1", "shutdown", "{}"),
    ("alice", "s-1", "format_disk", "{}"),
};

// The burst: alice's agent closes sessions in a loop; bob's is unaffected by alice's budget.
for (var i = 1; i <= 32; i++)
{
    calls.Add(("alice", "s-1", "close_session", $$"""{"sessionId": "s-{{i}}"}"""));
}

calls.Add(("bob", "s-9", "close_session", """{"sessionId": "s-900"}"""));

var closeCount = 0;
var revision = string.Empty;
foreach (var (grant, session, tool, json) in calls)
{
    using var arguments = JsonDocument.Parse(json);
    var decision = await authorizer.AuthorizeAsync(new ToolCall(tool, arguments.RootElement, grant, session));
    revision = decision.PolicyRevision;

    // A host runs the tool only when allowed, then reports how it ended (a failure gives the budget back).
    if (decision.IsAllowed)
    {
        await decision.ReportOutcomeAsync(ToolCallOutcome.Succeeded);
    }

    // Keep the close_session burst short on screen: show the first two, the 30th and what comes after.
    if (tool == "close_session" && grant == "alice" && ++closeCount is > 2 and < 30)
    {
        if (closeCount == 3)
        {
            Console.WriteLine("  ... close_session #3 to #29 allowed the same way ...");
        }

        continue;
    }

    var label = decision.Outcome switch
    {
        DecisionOutcome.Allow => "ALLOW",
        DecisionOutcome.Deny => "DENY ",
        _ => "HOLD ",
    };
    var number = tool == "close_session" && grant == "alice" ? $" #{closeCount}" : string.Empty;
    Console.WriteLine($"{label} {grant,-5} {tool}{number} {json}");
    if (!decision.IsAllowed)
    {
        Console.WriteLine($"      rule {decision.Rule}: {decision.Message}");
    }
}

Console.WriteLine();
Console.WriteLine($"{calls.Count} calls decided by policy revision {revision}.");
