using System.Text.RegularExpressions;

namespace PolicyLayer.Schema.Formats;

/// <summary>Checks that a string is a valid instance of a format.</summary>
internal delegate bool FormatChecker(ReadOnlySpan<char> value);

/// <summary>The formats that can assert (RFC 3339, RFC 5321/1123, RFC 3986, RFC 4122, RFC 6901, ECMA-262).</summary>
internal static class FormatCheckers
{
    private static readonly Dictionary<string, FormatChecker> Checkers = new(StringComparer.Ordinal)
    {
        ["date-time"] = DateTimeFormat.IsDateTime,
        ["date"] = DateTimeFormat.IsDate,
        ["time"] = DateTimeFormat.IsTime,
        ["duration"] = DurationFormat.IsDuration,
        ["email"] = EmailFormat.IsEmail,
        ["hostname"] = HostnameFormat.IsHostname,
        ["ipv4"] = IpFormat.IsIPv4,
        ["ipv6"] = IpFormat.IsIPv6,
        ["uri"] = UriFormat.IsUri,
        ["uri-reference"] = UriFormat.IsUriReference,
        ["uuid"] = IsUuid,
        ["json-pointer"] = IsJsonPointer,
        ["relative-json-pointer"] = IsRelativeJsonPointer,
        ["regex"] = IsRegex,
    };

    public static bool TryGet(string format, out FormatChecker checker) => Checkers.TryGetValue(format, out checker!);

    private static bool IsUuid(ReadOnlySpan<char> value)
    {
        if (value.Length != 36)
        {
            return false;
        }

        for (var i = 0; i < value.Length; i++)
        {
            var hyphen = i is 8 or 13 or 18 or 23;
            if (hyphen ? value[i] != '-' : !char.IsAsciiHexDigit(value[i]))
            {
                return false;
            }
        }

        return true;
    }

    private static bool IsJsonPointer(ReadOnlySpan<char> value)
    {
        if (value.Length > 0 && value[0] != '/')
        {
            return false;
        }

        for (var i = 0; i < value.Length; i++)
        {
            if (value[i] == '~' && (i + 1 >= value.Length || value[i + 1] is not ('0' or '1')))
            {
                return false;
            }
        }

        return true;
    }

    private static bool IsRelativeJsonPointer(ReadOnlySpan<char> value)
    {
        // non-negative-integer, then "#" or a JSON Pointer (draft-handrews-relative-json-pointer-01).
        var digits = 0;
        while (digits < value.Length && char.IsAsciiDigit(value[digits]))
        {
            digits++;
        }

        if (digits == 0 || (digits > 1 && value[0] == '0'))
        {
            return false;
        }

        var rest = value[digits..];
        return rest.SequenceEqual("#") || IsJsonPointer(rest);
    }

    // A pattern this long is not accepted: checking it is linear in its length, but the value comes from the caller.
    private const int MaxRegexLength = 10_000;

    // Only the syntax is checked, and nothing is kept: the value comes from the caller, and the shared regex cache
    // (meant for the patterns of schemas and policies) would keep every pattern ever sent.
    private static bool IsRegex(ReadOnlySpan<char> value) =>
        value.Length <= MaxRegexLength && Keywords.EcmaRegex.IsValidSyntax(value.ToString());
}
