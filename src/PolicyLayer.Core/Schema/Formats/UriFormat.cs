using System.Text.RegularExpressions;

namespace PolicyLayer.Schema.Formats;

/// <summary>RFC 3986 URIs and URI references, checked against the grammar.</summary>
internal static class UriFormat
{
    private const string Hex = "%[0-9A-Fa-f]{2}";
    private const string PChar = "(?:[A-Za-z0-9._~!$&'()*+,;=:@-]|" + Hex + ")";
    private const string Authority = "(?:(?:[A-Za-z0-9._~!$&'()*+,;=:-]|" + Hex + ")*@)?"
        + @"(?:\[(?:[0-9A-Fa-f:.]+|[vV][0-9A-Fa-f]+\.[A-Za-z0-9._~!$&'()*+,;=:-]+)\]|(?:[A-Za-z0-9._~!$&'()*+,;=-]|" + Hex + ")*)"
        + "(?::[0-9]*)?";
    private const string Tail = @"(?:\?(?:" + PChar + "|[/?])*)?(?:#(?:" + PChar + "|[/?])*)?";
    private const string Absolute = "[A-Za-z][A-Za-z0-9+.-]*:(?://" + Authority + "(?:/" + PChar + "*)*|/(?:" + PChar + "+(?:/" + PChar + "*)*)?|" + PChar + "+(?:/" + PChar + "*)*|)" + Tail;
    private const string Relative = "(?://" + Authority + "(?:/" + PChar + "*)*|/(?:" + PChar + "+(?:/" + PChar + "*)*)?|(?:[A-Za-z0-9._~!$&'()*+,;=@-]|" + Hex + ")+(?:/" + PChar + "*)*|)" + Tail;

    private static readonly Regex AbsolutePattern = new("^" + Absolute + @"\z", RegexOptions.CultureInvariant | RegexOptions.NonBacktracking);

    private static readonly Regex ReferencePattern = new("^(?:" + Absolute + "|" + Relative + @")\z", RegexOptions.CultureInvariant | RegexOptions.NonBacktracking);

    public static bool IsUri(ReadOnlySpan<char> value) => AbsolutePattern.IsMatch(value) && HasValidIPLiteral(value);

    public static bool IsUriReference(ReadOnlySpan<char> value) => ReferencePattern.IsMatch(value) && HasValidIPLiteral(value);

    private static bool HasValidIPLiteral(ReadOnlySpan<char> value)
    {
        var open = value.IndexOf("//[", StringComparison.Ordinal);
        if (open < 0)
        {
            return true;
        }

        var rest = value[(open + 3)..];
        var close = rest.IndexOf(']');
        // "v" of IPvFuture is case-insensitive, as every literal of the RFC 3986 grammar.
        return close >= 0 && (rest[0] is 'v' or 'V' || IpFormat.IsIPv6(rest[..close]));
    }
}
