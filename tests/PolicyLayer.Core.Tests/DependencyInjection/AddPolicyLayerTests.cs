using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using Microsoft.Extensions.Time.Testing;
using PolicyLayer.Authorization;
using PolicyLayer.Counters;
using PolicyLayer.DependencyInjection;

namespace PolicyLayer.Tests.DependencyInjection;

public class AddPolicyLayerTests
{
    private const string PolicyText = """{ "version": "1", "default": "deny", "tools": { "t": { "limits": [ { "counter": "c", "window": "minute", "max": 1 } ] } } }""";

    [Fact]
    public async Task AddPolicyLayer_PolicyJson_ResolvesWorkingAuthorizer()
    {
        using var provider = new ServiceCollection().AddPolicyLayer(o => o.PolicyJson = PolicyText).Services.BuildServiceProvider();
        var authorizer = provider.GetRequiredService<IToolCallAuthorizer>();
        Assert.Same(provider.GetRequiredService<PolicyAuthorizer>(), authorizer);
        Assert.True((await authorizer.AuthorizeAsync(new ToolCall("t"))).IsAllowed);
        Assert.False((await authorizer.AuthorizeAsync(new ToolCall("t"))).IsAllowed);
    }

    [Fact]
    public async Task AddPolicyLayer_UsesRegisteredTimeProvider()
    {
        var time = new FakeTimeProvider();
        var services = new ServiceCollection().AddSingleton<TimeProvider>(time);
        services.AddPolicyLayer(o => o.PolicyJson = PolicyText);
        using var provider = services.BuildServiceProvider();
        var authorizer = provider.GetRequiredService<IToolCallAuthorizer>();
        Assert.True((await authorizer.AuthorizeAsync(new ToolCall("t"))).IsAllowed);
        Assert.False((await authorizer.AuthorizeAsync(new ToolCall("t"))).IsAllowed);
        time.Advance(TimeSpan.FromMinutes(2));
        Assert.True((await authorizer.AuthorizeAsync(new ToolCall("t"))).IsAllowed);
    }

    [Fact]
    public void AddPolicyLayer_PolicyFile_Loads()
    {
        var file = Path.Combine(Path.GetTempPath(), $"policy-{Guid.NewGuid():N}.json");
        File.WriteAllText(file, PolicyText);
        try
        {
            using var provider = new ServiceCollection().AddPolicyLayer(o => o.PolicyFile = file).Services.BuildServiceProvider();
            Assert.NotNull(provider.GetRequiredService<PolicyAuthorizer>().Policy);
        }
        finally
        {
            File.Delete(file);
        }
    }

    [Fact]
    public void AddPolicyLayer_CalledTwice_RegistersOnce()
    {
        var services = new ServiceCollection();
        services.AddPolicyLayer(o => o.PolicyJson = PolicyText);
        services.AddPolicyLayer(o => o.PolicyJson = PolicyText);
        Assert.Single(services, d => d.ServiceType == typeof(IToolCallAuthorizer));
        Assert.Single(services, d => d.ServiceType == typeof(ICounterStore));
        Assert.Single(services, d => d.ServiceType == typeof(IValidateOptions<PolicyLayerOptions>));
    }

    [Fact]
    public void AddPolicyLayer_InvalidPolicy_ValidationListsEveryErrorWithPosition()
    {
        using var provider = new ServiceCollection()
            .AddPolicyLayer(o => o.PolicyJson = """{ "version": "2", "default": "deny", "tols": {} }""")
            .Services.BuildServiceProvider();
        var ex = Assert.Throws<OptionsValidationException>(() => provider.GetRequiredService<IOptions<PolicyLayerOptions>>().Value);
        Assert.Equal(2, ex.Failures.Count());
        Assert.Contains(ex.Failures, f => f.Contains(":1:14: error PL006", StringComparison.Ordinal));
        Assert.Contains(ex.Failures, f => f.Contains("error PL003", StringComparison.Ordinal));
        Assert.Throws<OptionsValidationException>(() => provider.GetRequiredService<IToolCallAuthorizer>());
    }

    [Theory]
    [InlineData(null, null, "Set exactly one")]
    [InlineData("a.json", "{}", "Set exactly one")]
    [InlineData("/no/such/policy.json", null, "does not exist")]
    public void AddPolicyLayer_BadOptions_ClearMessage(string? file, string? json, string expected)
    {
        using var provider = new ServiceCollection()
            .AddPolicyLayer(o => { o.PolicyFile = file; o.PolicyJson = json; })
            .Services.BuildServiceProvider();
        var ex = Assert.Throws<OptionsValidationException>(() => provider.GetRequiredService<IOptions<PolicyLayerOptions>>().Value);
        Assert.Contains(ex.Failures, f => f.Contains(expected, StringComparison.Ordinal));
    }
}
