using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using PolicyLayer.Approvals;
using PolicyLayer.Auditing;
using PolicyLayer.DependencyInjection;

namespace Microsoft.Extensions.DependencyInjection;

/// <summary>Adds decision records and approvals to <c>services.AddPolicyLayer(...)</c>.</summary>
public static class PolicyLayerBuilderExtensions
{
    /// <summary>Adds a decision sink, created by the container. Adding the same type twice adds it once.</summary>
    /// <typeparam name="TSink">The sink's type.</typeparam>
    /// <param name="builder">The builder.</param>
    /// <returns>The builder.</returns>
    public static IPolicyLayerBuilder AddDecisionSink<TSink>(this IPolicyLayerBuilder builder)
        where TSink : class, IDecisionSink
    {
        ArgumentNullException.ThrowIfNull(builder);
        builder.Services.TryAddEnumerable(ServiceDescriptor.Singleton<IDecisionSink, TSink>());
        return builder;
    }

    /// <summary>Adds a decision sink instance.</summary>
    /// <param name="builder">The builder.</param>
    /// <param name="sink">The sink.</param>
    /// <returns>The builder.</returns>
    public static IPolicyLayerBuilder AddDecisionSink(this IPolicyLayerBuilder builder, IDecisionSink sink)
    {
        ArgumentNullException.ThrowIfNull(builder);
        ArgumentNullException.ThrowIfNull(sink);
        builder.Services.AddSingleton(sink);
        return builder;
    }

    /// <summary>Writes every decision record to the <c>PolicyLayer.Decisions</c> logger (see <see cref="LoggerDecisionSink"/>).</summary>
    /// <param name="builder">The builder.</param>
    /// <returns>The builder.</returns>
    public static IPolicyLayerBuilder AddLoggerDecisionSink(this IPolicyLayerBuilder builder)
    {
        ArgumentNullException.ThrowIfNull(builder);
        builder.Services.TryAddEnumerable(ServiceDescriptor.Singleton<IDecisionSink, LoggerDecisionSink>(
            sp => new LoggerDecisionSink(sp.GetService<ILoggerFactory>() ?? NullLoggerFactory.Instance)));
        return builder;
    }

    /// <summary>
    /// Appends every decision record to a JSON Lines file through a bounded background queue (see
    /// <see cref="JsonLinesDecisionLog"/>). The container drains and closes it when disposed.
    /// </summary>
    /// <param name="builder">The builder.</param>
    /// <param name="configure">Sets the path, capacity and full mode.</param>
    /// <returns>The builder.</returns>
    public static IPolicyLayerBuilder AddJsonLinesDecisionLog(this IPolicyLayerBuilder builder, Action<JsonLinesDecisionLogOptions> configure)
    {
        ArgumentNullException.ThrowIfNull(builder);
        ArgumentNullException.ThrowIfNull(configure);
        var services = builder.Services;
        services.AddOptions<JsonLinesDecisionLogOptions>().Configure(configure).ValidateOnStart();
        AddProblemsValidator<JsonLinesDecisionLogOptions>(services, static o => o.Validate());
        if (!services.Any(d => d.ServiceType == typeof(JsonLinesDecisionLog)))
        {
            services.AddSingleton(sp => new JsonLinesDecisionLog(
                sp.GetRequiredService<IOptions<JsonLinesDecisionLogOptions>>().Value,
                sp.GetService<ILogger<JsonLinesDecisionLog>>()));
            services.AddSingleton<IDecisionSink>(sp => sp.GetRequiredService<JsonLinesDecisionLog>());
        }

        return builder;
    }

    /// <summary>Sets what decision records contain (for example a salted hash of the arguments).</summary>
    /// <param name="builder">The builder.</param>
    /// <param name="configure">Sets the options.</param>
    /// <returns>The builder.</returns>
    public static IPolicyLayerBuilder ConfigureDecisionRecords(this IPolicyLayerBuilder builder, Action<DecisionRecordOptions> configure)
    {
        ArgumentNullException.ThrowIfNull(builder);
        ArgumentNullException.ThrowIfNull(configure);
        builder.Services.AddOptions<DecisionRecordOptions>().Configure(configure).ValidateOnStart();
        AddProblemsValidator<DecisionRecordOptions>(builder.Services, static o => o.Validate());
        return builder;
    }

    /// <summary>
    /// Turns <c>action: "require_approval"</c> into a workflow: an <see cref="IApprovalStore"/> (in memory unless
    /// one is registered) and the operator's <see cref="IApprovalService"/>.
    /// </summary>
    /// <param name="builder">The builder.</param>
    /// <param name="configure">Sets the timeout and the in-memory store's bound.</param>
    /// <returns>The builder.</returns>
    public static IPolicyLayerBuilder AddApprovals(this IPolicyLayerBuilder builder, Action<ApprovalOptions>? configure = null)
    {
        ArgumentNullException.ThrowIfNull(builder);
        var services = builder.Services;
        var options = services.AddOptions<ApprovalOptions>();
        if (configure is not null)
        {
            options.Configure(configure);
        }

        options.ValidateOnStart();
        AddProblemsValidator<ApprovalOptions>(services, static o => o.Validate());
        services.TryAddSingleton<IApprovalStore>(sp => new InMemoryApprovalStore(
            sp.GetRequiredService<TimeProvider>(),
            new InMemoryApprovalStoreOptions { MaxRequests = sp.GetRequiredService<IOptions<ApprovalOptions>>().Value.MaxRequests }));
        services.TryAddSingleton<IApprovalService>(sp => new ApprovalService(
            sp.GetRequiredService<IApprovalStore>(),
            sp.GetRequiredService<IOptions<ApprovalOptions>>().Value.Timeout));
        return builder;
    }

    /// <summary>Validates the options with their own check, once however often the method registering them is called.</summary>
    private static void AddProblemsValidator<TOptions>(IServiceCollection services, Func<TOptions, IReadOnlyList<string>> problems)
        where TOptions : class =>
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<TOptions>>(new OptionsProblemsValidator<TOptions>(problems)));
}
