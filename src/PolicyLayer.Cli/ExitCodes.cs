namespace PolicyLayer.Cli;

/// <summary>The process exit codes, documented in the README; scripts and CI depend on them.</summary>
internal static class ExitCodes
{
    /// <summary>Everything loaded and nothing was found.</summary>
    public const int Ok = 0;

    /// <summary>Findings: lint warnings under <c>--strict</c>, failed policy tests, malformed replay lines.</summary>
    public const int Findings = 1;

    /// <summary>Invalid input: a policy that does not load, an unreadable file, bad arguments.</summary>
    public const int InvalidInput = 2;
}
