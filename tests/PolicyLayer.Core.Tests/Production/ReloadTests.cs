using System.Collections.Concurrent;
using System.Text.Json;
using PolicyLayer.Authorization;
using PolicyLayer.Counters;
using PolicyLayer.Policies;
using PolicyLayer.Reload;

namespace PolicyLayer.Tests.Production;

public sealed class ReloadTests : IDisposable
{
    private const string Allowing = """{ "version": "1", "default": "deny", "tools": { "t": {} } }""";
    private const string Denying = """{ "version": "1", "default": "deny", "tools": { "t": { "action": "deny", "reason": "Off." } } }""";
    private readonly string _folder = Path.Combine(Path.GetTempPath(), "policylayer-reload", Guid.NewGuid().ToString("N"));

    public ReloadTests() => Directory.CreateDirectory(_folder);

    public void Dispose() => Directory.Delete(_folder, recursive: true);

    [Fact]
    public void Apply_InvalidText_KeepsLastGoodPolicyAndLogsEveryErrorWithLineAndColumn()
    {
        var authorizer = new PolicyAuthorizer(Policy.Parse(Allowing), new InMemoryCounterStore());
        var logger = new TestLogger<PolicyReloader>();
        using var reloader = new PolicyReloader(authorizer, new PolicyReloaderOptions { Watch = false }, logger);
        var before = authorizer.Policy!.Revision;

        var result = reloader.Apply("""
            { "version": "1", "default": "deny",
              "tools": { "t": { "limits": [ { "counter": "c", "window": "minute", "max": 0 } ] },
                         "u": { "requier": [] } } }
            """, "policy.json");

        Assert.Equal(PolicyReloadStatus.Rejected, result.Status);
        Assert.True(result.Errors.Count >= 2);
        Assert.Equal(before, authorizer.Policy!.Revision);
        Assert.True(ProductionFixture.Sync(authorizer, new ToolCall("t")).IsAllowed);
        foreach (var error in result.Errors)
        {
            Assert.True(error.Line > 0 && error.Column > 0);
            Assert.Contains(logger.Messages, m => m.Contains($"policy.json:{error.Line}:{error.Column}: error {error.Code}", StringComparison.Ordinal));
        }

        Assert.Contains(logger.Messages, m => m.Contains($"the last good policy (revision {before}) stays in force", StringComparison.Ordinal));
    }

    [Fact]
    public void Apply_CounterDefinitionUnchanged_BudgetSurvives()
    {
        var fixture = new ProductionFixture(ProductionFixture.Policy("""{ "t": { "limits": [ { "counter": "c", "window": "minute", "max": 2 } ] } }"""));
        using var reloader = new PolicyReloader(fixture.Authorizer, new PolicyReloaderOptions { Watch = false });
        fixture.Call("t");
        fixture.Call("t");

        // Different text (another tool, same counter definition): a new revision, the same budget.
        var result = reloader.Apply(ProductionFixture.Policy("""{ "t": { "limits": [ { "counter": "c", "window": "minute", "max": 2 } ] }, "u": {} }"""));

        Assert.Equal(PolicyReloadStatus.Applied, result.Status);
        Assert.Empty(result.RestartedCounters);
        var third = fixture.Call("t");
        Assert.False(third.IsAllowed);
        Assert.Equal(result.Policy!.Revision, third.PolicyRevision);
    }

    [Fact]
    public void Apply_CounterChangedAndChangedBack_WithinTheWindow_FindsTheSpentBudget()
    {
        // Flipping a limit's definition back and forth must not reset it.
        var limited = ProductionFixture.Policy("""{ "t": { "limits": [ { "counter": "c", "window": "minute", "max": 2 } ] } }""");
        var fixture = new ProductionFixture(limited);
        using var reloader = new PolicyReloader(fixture.Authorizer, new PolicyReloaderOptions { Watch = false }, new TestLogger<PolicyReloader>());
        fixture.Call("t");
        fixture.Call("t");

        reloader.Apply(ProductionFixture.Policy("""{ "t": { "limits": [ { "counter": "c", "window": "minute", "max": 3 } ] } }"""));
        reloader.Apply(limited);

        Assert.False(fixture.Call("t").IsAllowed);
        fixture.Time.Advance(TimeSpan.FromMinutes(1.2));
        Assert.True(fixture.Call("t").IsAllowed);
    }

