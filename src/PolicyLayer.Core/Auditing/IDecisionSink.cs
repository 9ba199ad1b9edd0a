namespace PolicyLayer.Auditing;

/// <summary>
/// Receives every <see cref="DecisionRecord"/>. Register one with <c>AddPolicyLayer(...).AddDecisionSink&lt;T&gt;()</c>
/// or through <see cref="Authorization.PolicyAuthorizerOptions.DecisionSinks"/>.
/// </summary>
/// <remarks>
/// <see cref="WriteAsync"/> runs on the authorizing call's path, so it must be quick: hand the record to a
/// queue (as <see cref="JsonLinesDecisionLog"/> does) rather than do I/O. Its task may stay pending to apply
/// back-pressure; the authorization then waits for it. An exception is logged and never changes the decision.
/// </remarks>
public interface IDecisionSink
{
    /// <summary>Takes one record.</summary>
    /// <param name="record">The record.</param>
    /// <returns>A task that completes when the sink has accepted the record.</returns>
    ValueTask WriteAsync(DecisionRecord record);

    /// <summary>Waits until every record accepted so far is written to its destination.</summary>
    /// <param name="cancellationToken">Stops waiting.</param>
    /// <returns>A task that completes when everything accepted is written.</returns>
    ValueTask FlushAsync(CancellationToken cancellationToken = default);
}
