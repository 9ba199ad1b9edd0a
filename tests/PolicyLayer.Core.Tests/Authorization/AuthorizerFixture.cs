using System.Text.Json;
using Microsoft.Extensions.Time.Testing;
using PolicyLayer.Authorization;
using PolicyLayer.Counters;
using PolicyLayer.Policies;

namespace PolicyLayer.Tests.Authorization;

/// <summary>Builds an authorizer over an in-memory store and a fake clock, and calls it synchronously.</summary>
internal sealed class AuthorizerFixture
{
    public AuthorizerFixture(string policyJson, PolicyAuthorizerOptions? options = null)
    {
        Time = new FakeTimeProvider(new DateTimeOffset(2026, 1, 1, 12, 0, 0, TimeSpan.Zero));
        Store = new InMemoryCounterStore(Time);
        Authorizer = new PolicyAuthorizer(Policy.Parse(policyJson), Store, options);
    }

    public FakeTimeProvider Time { get; }

    public InMemoryCounterStore Store { get; }

    public PolicyAuthorizer Authorizer { get; }

    public AuthorizationDecision Call(string tool, string args = "{}", string? grant = null, string? session = null, string? caller = null)
    {
        var arguments = JsonDocument.Parse(args).RootElement;
        var callerElement = caller is null ? default : new JsonProperties(JsonDocument.Parse(caller).RootElement);
        var pending = Authorizer.AuthorizeAsync(new ToolCall(tool, arguments, grant, session, callerElement));
        Assert.True(pending.IsCompletedSuccessfully, "an in-memory authorization completes synchronously");
        return pending.Result;
    }

    public static string Policy1(string tools, string extra = "") =>
        $$"""{ "version": "1", "default": "deny", {{extra}} "tools": {{tools}} }""";
}