    [Fact]
    public void Apply_CounterDefinitionChanged_CountsInTheNewDefinitionsBudgetAndLogSaysSo()
    {
        var fixture = new ProductionFixture(ProductionFixture.Policy("""{ "t": { "limits": [ { "counter": "c", "window": "minute", "max": 2 } ] } }"""));
        var logger = new TestLogger<PolicyReloader>();
        using var reloader = new PolicyReloader(fixture.Authorizer, new PolicyReloaderOptions { Watch = false }, logger);
        fixture.Call("t");
        fixture.Call("t");

        var result = reloader.Apply(ProductionFixture.Policy("""{ "t": { "limits": [ { "counter": "c", "window": "minute", "max": 3 } ] } }"""));

        Assert.Equal(["c"], result.RestartedCounters);
        Assert.Contains(logger.Messages, m => m.Contains("Counter 'c' changed", StringComparison.Ordinal) && m.Contains("counts in the new definition's budgets", StringComparison.Ordinal));
        Assert.True(fixture.Call("t").IsAllowed);
        Assert.True(fixture.Call("t").IsAllowed);
        Assert.True(fixture.Call("t").IsAllowed);
        Assert.False(fixture.Call("t").IsAllowed);
    }

    [Fact]
    public void Apply_CounterRemoved_ListedAsRestartedAndLogSaysSo()
    {
        var fixture = new ProductionFixture(ProductionFixture.Policy("""{ "t": { "limits": [ { "counter": "c", "window": "minute", "max": 1 } ] } }"""));
        var logger = new TestLogger<PolicyReloader>();
        using var reloader = new PolicyReloader(fixture.Authorizer, new PolicyReloaderOptions { Watch = false }, logger);
        fixture.Call("t");

        var result = reloader.Apply(ProductionFixture.Policy("""{ "t": {} }"""));

        Assert.Equal(["c"], result.RestartedCounters);
        Assert.Contains("Counter 'c' is no longer defined; its budgets are no longer consulted", logger.Messages);
        Assert.True(fixture.Call("t").IsAllowed);
        Assert.True(fixture.Call("t").IsAllowed);
    }

    [Fact]
    public void Reload_FileCannotBeRead_RejectedSayingWhyAndLastGoodPolicyStays()
    {
        var path = Path.Combine(_folder, "policy.json");
        File.WriteAllText(path, Denying);
        var authorizer = new PolicyAuthorizer(Policy.LoadFile(path).Policy, new InMemoryCounterStore());
        var logger = new TestLogger<PolicyReloader>();
        using var reloader = new PolicyReloader(authorizer, new PolicyReloaderOptions { PolicyFile = path, Watch = false }, logger);
        File.Delete(path);
        Directory.CreateDirectory(path); // the path still exists, but is nothing a policy can be read from

        var result = reloader.Reload();

        Assert.Equal(PolicyReloadStatus.Rejected, result.Status);
        var error = Assert.Single(result.Errors);
        Assert.Equal(("PL000", path), (error.Code, error.Source));
        Assert.StartsWith("The policy file could not be read (", error.Message, StringComparison.Ordinal);
        Assert.EndsWith("fix the file or its permissions. The last good policy stays in force.", error.Message, StringComparison.Ordinal);
        Assert.Contains(logger.Messages, m => m.StartsWith("Policy reload rejected with 1 errors", StringComparison.Ordinal));
        Assert.Equal(Policy.Parse(Denying).Revision, authorizer.Policy!.Revision);
        Assert.False(ProductionFixture.Sync(authorizer, new ToolCall("t")).IsAllowed);
    }

    [Fact]
    public void Apply_SameText_Unchanged()
    {
        var authorizer = new PolicyAuthorizer(Policy.Parse(Allowing), new InMemoryCounterStore());
        using var reloader = new PolicyReloader(authorizer, new PolicyReloaderOptions { Watch = false });

        Assert.Equal(PolicyReloadStatus.Unchanged, reloader.Apply(Allowing).Status);
    }

