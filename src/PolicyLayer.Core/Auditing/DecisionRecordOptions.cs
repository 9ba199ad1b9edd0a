namespace PolicyLayer.Auditing;

/// <summary>What decision records contain.</summary>
public sealed class DecisionRecordOptions
{
    /// <summary>The defaults: argument names only, no hash.</summary>
    public static DecisionRecordOptions Default { get; } = new();

    /// <summary>
    /// Whether records carry <see cref="DecisionRecord.ArgumentsHash"/>, an HMAC-SHA256 of the canonical arguments
    /// (sorted keys, normalized numbers, no whitespace) keyed with <see cref="ArgumentHashSalt"/>. It lets an
    /// auditor check whether two calls had the same arguments, or whether a call had given arguments, without
    /// storing them. Default: off. Requires a salt.
    /// </summary>
    public bool HashArguments { get; set; }

    /// <summary>
    /// The secret key of the arguments hash; keep it out of the log it protects. Without it a hash of a short
    /// argument could be found by trying values. At least 16 bytes when <see cref="HashArguments"/> is on.
    /// </summary>
    public byte[]? ArgumentHashSalt { get; set; }

    /// <summary>The most argument names a record keeps (the first in ordinal order). Default: 64.</summary>
    public int MaxArgumentKeys { get; set; } = 64;

    /// <summary>The longest argument name a record keeps; longer names are cut. Default: 128.</summary>
    public int MaxArgumentKeyLength { get; set; } = 128;

    /// <summary>Checks the options and returns every problem.</summary>
    /// <returns>The problems; empty when valid.</returns>
    public IReadOnlyList<string> Validate()
    {
        var problems = new List<string>();
        if (HashArguments && (ArgumentHashSalt is null || ArgumentHashSalt.Length < 16))
        {
            problems.Add("DecisionRecordOptions.HashArguments needs DecisionRecordOptions.ArgumentHashSalt of at least 16 random bytes (a secret kept out of the decision log).");
        }

        if (MaxArgumentKeys < 0)
        {
            problems.Add($"DecisionRecordOptions.MaxArgumentKeys must not be negative, not {MaxArgumentKeys}.");
        }

        if (MaxArgumentKeyLength < 1)
        {
            problems.Add($"DecisionRecordOptions.MaxArgumentKeyLength must be positive, not {MaxArgumentKeyLength}.");
        }

        return problems;
    }
}
