using System.Collections.Concurrent;
using System.Text.RegularExpressions;

namespace PolicyLayer.Text;

/// <summary>
/// Shares one <see cref="Regex"/> per pattern and options across policies and schemas. Building a linear-time
/// (non-backtracking) regex is the most expensive part of loading a policy, large policies repeat the same
/// patterns, and a reload rebuilds every one of them; a <see cref="Regex"/> is immutable and thread-safe.
/// </summary>
internal static class RegexCache
{
    // Bounded so that a host that loads ever-new patterns cannot grow it without end; past the bound, patterns
    // are simply built each time.
    private const int MaxEntries = 4096;
    private static readonly ConcurrentDictionary<(string Pattern, RegexOptions Options, TimeSpan Timeout), Regex> Entries = new();

    /// <summary>Gets or builds a regex. Throws as the <see cref="Regex"/> constructor does for an invalid pattern.</summary>
    public static Regex Get(string pattern, RegexOptions options, TimeSpan timeout)
    {
        var key = (pattern, options, timeout);
        if (Entries.TryGetValue(key, out var regex))
        {
            return regex;
        }

        regex = new Regex(pattern, options, timeout);
        if (Entries.Count < MaxEntries)
        {
            regex = Entries.GetOrAdd(key, regex);
        }

        return regex;
    }
}
