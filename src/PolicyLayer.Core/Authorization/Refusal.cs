namespace PolicyLayer.Authorization;

/// <summary>A refusal found by an argument check: a reference, so a check that passes returns a null, not a wide empty decision.</summary>
internal sealed class Refusal(AuthorizationDecision decision)
{
    public AuthorizationDecision Decision { get; } = decision;
}
