using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;
using PolicyLayer.Counters;
using PolicyLayer.DependencyInjection;
using PolicyLayer.Redis.Tests.Infrastructure;
using StackExchange.Redis;

namespace PolicyLayer.Redis.Tests;

/// <summary>Options validation and registration; these need no server.</summary>
public sealed class RedisCounterStoreOptionsTests
{
    [Fact]
    public void Validate_SeveralProblems_ReportsEveryOne()
    {
        var options = new RedisCounterStoreOptions
        {
            KeyPrefix = "app{1}:",
            Timeout = TimeSpan.Zero,
            FailureMode = (RedisFailureMode)7,
            KeyDistribution = (RedisKeyDistribution)9,
        };

        ValidateOptionsResult result = new RedisCounterStoreOptionsValidator().Validate(null, options);

        Assert.True(result.Failed);
        List<string> failures = result.Failures!.ToList();
        Assert.Equal(5, failures.Count);
        Assert.Contains(failures, f => f.Contains("neither Configuration nor ConnectionMultiplexer", StringComparison.Ordinal));
        Assert.Contains(failures, f => f.Contains("KeyPrefix \"app{1}:\" contains a brace", StringComparison.Ordinal));
        Assert.Contains(failures, f => f.Contains("Timeout is 00:00:00", StringComparison.Ordinal));
        Assert.Contains(failures, f => f.Contains("FailureMode is 7", StringComparison.Ordinal));
        Assert.Contains(failures, f => f.Contains("KeyDistribution is 9", StringComparison.Ordinal));
    }

    [Fact]
    public void Validate_BothConnectionsAndLongPrefix_ReportsBoth()
    {
        var options = new RedisCounterStoreOptions
        {
            Configuration = "localhost:6379",
            ConnectionMultiplexer = new UnusedMultiplexer().Instance,
            KeyPrefix = new string('p', RedisCounterStoreOptionsValidator.MaxKeyPrefixLength + 1),
        };

        ValidateOptionsResult result = new RedisCounterStoreOptionsValidator().Validate(null, options);

        Assert.Equal(2, result.Failures!.Count());
        Assert.Contains(result.Failures!, f => f.Contains("both Configuration and ConnectionMultiplexer are set", StringComparison.Ordinal));
        Assert.Contains(result.Failures!, f => f.Contains("129 characters long", StringComparison.Ordinal));
    }

    [Fact]
    public void Validate_UnparsableConfiguration_SaysWhatIsWrong()
    {
        var options = new RedisCounterStoreOptions { Configuration = "localhost:6379,connectTimeout=soon" };

        ValidateOptionsResult result = new RedisCounterStoreOptionsValidator().Validate(null, options);

        string failure = Assert.Single(result.Failures!);
        Assert.Contains("is not a Redis configuration string", failure, StringComparison.Ordinal);
    }

    [Fact]
    public void Validate_ValidOptions_Succeeds()
    {
        var options = new RedisCounterStoreOptions { Configuration = "localhost:6379", KeyPrefix = "" };

        Assert.True(new RedisCounterStoreOptionsValidator().Validate(null, options).Succeeded);
    }

