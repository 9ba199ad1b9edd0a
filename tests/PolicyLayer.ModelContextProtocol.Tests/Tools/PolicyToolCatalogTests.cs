using System.Text.Json;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using ModelContextProtocol.Protocol;
using PolicyLayer.Authorization;
using PolicyLayer.Counters;
using PolicyLayer.Policies;

namespace PolicyLayer.ModelContextProtocol.Tests;

/// <summary>
/// Registrations that overlap. The first one is held inside the authorizer (in its logger, which it calls for a
/// schema that does not compile, after storing it) while the second one runs, so the interleaving is the same on
/// every run.
/// </summary>
public sealed class PolicyToolCatalogTests
{
    private const string Tool = "race";

    private static readonly JsonElement Valid = JsonSerializer.SerializeToElement(new { type = "object", properties = new { n = new { type = "integer" } } });

    // Does not compile: the authorizer refuses every call to a tool declaring it, and logs it.
    private static readonly JsonElement Broken = JsonSerializer.SerializeToElement(new { type = "object", properties = new { n = new { type = "not-a-type" } } });

    [Fact]
    public async Task AddTools_OverlappingWithADifferentSchema_TheCatalogStillRegistersTheLastOneGiven()
    {
        var (catalog, authorizer, logger) = Create();

        await OverlapAsync(logger, () => catalog.AddTools([Declaring(Broken)]), () => catalog.AddTools([Declaring(Valid)]));
        catalog.AddTools([Declaring(Broken)]);

        // The broken schema was the last one given: calls to the tool are refused.
        var decision = await authorizer.AuthorizeAsync(Call());
        Assert.Equal(RuleIds.InputSchema, decision.Rule);
    }

    [Fact]
    public async Task SetTools_Overlapping_TheToolListAndTheRegisteredSchemasAgree()
    {
        var (catalog, authorizer, logger) = Create();
        catalog.SetTools([Declaring(Valid)]);

        await OverlapAsync(logger, () => catalog.SetTools([Declaring(Broken)]), () => catalog.SetTools([]));

        // Whichever list won, the tool is listed exactly when its (broken) schema is enforced.
        var decision = await authorizer.AuthorizeAsync(Call());
        Assert.Equal(catalog.Contains(Tool), decision.Rule == RuleIds.InputSchema);
    }

    [Fact]
    public async Task SetTools_SchemaWithALoneSurrogate_ListsTheToolAndRefusesItsCalls()
    {
        // An upstream server may declare any JSON; "\ud800" parses, but cannot be read back as a string.
        var (catalog, authorizer, _) = Create();
        var schema = JsonDocument.Parse("""{ "type": "object", "properties": { "n": { "pattern": "^\ud800" } } }""").RootElement;

        catalog.SetTools([Declaring(schema)]);
        catalog.SetTools([Declaring(schema)]);

        Assert.True(catalog.Contains(Tool));
        var decision = await authorizer.AuthorizeAsync(Call());
        Assert.Equal(RuleIds.InputSchema, decision.Rule);
    }

    [Fact]
    public void Definition_SchemaWithALoneSurrogate_IsItsTextAndTellsSchemasApart()
    {
        var first = PolicyToolCatalog.Definition(Declaring(JsonDocument.Parse("""{ "type": "object", "pattern": "\ud800" }""").RootElement));
        var second = PolicyToolCatalog.Definition(Declaring(JsonDocument.Parse("""{ "type": "object", "pattern": "\udc00" }""").RootElement));

        Assert.Contains("\\ud800", first, StringComparison.Ordinal);
        Assert.NotEqual(first, second);
        Assert.Equal(PolicyToolCatalog.Definition(Declaring(Valid)), PolicyToolCatalog.Definition(Declaring(Valid.Clone())));
    }

    private static (PolicyToolCatalog Catalog, PolicyAuthorizer Authorizer, GatedLogger Logger) Create()
    {
        var logger = new GatedLogger();
        var authorizer = new PolicyAuthorizer(Policy.Parse("""{ "version": "1", "default": "allow" }"""), new InMemoryCounterStore(), logger: logger);
        var catalog = new PolicyToolCatalog(Options.Create(new PolicyLayerMcpOptions()), authorizer);
        return (catalog, authorizer, logger);
    }

    private static Tool Declaring(JsonElement schema) => new() { Name = Tool, InputSchema = schema };

    private static ToolCall Call() => new(Tool, new JsonProperties(JsonSerializer.SerializeToElement(new { n = 1 })));

    /// <summary>
    /// Runs <paramref name="first"/> until the authorizer logs (its schema registered, the catalog not yet told),
    /// then <paramref name="second"/> until it either finishes or waits for <paramref name="first"/>, then lets
    /// <paramref name="first"/> go on.
    /// </summary>
    private static async Task OverlapAsync(GatedLogger logger, Action first, Action second)
    {
        using var paused = new ManualResetEventSlim();
        using var release = new ManualResetEventSlim();
        logger.Gate = () =>
        {
            logger.Gate = null;
            paused.Set();
            release.Wait();
        };

        var firstRun = Task.Factory.StartNew(first, CancellationToken.None, TaskCreationOptions.LongRunning, TaskScheduler.Default);
        Assert.True(paused.Wait(TimeSpan.FromSeconds(30)), "The first registration never reached the authorizer's log.");

        Exception? secondError = null;
        var secondRun = new Thread(() =>
        {
            try
            {
                second();
            }
            catch (Exception e)
            {
                secondError = e;
            }
        });
        secondRun.Start();
        var settled = SpinWait.SpinUntil(
            () => !secondRun.IsAlive || (secondRun.ThreadState & ThreadState.WaitSleepJoin) != 0,
            TimeSpan.FromSeconds(30));
        release.Set();

        Assert.True(settled, "The second registration neither finished nor waited.");
        await firstRun;
        secondRun.Join();
        Assert.Null(secondError);
    }

    /// <summary>A logger that runs <see cref="Gate"/>, once set, on the thread that logs.</summary>
    private sealed class GatedLogger : ILogger<PolicyAuthorizer>
    {
        public volatile Action? Gate;

        public IDisposable? BeginScope<TState>(TState state)
            where TState : notnull => null;

        public bool IsEnabled(LogLevel logLevel) => true;

        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter) =>
            Gate?.Invoke();
    }
}
