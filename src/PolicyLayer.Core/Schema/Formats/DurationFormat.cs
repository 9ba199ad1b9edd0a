using System.Text.RegularExpressions;

namespace PolicyLayer.Schema.Formats;

/// <summary>ISO 8601 durations as RFC 3339 appendix A writes them.</summary>
internal static class DurationFormat
{
    private static readonly Regex Pattern = new(@"^P(?:(?:[0-9]+Y(?:[0-9]+M(?:[0-9]+D)?)?|[0-9]+M(?:[0-9]+D)?|[0-9]+D)(?:T(?:[0-9]+H(?:[0-9]+M(?:[0-9]+S)?)?|[0-9]+M(?:[0-9]+S)?|[0-9]+S))?|T(?:[0-9]+H(?:[0-9]+M(?:[0-9]+S)?)?|[0-9]+M(?:[0-9]+S)?|[0-9]+S)|[0-9]+W)\z", RegexOptions.CultureInvariant | RegexOptions.NonBacktracking);

    public static bool IsDuration(ReadOnlySpan<char> value) => Pattern.IsMatch(value);
}