    [Fact]
    public async Task Reload_RacesWithAuthorizations_EveryDecisionUnderExactlyOneLoadedRevision()
    {
        var path = Path.Combine(_folder, "policy.json");
        File.WriteAllText(path, Allowing);
        var sink = new CollectingSink();
        var authorizer = new PolicyAuthorizer(Policy.LoadFile(path).Policy, new InMemoryCounterStore(), new PolicyAuthorizerOptions { DecisionSinks = [sink] });
        using var reloader = new PolicyReloader(authorizer, new PolicyReloaderOptions { PolicyFile = path, Watch = false });
        var allowRevision = authorizer.Policy!.Revision;
        var denyRevision = Policy.Parse(Denying).Revision;
        var decisions = new ConcurrentBag<(DecisionOutcome Outcome, string Revision)>();
        using var stop = new CancellationTokenSource();
        var arguments = JsonDocument.Parse("{}").RootElement;

        var workers = Enumerable.Range(0, 4).Select(_ => Task.Run(async () =>
        {
            var count = 0;
            while (!stop.IsCancellationRequested || count < 1000)
            {
                var decision = await authorizer.AuthorizeAsync(new ToolCall("t", arguments));
                decisions.Add((decision.Outcome, decision.PolicyRevision));
                count++;
            }

            return count;
        })).ToArray();

        var applied = 0;
        for (var i = 0; i < 1000; i++)
        {
            // Through the file, as the watcher does: alternate valid texts, and now and then an invalid one.
            File.WriteAllText(path, i % 250 == 7 ? "{ \"version\": \"2\" " : i % 2 == 0 ? Denying : Allowing);
            var result = reloader.Reload();
            applied += result.Status == PolicyReloadStatus.Applied ? 1 : 0;
            Assert.Contains(authorizer.Policy!.Revision, new[] { allowRevision, denyRevision });
        }

        await stop.CancelAsync();
        var made = (await Task.WhenAll(workers)).Sum();

        Assert.True(applied > 900);
        Assert.Equal(made, decisions.Count);
        Assert.Equal(made, sink.Records.Count);
        Assert.All(decisions, d =>
        {
            Assert.True(d.Revision == allowRevision || d.Revision == denyRevision, $"unknown revision {d.Revision}");
            Assert.Equal(d.Revision == allowRevision ? DecisionOutcome.Allow : DecisionOutcome.Deny, d.Outcome);
        });
        Assert.All(sink.Records, r => Assert.Equal(r.PolicyRevision == allowRevision ? DecisionOutcome.Allow : DecisionOutcome.Deny, r.Outcome));
    }

    [Fact]
    public void Reload_OlderReadAppliesLast_NewerPolicyStaysInForce()
    {
        var path = Path.Combine(_folder, "overlap.json");
        var authorizer = new PolicyAuthorizer(Policy.Parse(ProductionFixture.Policy("{}")), new InMemoryCounterStore());
        var logger = new TestLogger<PolicyReloader>();
        using var reloader = new PolicyReloader(authorizer, new PolicyReloaderOptions { PolicyFile = path, Watch = false }, logger);
        PolicyReloadResult? newer = null;
        reloader.AfterRead = () =>
        {
            // The first reload has read the allowing text; before it applies it, the file changes and a second
            // reload (the watcher's next callback, say) runs to the end.
            reloader.AfterRead = null;
            File.WriteAllText(path, Denying);
            newer = reloader.Reload();
        };
        File.WriteAllText(path, Allowing);

        var older = reloader.Reload();

        Assert.Equal(PolicyReloadStatus.Applied, newer!.Status);
        Assert.Equal(PolicyReloadStatus.Unchanged, older.Status);
        Assert.Equal(Policy.Parse(Denying).Revision, authorizer.Policy!.Revision);
        Assert.Equal(authorizer.Policy.Revision, older.Policy!.Revision);
        Assert.False(ProductionFixture.Sync(authorizer, new ToolCall("t")).IsAllowed);
        Assert.Contains(logger.Messages, m => m.Contains("skipped", StringComparison.Ordinal) && m.Contains(Policy.Parse(Allowing).Revision, StringComparison.Ordinal));
    }

    [Fact]
    public void Reload_TextAppliedWhileAnOlderReadParses_AppliedTextStays()
    {
        var path = Path.Combine(_folder, "applied.json");
        var authorizer = new PolicyAuthorizer(Policy.Parse(ProductionFixture.Policy("{}")), new InMemoryCounterStore());
        using var reloader = new PolicyReloader(authorizer, new PolicyReloaderOptions { PolicyFile = path, Watch = false });
        reloader.AfterRead = () =>
        {
            reloader.AfterRead = null;
            reloader.Apply(Denying);
        };
        File.WriteAllText(path, Allowing);

        var older = reloader.Reload();

        Assert.Equal(PolicyReloadStatus.Unchanged, older.Status);
        Assert.Equal(Policy.Parse(Denying).Revision, authorizer.Policy!.Revision);
    }

