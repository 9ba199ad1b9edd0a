namespace PolicyLayer.Policies;

/// <summary>Thrown by <see cref="Policy.Parse(string, string?, PolicyLoadOptions?)"/> when a policy does not load.</summary>
public sealed class PolicyLoadException : Exception
{
    /// <summary>Creates the exception from the load errors.</summary>
    /// <param name="errors">Every error.</param>
    public PolicyLoadException(IReadOnlyList<PolicyError> errors)
        : base(FormatMessage(errors))
    {
        Errors = errors;
    }

    /// <summary>Every error that prevented loading.</summary>
    public IReadOnlyList<PolicyError> Errors { get; }

    private static string FormatMessage(IReadOnlyList<PolicyError> errors)
    {
        ArgumentNullException.ThrowIfNull(errors);
        return $"The policy did not load ({errors.Count} error{(errors.Count == 1 ? "" : "s")}):{Environment.NewLine}{string.Join(Environment.NewLine, errors)}";
    }
}
