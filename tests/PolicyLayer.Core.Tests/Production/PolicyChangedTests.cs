using PolicyLayer.Authorization;
using PolicyLayer.Counters;
using PolicyLayer.Policies;
using PolicyLayer.Reload;

namespace PolicyLayer.Tests.Production;

/// <summary><see cref="PolicyAuthorizer.PolicyChanged"/>: when it is raised, what it carries, and that no listener can break a change.</summary>
public sealed class PolicyChangedTests
{
    private const string Showing = """{ "version": "1", "default": "deny", "tools": { "t": {}, "u": {} } }""";
    private const string Hiding = """{ "version": "1", "default": "deny", "hide": ["u"], "tools": { "t": {}, "u": {} } }""";

    [Fact]
    public void UpdatePolicy_RaisesAfterTheSwap_WithThePreviousAndCurrentPolicy()
    {
        var before = Policy.Parse(Showing);
        var after = Policy.Parse(Hiding);
        var authorizer = new PolicyAuthorizer(before, new InMemoryCounterStore());
        var seen = new List<(Policy? Previous, Policy Current, bool VisibleInHandler)>();
        authorizer.PolicyChanged += (sender, e) => seen.Add((e.Previous, e.Current, authorizer.IsToolVisible("u")));

        authorizer.UpdatePolicy(after);

        var change = Assert.Single(seen);
        Assert.Same(before, change.Previous);
        Assert.Same(after, change.Current);
        Assert.False(change.VisibleInHandler); // the handler already sees the new policy's answers
    }

    [Fact]
    public void UpdatePolicy_SameInstanceAgain_RaisesNothing()
    {
        var policy = Policy.Parse(Showing);
        var authorizer = new PolicyAuthorizer(policy, new InMemoryCounterStore());
        var raised = 0;
        authorizer.PolicyChanged += (_, _) => raised++;

        authorizer.UpdatePolicy(policy);

        Assert.Equal(0, raised);
    }

    [Fact]
    public void UpdatePolicy_HandlerThrows_PolicyStaysInForce_OtherHandlersRun_FailureLogged()
    {
        var logger = new TestLogger<PolicyAuthorizer>();
        var authorizer = new PolicyAuthorizer(Policy.Parse(Showing), new InMemoryCounterStore(), logger: logger);
        var after = Policy.Parse(Hiding);
        var later = 0;
        authorizer.PolicyChanged += (_, _) => throw new InvalidOperationException("listener broke");
        authorizer.PolicyChanged += (_, _) => later++;

        authorizer.UpdatePolicy(after);

        Assert.Same(after, authorizer.Policy);
        Assert.Equal(1, later);
        Assert.Contains(logger.Messages, m => m.Contains("PolicyChanged handler failed", StringComparison.Ordinal) && m.Contains(after.Revision, StringComparison.Ordinal));
    }

    [Fact]
    public void Reload_Applied_RaisesOutsideTheReloadLock()
    {
        var authorizer = new PolicyAuthorizer(Policy.Parse(Showing), new InMemoryCounterStore());
        using var reloader = new PolicyReloader(authorizer, new PolicyReloaderOptions { Watch = false });
        var raised = 0;
        var nestedFinished = false;
        authorizer.PolicyChanged += (_, _) =>
        {
            // A listener that waits for a reload on another thread: raised under the reload lock, this would never finish.
            if (Interlocked.Increment(ref raised) == 1)
            {
                nestedFinished = Task.Run(() => reloader.Apply(Showing)).Wait(TimeSpan.FromSeconds(10));
            }
        };

        var result = reloader.Apply(Hiding);

        Assert.Equal(PolicyReloadStatus.Applied, result.Status);
        Assert.True(nestedFinished);
        Assert.Equal(2, raised); // the change, and the nested change back
        Assert.True(authorizer.IsToolVisible("u"));
    }

    [Fact]
    public void Reload_RejectedOrUnchanged_RaisesNothing()
    {
        var authorizer = new PolicyAuthorizer(Policy.Parse(Showing), new InMemoryCounterStore());
        using var reloader = new PolicyReloader(authorizer, new PolicyReloaderOptions { Watch = false });
        var raised = 0;
        authorizer.PolicyChanged += (_, _) => raised++;

        Assert.Equal(PolicyReloadStatus.Rejected, reloader.Apply("""{ "version": "1", "default": "sometimes" }""").Status);
        Assert.Equal(PolicyReloadStatus.Unchanged, reloader.Apply(Showing).Status);

        Assert.Equal(0, raised);
    }

    [Fact]
    public void Reload_HandlerThrows_ReloadStillApplied()
    {
        var authorizer = new PolicyAuthorizer(Policy.Parse(Showing), new InMemoryCounterStore());
        using var reloader = new PolicyReloader(authorizer, new PolicyReloaderOptions { Watch = false });
        authorizer.PolicyChanged += (_, _) => throw new InvalidOperationException("listener broke");

        var result = reloader.Apply(Hiding);

        Assert.Equal(PolicyReloadStatus.Applied, result.Status);
        Assert.False(authorizer.IsToolVisible("u"));
    }
}