    [Fact]
    public async Task Watcher_FileChanges_PolicyReloaded()
    {
        var path = Path.Combine(_folder, "watched.json");
        File.WriteAllText(path, Allowing);
        var authorizer = new PolicyAuthorizer(Policy.LoadFile(path).Policy, new InMemoryCounterStore());
        var logger = new TestLogger<PolicyReloader>();
        var reloaded = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        logger.OnMessage = m =>
        {
            if (m.StartsWith("Policy reloaded", StringComparison.Ordinal))
            {
                reloaded.TrySetResult();
            }
        };
        using var reloader = new PolicyReloader(authorizer, new PolicyReloaderOptions { PolicyFile = path, Debounce = TimeSpan.Zero }, logger, TimeProvider.System);

        File.WriteAllText(path, Denying);
        await reloaded.Task.WaitAsync(TimeSpan.FromSeconds(30));

        Assert.Equal(Policy.Parse(Denying).Revision, authorizer.Policy!.Revision);
    }

    [Fact]
    public async Task Watcher_ConfigMapUpdateSwapsTheDataLink_PolicyReloaded()
    {
        if (OperatingSystem.IsWindows())
        {
            return; // Kubernetes mounts are Linux; links to folders need privileges on Windows.
        }

        // The layout of a mounted ConfigMap: policy.json -> ..data/policy.json, ..data -> ..v1.
        File.WriteAllText(Path.Combine(Directory.CreateDirectory(Path.Combine(_folder, "..v1")).FullName, "policy.json"), Allowing);
        Directory.CreateSymbolicLink(Path.Combine(_folder, "..data"), "..v1");
        var path = Path.Combine(_folder, "policy.json");
        File.CreateSymbolicLink(path, Path.Combine("..data", "policy.json"));
        var authorizer = new PolicyAuthorizer(Policy.LoadFile(path).Policy, new InMemoryCounterStore());
        var logger = new TestLogger<PolicyReloader>();
        var reloaded = WhenLogged(logger, "Policy reloaded");
        using var reloader = new PolicyReloader(authorizer, new PolicyReloaderOptions { PolicyFile = path, Debounce = TimeSpan.Zero }, logger, TimeProvider.System);

        // The update: a new folder, a new link to it, renamed over ..data in one step.
        File.WriteAllText(Path.Combine(Directory.CreateDirectory(Path.Combine(_folder, "..v2")).FullName, "policy.json"), Denying);
        Directory.CreateSymbolicLink(Path.Combine(_folder, "..data_tmp"), "..v2");
        Assert.Equal(0, Rename(Path.Combine(_folder, "..data_tmp"), Path.Combine(_folder, "..data")));
        await reloaded.WaitAsync(TimeSpan.FromSeconds(30));

        Assert.Equal(Policy.Parse(Denying).Revision, authorizer.Policy!.Revision);
        Assert.Equal(Policy.Parse(Denying).Revision, Policy.LoadFile(path).Policy!.Revision);
    }

    [Fact]
    public async Task Watcher_FileDeleted_WarningLoggedAndLastGoodPolicyStays()
    {
        var path = Path.Combine(_folder, "watched.json");
        File.WriteAllText(path, Allowing);
        var authorizer = new PolicyAuthorizer(Policy.LoadFile(path).Policy, new InMemoryCounterStore());
        var logger = new TestLogger<PolicyReloader>();
        var warned = WhenLogged(logger, "The policy file");
        using var reloader = new PolicyReloader(authorizer, new PolicyReloaderOptions { PolicyFile = path, Debounce = TimeSpan.Zero }, logger, TimeProvider.System);

        File.Delete(path);
        await warned.WaitAsync(TimeSpan.FromSeconds(30));

        var warning = Assert.Single(logger.Entries, e => e.Message.StartsWith("The policy file", StringComparison.Ordinal));
        Assert.Equal(Microsoft.Extensions.Logging.LogLevel.Warning, warning.Level);
        Assert.Contains("is gone", warning.Message, StringComparison.Ordinal);
        Assert.Contains(Policy.Parse(Allowing).Revision, warning.Message, StringComparison.Ordinal);
        Assert.Equal(Policy.Parse(Allowing).Revision, authorizer.Policy!.Revision);
    }

    // rename(2) of one link over another, as Kubernetes swaps ..data: File.Move does not move a link to a folder.
    private static int Rename(string from, string to)
    {
        var start = new System.Diagnostics.ProcessStartInfo("mv") { ArgumentList = { "-T", from, to } };
        using var mv = System.Diagnostics.Process.Start(start)!;
        mv.WaitForExit();
        return mv.ExitCode;
    }

    private static Task WhenLogged(TestLogger<PolicyReloader> logger, string start)
    {
        var logged = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        logger.OnMessage = m =>
        {
            if (m.StartsWith(start, StringComparison.Ordinal))
            {
                logged.TrySetResult();
            }
        };
        return logged.Task;
    }
}
