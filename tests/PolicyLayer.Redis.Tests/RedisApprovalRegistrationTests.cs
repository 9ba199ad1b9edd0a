using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using PolicyLayer.Approvals;
using PolicyLayer.Authorization;
using PolicyLayer.DependencyInjection;
using PolicyLayer.Redis.Approvals;
using PolicyLayer.Redis.Tests.Infrastructure;

namespace PolicyLayer.Redis.Tests;

/// <summary><c>UseRedis</c> and <c>AddApprovals()</c> together: approvals in Redis, unless the host chose a store.</summary>
public sealed class RedisApprovalRegistrationTests
{
    private const string PolicyText = """{ "version": "1", "default": "deny", "tools": { "wire": { "action": "require_approval" } } }""";

    private readonly string _prefix = RedisTestServer.UniquePrefix();

    [RedisFact]
    public async Task AddApprovalsThenUseRedis_RequestsKeptInRedisOnTheCountersConnectionAndPrefix()
    {
        var services = new ServiceCollection();
        UseRedis(AddPolicyLayer(services).AddApprovals(o => o.MaxRequests = 1));
        await using ServiceProvider provider = services.BuildServiceProvider();
        var authorizer = provider.GetRequiredService<IToolCallAuthorizer>();
        var approvals = provider.GetRequiredService<IApprovalService>();

        AuthorizationDecision pending = await authorizer.AuthorizeAsync(new ToolCall("wire", grantId: "g1"));
        Assert.True(pending.Outcome == DecisionOutcome.RequireApproval && pending.ApprovalId is not null, pending.Message);
        AuthorizationDecision full = await authorizer.AuthorizeAsync(new ToolCall("wire", grantId: "g2"));
        await approvals.ApproveAsync(pending.ApprovalId!, "alice");
        AuthorizationDecision allowed = await authorizer.AuthorizeAsync(new ToolCall("wire", grantId: "g1"));

        var store = Assert.IsType<RedisApprovalStore>(provider.GetRequiredService<IApprovalStore>());
        Assert.Same(store, provider.GetRequiredService<RedisApprovalStore>());
        Assert.Equal(DecisionOutcome.RequireApproval, pending.Outcome);
        Assert.Contains("too many approval requests are waiting", full.Message, StringComparison.Ordinal);
        Assert.True(allowed.IsAllowed, allowed.Message);
        Assert.Contains(_prefix + "{approvals}:requests", RedisTestServer.KeysUnder(_prefix));

        // Another host on the same Redis and prefix sees the request.
        RedisApprovalStore replica = RedisTestServer.CreateApprovalStore(_prefix, TimeProvider.System);
        Assert.Equal(ApprovalState.Used, (await replica.GetAsync(pending.ApprovalId!))!.State);
    }

    [RedisFact]
    public async Task UseRedis_HostRegisteredItsOwnStore_OwnStoreKept()
    {
        var ownBefore = new InMemoryApprovalStore();
        var ownAfter = new InMemoryApprovalStore();
        var first = new ServiceCollection();
        first.AddSingleton<IApprovalStore>(ownBefore);
        UseRedis(AddPolicyLayer(first).AddApprovals());
        var second = new ServiceCollection();
        IPolicyLayerBuilder builder = AddPolicyLayer(second).AddApprovals();
        second.AddSingleton<IApprovalStore>(ownAfter);
        UseRedis(builder);
        var third = new ServiceCollection();
        builder = UseRedis(AddPolicyLayer(third)).AddApprovals();
        third.AddSingleton<IApprovalStore>(_ => ownAfter);

        await using ServiceProvider firstProvider = first.BuildServiceProvider();
        await using ServiceProvider secondProvider = second.BuildServiceProvider();
        await using ServiceProvider thirdProvider = third.BuildServiceProvider();

        Assert.Same(ownBefore, firstProvider.GetRequiredService<IApprovalStore>());
        Assert.Same(ownAfter, secondProvider.GetRequiredService<IApprovalStore>());
        Assert.Same(ownAfter, thirdProvider.GetRequiredService<IApprovalStore>());
        Assert.Equal(DecisionOutcome.RequireApproval, (await thirdProvider.GetRequiredService<IToolCallAuthorizer>().AuthorizeAsync(new ToolCall("wire"))).Outcome);
        Assert.Single(await ownAfter.GetPendingAsync());
    }

    [RedisFact]
    public async Task UseRedis_WithoutAddApprovals_ApprovalsStayOff()
    {
        var services = new ServiceCollection();
        UseRedis(AddPolicyLayer(services));
        await using ServiceProvider provider = services.BuildServiceProvider();

        AuthorizationDecision decision = await provider.GetRequiredService<IToolCallAuthorizer>().AuthorizeAsync(new ToolCall("wire"));

        Assert.Null(provider.GetService<IApprovalStore>());
        Assert.Null(provider.GetService<IApprovalService>());
        Assert.Equal(DecisionOutcome.RequireApproval, decision.Outcome);
        Assert.Null(decision.ApprovalId);
        Assert.DoesNotContain(RedisTestServer.KeysUnder(_prefix), k => k.Contains("{approvals}", StringComparison.Ordinal));
    }

    [RedisFact]
    public async Task UseRedisThenAddApprovals_ReportedWhenTheHostStartsInsteadOfApprovalsInMemory()
    {
        var services = new ServiceCollection();
        UseRedis(AddPolicyLayer(services)).AddApprovals();
        await using ServiceProvider provider = services.BuildServiceProvider();

        var ex = Assert.Throws<OptionsValidationException>(() => provider.GetRequiredService<IOptions<ApprovalOptions>>().Value);
        Assert.Throws<OptionsValidationException>(() => provider.GetRequiredService<IToolCallAuthorizer>());

        Assert.Contains("AddApprovals() was called after UseRedis(...)", ex.Message, StringComparison.Ordinal);
        Assert.Contains("Call AddApprovals() before UseRedis(...)", ex.Message, StringComparison.Ordinal);
    }

    private static IPolicyLayerBuilder AddPolicyLayer(IServiceCollection services) =>
        services.AddPolicyLayer(o =>
        {
            o.PolicyJson = PolicyText;
            o.ReloadOnChange = false;
        });

    private IPolicyLayerBuilder UseRedis(IPolicyLayerBuilder builder) =>
        builder.UseRedis(o =>
        {
            o.Configuration = RedisTestServer.RequireAddress();
            o.KeyPrefix = _prefix;

            // A loaded test machine must not turn the first (connecting, script-loading) call into a timeout.
            o.Timeout = TimeSpan.FromSeconds(30);
        });
}
