using PolicyLayer.Policies;

namespace PolicyLayer;

/// <summary>
/// An authorizer whose policy can be replaced while it runs, and which says when it has been. Integrations use it
/// to tell clients that what the policy shows has changed (the MCP integration: <c>notifications/tools/list_changed</c>).
/// </summary>
/// <remarks>
/// <para>Separate from <see cref="IToolCallAuthorizer"/> so that hosts with an authorizer of their own need not
/// implement it: an authorizer that does not is taken as one whose answers never change.
/// <see cref="Authorization.PolicyAuthorizer"/> implements it.</para>
/// <para>Implementations raise <see cref="PolicyChanged"/> after the new policy is in force (a handler that asks
/// the authorizer sees the new answers), outside any lock of their own, and a handler that throws does not stop the
/// change or the other handlers.</para>
/// </remarks>
public interface IPolicyChangeNotifier
{
    /// <summary>Raised after the policy in force was replaced. Handlers run on the thread that replaced it: keep them short, and do not block on I/O.</summary>
    event EventHandler<PolicyChangedEventArgs>? PolicyChanged;
}

/// <summary>The policy that was in force and the one that replaced it.</summary>
public sealed class PolicyChangedEventArgs : EventArgs
{
    /// <summary>Creates the event's arguments.</summary>
    /// <param name="previous">The policy that was in force; <see langword="null"/> when none was.</param>
    /// <param name="current">The policy now in force.</param>
    public PolicyChangedEventArgs(Policy? previous, Policy current)
    {
        ArgumentNullException.ThrowIfNull(current);
        Previous = previous;
        Current = current;
    }

    /// <summary>The policy that was in force; <see langword="null"/> when none was.</summary>
    public Policy? Previous { get; }

    /// <summary>The policy now in force.</summary>
    /// <remarks>Another change may already have replaced it by the time a handler runs: read the authorizer for the answers in force.</remarks>
    public Policy Current { get; }
}