    [Fact]
    public void Constructor_InvalidOptions_ThrowsWithEveryProblem()
    {
        var exception = Assert.Throws<ArgumentException>(() => new RedisCounterStore(new RedisCounterStoreOptions { Timeout = TimeSpan.FromHours(1) }));

        Assert.Contains("neither Configuration nor ConnectionMultiplexer", exception.Message, StringComparison.Ordinal);
        Assert.Contains("Timeout is 01:00:00", exception.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void UseRedis_AfterInMemoryStore_ReplacesTheCounterStore()
    {
        var services = new ServiceCollection();
        services.TryAddSingleton<ICounterStore, InMemoryCounterStore>();

        new Builder(services).UseRedis("127.0.0.1:1,connectTimeout=100");
        using ServiceProvider provider = services.BuildServiceProvider();

        Assert.Single(services, d => d.ServiceType == typeof(ICounterStore));
        var store = Assert.IsType<RedisCounterStore>(provider.GetRequiredService<ICounterStore>());
        Assert.Same(store, provider.GetRequiredService<RedisCounterStore>());
    }

    [Fact]
    public void UseRedis_InvalidOptions_StartupValidationReportsEveryProblem()
    {
        var services = new ServiceCollection();
        new Builder(services).UseRedis(options =>
        {
            options.KeyPrefix = "{x}";
            options.Timeout = TimeSpan.FromMinutes(5);
        });
        using ServiceProvider provider = services.BuildServiceProvider();

        var exception = Assert.Throws<OptionsValidationException>(() => provider.GetRequiredService<IStartupValidator>().Validate());

        Assert.Equal(3, exception.Failures.Count());
    }

    [Fact]
    public async Task TryReserve_DefaultKeyOrNonPositiveCost_ThrowsAsCallerBug()
    {
        await using var store = new RedisCounterStore(new RedisCounterStoreOptions { Configuration = "127.0.0.1:1,connectTimeout=100" });
        var key = new CounterKey(new CounterDefinition("c", TimeSpan.FromMinutes(1), 5), "grant-a");

        await Assert.ThrowsAsync<ArgumentException>(async () => await store.TryReserveAsync(new[] { new CounterRequest(default, 1) }));
        await Assert.ThrowsAsync<ArgumentOutOfRangeException>(async () => await store.TryReserveAsync(new[] { new CounterRequest(key, 0) }));
        await Assert.ThrowsAsync<ArgumentOutOfRangeException>(async () => await store.RefundAsync(new[] { new CounterRequest(key, -1) }, 1));
    }

    [Fact]
    public async Task TryReserve_CostAboveMax_RefusedForeverWithoutAskingRedis()
    {
        // Port 1 has no Redis: a refusal that needs no budget state must not depend on the server.
        await using var store = new RedisCounterStore(new RedisCounterStoreOptions { Configuration = "127.0.0.1:1,connectTimeout=100" });
        var key = new CounterKey(new CounterDefinition("c", TimeSpan.FromMinutes(1), 5), "grant-a");

        ReservationResult result = await store.TryReserveAsync(new[] { new CounterRequest(key, 3), new CounterRequest(key, 3) });

        Assert.Equal(ReservationStatus.Refused, result.Status);
        Assert.Null(result.RetryAfter);
    }

    [Fact]
    public async Task TryReserve_NoServerListening_UnavailableNotAnException()
    {
        await using var store = new RedisCounterStore(new RedisCounterStoreOptions { Configuration = "127.0.0.1:1,connectTimeout=100", Timeout = TimeSpan.FromSeconds(30) });
        var key = new CounterKey(new CounterDefinition("c", TimeSpan.FromMinutes(1), 5), "grant-a");

        ReservationResult result = await store.TryReserveAsync(new[] { new CounterRequest(key, 1) });

        Assert.Equal(ReservationStatus.Unavailable, result.Status);
        Assert.StartsWith("rate-limit store unavailable: ", result.Error, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("0.000001", 1)]
    [InlineData("0.0000001", 1)]
    [InlineData("1.5", 1_500_000)]
    [InlineData("4503599627", 4_503_599_627_000_000)]
    [InlineData("79228162514264337593543950335", ReservationPlan.MaxUnits)]
    public void ToUnits_Costs_RoundUpToMillionthsAndCap(string cost, long units) =>
        Assert.Equal(units, ReservationPlan.ToUnits(decimal.Parse(cost, System.Globalization.CultureInfo.InvariantCulture), roundUp: true));

    [Theory]
    [InlineData("0.0000019", 1)]
    [InlineData("2.5", 2_500_000)]
    [InlineData("10000000000", ReservationPlan.MaxUnits)]
    public void ToUnits_Maxima_RoundDownToMillionthsAndCap(string max, long units) =>
        Assert.Equal(units, ReservationPlan.ToUnits(decimal.Parse(max, System.Globalization.CultureInfo.InvariantCulture), roundUp: false));

    [Theory]
    [InlineData("1000")]
    [InlineData("79228162514264337593543950335")]
    public void Create_RepeatedKeyWhoseCostsAddUpBeyondTheLargestDecimal_NeverFits(string max)
    {
        var counter = new CounterDefinition("c", TimeSpan.FromMinutes(1), decimal.Parse(max, System.Globalization.CultureInfo.InvariantCulture));
        var key = new CounterKey(counter, "g");
        var other = new CounterKey(new CounterDefinition("d", TimeSpan.FromMinutes(1), 5m), "g");
        decimal cost = 50_000_000_000_000_000_000_000_000_000m;

        ReservationPlan plan = ReservationPlan.Create(
            new[] { new CounterRequest(other, 1m), new CounterRequest(key, cost), new CounterRequest(key, cost) },
            new PolicyLayer.Redis.Keys.BudgetKeys("pl:", RedisKeyDistribution.PerPartition));

        Assert.Equal(1, plan.NeverIndex);
    }

    private sealed class Builder(IServiceCollection services) : IPolicyLayerBuilder
    {
        public IServiceCollection Services { get; } = services;
    }

    /// <summary>A multiplexer that is never connected; only its presence matters to validation.</summary>
    private sealed class UnusedMultiplexer
    {
        public IConnectionMultiplexer Instance { get; } = ConnectionMultiplexer.Connect("127.0.0.1:1,abortConnect=false,connectTimeout=100");
    }
}
