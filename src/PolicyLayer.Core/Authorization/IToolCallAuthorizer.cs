namespace PolicyLayer;

/// <summary>
/// Decides, before a tool runs, whether it may run. Hosts call <see cref="AuthorizeAsync"/> on every tool call
/// and <see cref="IsToolVisible"/> when listing tools.
/// </summary>
/// <remarks>Implementations are thread-safe and never throw for anything a caller sends: they deny instead.</remarks>
public interface IToolCallAuthorizer
{
    /// <summary>Decides whether a tool call may run, reserving its budget when it may.</summary>
    /// <param name="call">The call.</param>
    /// <param name="cancellationToken">Cancels a round trip to a remote store.</param>
    /// <returns>The decision. Completes synchronously unless a remote store is involved.</returns>
    ValueTask<AuthorizationDecision> AuthorizeAsync(ToolCall call, CancellationToken cancellationToken = default);

    /// <summary>Whether a tool may be shown in <c>tools/list</c> (it is not hidden by the policy).</summary>
    /// <param name="toolName">The tool's name.</param>
    /// <returns><see langword="false"/> when the tool is hidden or no policy is loaded.</returns>
    bool IsToolVisible(string toolName);
}
