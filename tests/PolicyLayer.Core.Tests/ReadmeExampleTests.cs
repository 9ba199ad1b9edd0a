using System.Text.Json;
using Microsoft.Extensions.DependencyInjection;

namespace PolicyLayer.Tests;

/// <summary>The README's "How to use" snippet, compiled and run, so the README cannot drift from the API.</summary>
public class ReadmeExampleTests
{
    private const string PolicyJson = """
        { "version": "1", "default": "deny", "tools": {
            "create_refund": {
              "schema": { "type": "object", "required": ["amount"], "properties": { "amount": { "type": "number" } } },
              "deny_if": [ { "conditions": [ { "path": "args.amount", "op": "gt", "value": 100 } ], "on_deny": "Refund exceeds the policy limit." } ],
              "limits": [ { "counter": "refunds", "window": "hour", "max": 10, "scope": "grant" } ] } } }
        """;

    [Fact]
    public async Task ReadmeSnippet_RunsAsDocumented()
    {
        var services = new ServiceCollection();
        services.AddPolicyLayer(options => options.PolicyJson = PolicyJson);
        using var provider = services.BuildServiceProvider();

        // --- README snippet ---
        var authorizer = provider.GetRequiredService<IToolCallAuthorizer>();

        using var arguments = JsonDocument.Parse("""{ "amount": 150 }""");
        var call = new ToolCall("create_refund", arguments.RootElement, grantId: "agent-7", sessionId: "s-1");

        var decision = await authorizer.AuthorizeAsync(call);
        if (!decision.IsAllowed)
        {
            // "Refund exceeds the policy limit." (rule /tools/create_refund/deny_if/0): hand it to the model.
            Assert.Equal("Refund exceeds the policy limit.", decision.Message);
            Assert.Equal("/tools/create_refund/deny_if/0", decision.Rule);
            return;
        }

        try
        {
            // ... run the tool ...
            await decision.ReportOutcomeAsync(ToolCallOutcome.Succeeded);
        }
        catch
        {
            await decision.ReportOutcomeAsync(ToolCallOutcome.Failed); // gives the reserved budget back
            throw;
        }

        // --- end of snippet ---
        Assert.Fail("150 is over the limit and must be refused.");
    }
}
