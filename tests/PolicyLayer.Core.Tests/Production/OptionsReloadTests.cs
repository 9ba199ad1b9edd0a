using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Microsoft.Extensions.Primitives;
using Microsoft.Extensions.Time.Testing;
using PolicyLayer.Authorization;
using PolicyLayer.DependencyInjection;
using PolicyLayer.Reload;

namespace PolicyLayer.Tests.Production;

/// <summary>Reloading when the options change (for example <c>PolicyJson</c> bound to configuration), not the file.</summary>
public sealed class OptionsReloadTests
{
    private const string First = """{ "version": "1", "default": "deny", "tools": { "a": {} } }""";
    private const string Second = """{ "version": "1", "default": "deny", "tools": { "a": {}, "b": {} } }""";

    [Fact]
    public void OptionsChange_ValidPolicy_IsSwappedIn()
    {
        using var host = new Host(First);

        host.Change(Second);

        Assert.True(host.Authorizer.Policy!.Tools.ContainsKey("b"));
    }

    [Fact]
    public void OptionsChange_PolicyWithErrors_KeepsTheLastGoodPolicyAndLogsEachErrorWithLineAndColumn()
    {
        using var host = new Host(First);
        var revision = host.Authorizer.Policy!.Revision;

        host.Change("""
            { "version": "1",
              "default": "sometimes", "tools": { "a": { "action": "maybe" } } }
            """);

        Assert.Equal(revision, host.Authorizer.Policy!.Revision);
        Assert.Contains(host.Logger.Messages, m => m.StartsWith("Policy reload rejected: (PolicyLayerOptions.PolicyJson):2:", StringComparison.Ordinal) && m.Contains("/default", StringComparison.Ordinal));
        Assert.Contains(host.Logger.Messages, m => m.StartsWith("Policy reload rejected: (PolicyLayerOptions.PolicyJson):2:", StringComparison.Ordinal) && m.Contains("/tools/a/action", StringComparison.Ordinal));
        Assert.Contains(host.Logger.Messages, m => m.StartsWith("Policy reload rejected with 2 errors", StringComparison.Ordinal));

        // A later good edit still gets through.
        host.Change(Second);
        Assert.True(host.Authorizer.Policy!.Tools.ContainsKey("b"));
    }

    [Fact]
    public void OptionsChange_ReloadOnChangeOff_KeepsThePolicy()
    {
        using var host = new Host(First, reloadOnChange: false);

        host.Change(Second);

        Assert.False(host.Authorizer.Policy!.Tools.ContainsKey("b"));
    }

    /// <summary>A container whose policy text can be changed, announcing each change the way bound configuration does.</summary>
    private sealed class Host : IDisposable
    {
        private readonly ServiceProvider _provider;
        private readonly TokenSource _source = new();
        private string _policy;

        public Host(string policy, bool reloadOnChange = true)
        {
            _policy = policy;
            var services = new ServiceCollection();
            services.AddSingleton<TimeProvider>(new FakeTimeProvider());
            services.AddSingleton<ILogger<PolicyReloader>>(Logger);
            services.AddPolicyLayer(o =>
            {
                o.PolicyJson = _policy;
                o.ReloadOnChange = reloadOnChange;
            });
            services.AddSingleton<IOptionsChangeTokenSource<PolicyLayerOptions>>(_source);
            _provider = services.BuildServiceProvider();
            Authorizer = _provider.GetRequiredService<PolicyAuthorizer>();
        }

        public TestLogger<PolicyReloader> Logger { get; } = new();

        public PolicyAuthorizer Authorizer { get; }

        public void Change(string policy)
        {
            _policy = policy;
            _source.Fire();
        }

        public void Dispose() => _provider.Dispose();
    }

    private sealed class TokenSource : IOptionsChangeTokenSource<PolicyLayerOptions>
    {
        private CancellationTokenSource _current = new();

        public string? Name => Options.DefaultName;

        public IChangeToken GetChangeToken() => new CancellationChangeToken(_current.Token);

        public void Fire()
        {
            var fired = _current;
            _current = new CancellationTokenSource();
            fired.Cancel();
        }
    }
}
