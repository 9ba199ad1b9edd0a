using Microsoft.Extensions.DependencyInjection;
using PolicyLayer.Authorization;
using PolicyLayer.Policies;
using PolicyLayer.Redis.Tests.Infrastructure;

namespace PolicyLayer.Redis.Tests;

/// <summary>Whole authorizers sharing budgets through Redis, as the replicas of one MCP server behind a load balancer would.</summary>
public sealed class RedisAuthorizerTests
{
    private const string PolicyText = """
        { "version": "1", "default": "deny", "tools": { "close_session": { "limits": [
            { "counter": "close_session_rate", "window": "minute", "max": 30, "scope": "grant" } ] } } }
        """;

    [RedisFact]
    public async Task Authorize_TwoReplicasHammeringOneGrant_AdmitExactlyMax_OtherGrantUnaffected()
    {
        string prefix = RedisTestServer.UniquePrefix();
        await using RedisCounterStore firstStore = CreateStore(prefix);
        await using RedisCounterStore secondStore = CreateStore(prefix);
        PolicyAuthorizer[] replicas = [new(Policy.Parse(PolicyText), firstStore), new(Policy.Parse(PolicyText), secondStore)];

        int admitted = 0;
        await Task.WhenAll(Enumerable.Range(0, 64).Select(caller => Task.Run(async () =>
        {
            var decision = await replicas[caller % 2].AuthorizeAsync(new ToolCall("close_session", grantId: "grant-a"));
            if (decision.IsAllowed)
            {
                Interlocked.Increment(ref admitted);
            }
            else
            {
                Assert.Equal("/tools/close_session/limits/0", decision.Rule);
                Assert.NotNull(decision.RetryAfter);
            }
        })));

        Assert.Equal(30, admitted);
        Assert.True((await replicas[1].AuthorizeAsync(new ToolCall("close_session", grantId: "grant-b"))).IsAllowed);
    }

    [RedisFact]
    public async Task Authorize_FailedToolCallOnOneReplica_RefundSeenByTheOther()
    {
        string prefix = RedisTestServer.UniquePrefix();
        await using RedisCounterStore firstStore = CreateStore(prefix);
        await using RedisCounterStore secondStore = CreateStore(prefix);
        var first = new PolicyAuthorizer(Policy.Parse(PolicyText.Replace("30", "1", StringComparison.Ordinal)), firstStore);
        var second = new PolicyAuthorizer(Policy.Parse(PolicyText.Replace("30", "1", StringComparison.Ordinal)), secondStore);

        var admitted = await first.AuthorizeAsync(new ToolCall("close_session", grantId: "g"));
        Assert.True(admitted.IsAllowed);
        Assert.False((await second.AuthorizeAsync(new ToolCall("close_session", grantId: "g"))).IsAllowed);
        await admitted.ReportOutcomeAsync(ToolCallOutcome.Failed);
        Assert.True((await second.AuthorizeAsync(new ToolCall("close_session", grantId: "g"))).IsAllowed);
    }

    [RedisFact]
    public async Task AddPolicyLayer_UseRedis_AuthorizerCountsInRedis()
    {
        string prefix = RedisTestServer.UniquePrefix();
        var services = new ServiceCollection();
        services.AddPolicyLayer(o => o.PolicyJson = PolicyText.Replace("30", "2", StringComparison.Ordinal))
            .UseRedis(o =>
            {
                o.Configuration = RedisTestServer.RequireAddress();
                o.KeyPrefix = prefix;
                o.Timeout = TimeSpan.FromSeconds(30);
            });
        await using var provider = services.BuildServiceProvider();
        var authorizer = provider.GetRequiredService<IToolCallAuthorizer>();
        Assert.IsType<RedisCounterStore>(provider.GetRequiredService<PolicyLayer.Counters.ICounterStore>());

        Assert.True((await authorizer.AuthorizeAsync(new ToolCall("close_session", grantId: "g"))).IsAllowed);
        Assert.True((await authorizer.AuthorizeAsync(new ToolCall("close_session", grantId: "g"))).IsAllowed);
        Assert.False((await authorizer.AuthorizeAsync(new ToolCall("close_session", grantId: "g"))).IsAllowed);

        // A second, independent store on the same prefix sees the same budget.
        await using RedisCounterStore other = CreateStore(prefix);
        var replica = new PolicyAuthorizer(Policy.Parse(PolicyText.Replace("30", "2", StringComparison.Ordinal)), other);
        Assert.False((await replica.AuthorizeAsync(new ToolCall("close_session", grantId: "g"))).IsAllowed);
    }

    private static RedisCounterStore CreateStore(string prefix) => new(new RedisCounterStoreOptions
    {
        Configuration = RedisTestServer.RequireAddress(),
        KeyPrefix = prefix,
        Timeout = TimeSpan.FromSeconds(30),
    });
}
