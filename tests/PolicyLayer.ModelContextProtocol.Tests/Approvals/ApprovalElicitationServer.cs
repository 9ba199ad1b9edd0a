using System.Collections.Concurrent;
using System.Text.RegularExpressions;
using ModelContextProtocol.Client;
using ModelContextProtocol.Protocol;
using PolicyLayer.Approvals;

namespace PolicyLayer.ModelContextProtocol.Tests;

/// <summary>
/// A test server with approvals registered and approval elicitation on, and a client whose elicitation handler
/// (when given) records every question it is asked.
/// </summary>
internal static partial class ApprovalElicitationServer
{
    /// <summary>The revision with multi round-trip requests: the client answers a question and retries the call.</summary>
    public const string Mrtr = "2026-07-28";

    /// <summary>The revision where the server sends <c>elicitation/create</c> to the client and can withdraw it.</summary>
    public const string Legacy = "2025-11-25";

    /// <summary>Both ways a question reaches the client.</summary>
    public static TheoryData<string> Protocols => new() { Mrtr, Legacy };

    public static async Task<McpTestServer> StartAsync(
        string protocol,
        Func<ElicitRequestParams?, CancellationToken, ValueTask<ElicitResult>>? handler,
        ConcurrentQueue<ElicitRequestParams>? questions = null,
        Action<ApprovalElicitationOptions>? configure = null,
        bool enabled = true,
        Func<IServiceProvider, IApprovalStore>? store = null)
    {
        var clientOptions = new McpClientOptions { ProtocolVersion = protocol };
        if (handler is not null)
        {
            clientOptions = new McpClientOptions
            {
                ProtocolVersion = protocol,
                Handlers = new McpClientHandlers
                {
                    ElicitationHandler = (request, cancellationToken) =>
                    {
                        if (request is not null)
                        {
                            questions?.Enqueue(request);
                        }

                        return handler(request, cancellationToken);
                    },
                },
            };
        }

        var server = await McpTestServer.StartAsync(
            services: s =>
            {
                if (store is not null)
                {
                    // Registered first: AddApprovals keeps a store the host registered.
                    s.AddSingleton(store);
                }

                s.AddPolicyLayer(o => o.PolicyJson = TestPolicy.Json).AddApprovals();
            },
            configure: o =>
            {
                o.ApprovalElicitation.Enabled = enabled;
                configure?.Invoke(o.ApprovalElicitation);
            },
            clientOptions: clientOptions);
        Assert.Equal(protocol, server.Client.NegotiatedProtocolVersion);
        return server;
    }

    public static ValueTask<ElicitResult> Answer(string action) => new(new ElicitResult { Action = action });

    /// <summary>The approval id in a question or a refusal.</summary>
    public static string ApprovalId(string text)
    {
        var match = ApprovalIdPattern().Match(text);
        Assert.True(match.Success, $"No approval id in: {text}");
        return match.Value;
    }

    public static IApprovalService Approvals(this McpTestServer server) => server.Services.GetRequiredService<IApprovalService>();

    [GeneratedRegex("apr_[0-9a-f]{32}")]
    private static partial Regex ApprovalIdPattern();
}
