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

    private static bool IsRegex(ReadOnlySpan<char> value) =>
        Keywords.EcmaRegex.TryCreate(value.ToString(), TimeSpan.FromMilliseconds(100), out _, out _);
}

/// <summary>RFC 3339 full-date, full-time and date-time.</summary>
internal static class DateTimeFormat
{
    public static bool IsDate(ReadOnlySpan<char> value) => value.Length == 10 && TryDate(value, out _, out _, out _);

    public static bool IsTime(ReadOnlySpan<char> value) => TryTime(value);

    public static bool IsDateTime(ReadOnlySpan<char> value) =>
        value.Length > 11 && value[10] is 'T' or 't' && IsDate(value[..10]) && TryTime(value[11..]);

    private static bool TryDate(ReadOnlySpan<char> value, out int year, out int month, out int day)
    {
        year = month = day = 0;
        if (value[4] != '-' || value[7] != '-' || !Digits(value[..4], out year) || !Digits(value.Slice(5, 2), out month) || !Digits(value.Slice(8, 2), out day))
        {
            return false;
        }

        return month is >= 1 and <= 12 && day >= 1 && day <= DateTime.DaysInMonth(Math.Max(year, 1), month);
    }

    private static bool TryTime(ReadOnlySpan<char> value)
    {
        // time-hour ":" time-minute ":" time-second [time-secfrac] time-offset
        if (value.Length < 9 || value[2] != ':' || value[5] != ':' || !Digits(value[..2], out var hour) || !Digits(value.Slice(3, 2), out var minute)
            || !Digits(value.Slice(6, 2), out var second) || hour > 23 || minute > 59 || second > 60)
        {
            return false;
        }

        var i = 8;
        if (value[i] == '.')
        {
            var start = ++i;
            while (i < value.Length && char.IsAsciiDigit(value[i]))
            {
                i++;
            }

            if (i == start)
            {
                return false;
            }
        }

        if (i >= value.Length)
        {
            return false;
        }

        int offsetMinutes;
        if (value[i] is 'Z' or 'z')
        {
            if (i + 1 != value.Length)
            {
                return false;
            }

            offsetMinutes = 0;
        }
        else if (value[i] is '+' or '-')
        {
            var offset = value[(i + 1)..];
            if (offset.Length != 5 || offset[2] != ':' || !Digits(offset[..2], out var offsetHour) || !Digits(offset.Slice(3, 2), out var offsetMinute)
                || offsetHour > 23 || offsetMinute > 59)
            {
                return false;
            }

            offsetMinutes = (value[i] == '+' ? 1 : -1) * ((offsetHour * 60) + offsetMinute);
        }
        else
        {
            return false;
        }

        if (second == 60)
        {
            // A leap second is only ever 23:59:60 UTC.
            var utc = (((hour * 60) + minute - offsetMinutes) % 1440 + 1440) % 1440;
            return utc == (23 * 60) + 59;
        }

        return true;
    }

    private static bool Digits(ReadOnlySpan<char> text, out int value)
    {
        value = 0;
        foreach (var c in text)
        {
            if (!char.IsAsciiDigit(c))
            {
                return false;
            }

            value = (value * 10) + (c - '0');
        }

        return text.Length > 0;
    }
}

/// <summary>ISO 8601 durations as RFC 3339 appendix A writes them.</summary>
internal static class DurationFormat
{
    private static readonly Regex Pattern = new(@"^P(?:(?:[0-9]+Y(?:[0-9]+M(?:[0-9]+D)?)?|[0-9]+M(?:[0-9]+D)?|[0-9]+D)(?:T(?:[0-9]+H(?:[0-9]+M(?:[0-9]+S)?)?|[0-9]+M(?:[0-9]+S)?|[0-9]+S))?|T(?:[0-9]+H(?:[0-9]+M(?:[0-9]+S)?)?|[0-9]+M(?:[0-9]+S)?|[0-9]+S)|[0-9]+W)\z", RegexOptions.CultureInvariant | RegexOptions.NonBacktracking);

    public static bool IsDuration(ReadOnlySpan<char> value) => Pattern.IsMatch(value);
}

/// <summary>RFC 1123 host names (each label 1–63 letters, digits or hyphens, not starting or ending with a hyphen).</summary>
internal static class HostnameFormat
{
    public static bool IsHostname(ReadOnlySpan<char> value)
    {
        if (value.Length == 0 || value.Length > 253)
        {
            return false;
        }

        if (value[^1] == '.')
        {
            value = value[..^1]; // a fully qualified name may end with a dot
        }

        foreach (var label in new SpanSplitter(value, '.'))
        {
            if (label.Length is 0 or > 63 || label[0] == '-' || label[^1] == '-')
            {
                return false;
            }

            foreach (var c in label)
            {
                if (!char.IsAsciiLetterOrDigit(c) && c != '-')
                {
                    return false;
                }
            }

            // "xn--" marks a punycode A-label; other labels may not have hyphens in positions 3 and 4.
            if (label.Length >= 4 && label[2] == '-' && label[3] == '-' && !label.StartsWith("xn--", StringComparison.OrdinalIgnoreCase))
            {
                return false;
            }
        }

        return true;
    }
}

/// <summary>RFC 5321 mailbox addresses (dot-atom or quoted local part; host name or address literal domain).</summary>
internal static class EmailFormat
{
    public static bool IsEmail(ReadOnlySpan<char> value)
    {
        var at = value.LastIndexOf('@');
        if (at <= 0 || at == value.Length - 1)
        {
            return false;
        }

        var local = value[..at];
        var domain = value[(at + 1)..];
        return IsLocalPart(local) && IsDomain(domain);
    }

    private static bool IsLocalPart(ReadOnlySpan<char> local)
    {
        if (local.Length >= 2 && local[0] == '"' && local[^1] == '"')
        {
            var inner = local[1..^1];
            for (var i = 0; i < inner.Length; i++)
            {
                var c = inner[i];
                if (c == '\\')
                {
                    i++;
                    if (i >= inner.Length || inner[i] < 32 || inner[i] > 126)
                    {
                        return false;
                    }
                }
                else if (c == '"' || c < 32 || c > 126)
                {
                    return false;
                }
            }

            return true;
        }

        if (local[0] == '.' || local[^1] == '.' || local.Contains("..", StringComparison.Ordinal))
        {
            return false;
        }

        foreach (var c in local)
        {
            if (!char.IsAsciiLetterOrDigit(c) && "!#$%&'*+-/=?^_`{|}~.".IndexOf(c) < 0)
            {
                return false;
            }
        }

        return true;
    }

    private static bool IsDomain(ReadOnlySpan<char> domain)
    {
        if (domain[0] == '[' && domain[^1] == ']')
        {
            var literal = domain[1..^1];
            return literal.StartsWith("IPv6:", StringComparison.OrdinalIgnoreCase)
                ? IpFormat.IsIPv6(literal[5..])
                : IpFormat.IsIPv4(literal);
        }

        return HostnameFormat.IsHostname(domain);
    }
}

/// <summary>IPv4 dotted-quad (RFC 2673 §3.2: no leading zeros) and IPv6 (RFC 4291 §2.2) addresses.</summary>
internal static class IpFormat
{
    public static bool IsIPv4(ReadOnlySpan<char> value)
    {
        var parts = 0;
        foreach (var part in new SpanSplitter(value, '.'))
        {
            parts++;
            if (parts > 4 || part.Length is 0 or > 3 || (part.Length > 1 && part[0] == '0'))
            {
                return false;
            }

            var number = 0;
            foreach (var c in part)
            {
                if (!char.IsAsciiDigit(c))
                {
                    return false;
                }

                number = (number * 10) + (c - '0');
            }

            if (number > 255)
            {
                return false;
            }
        }

        return parts == 4;
    }

    public static bool IsIPv6(ReadOnlySpan<char> value)
    {
        if (value.Length < 2)
        {
            return false;
        }

        var doubleColon = value.IndexOf("::", StringComparison.Ordinal);
        if (doubleColon >= 0 && value[(doubleColon + 1)..].IndexOf("::", StringComparison.Ordinal) >= 0)
        {
            return false;
        }

        if (doubleColon < 0)
        {
            return CountGroups(value, allowIPv4Tail: true) == 8;
        }

        var head = value[..doubleColon];
        var tail = value[(doubleColon + 2)..];
        var headCount = head.Length == 0 ? 0 : CountGroups(head, allowIPv4Tail: false);
        var tailCount = tail.Length == 0 ? 0 : CountGroups(tail, allowIPv4Tail: true);
        return headCount >= 0 && tailCount >= 0 && headCount + tailCount <= 7;
    }

    // The number of 16-bit groups, an IPv4 tail counting as two; -1 when malformed.
    private static int CountGroups(ReadOnlySpan<char> value, bool allowIPv4Tail)
    {
        var count = 0;
        var segments = 0;
        var total = value.Count(':') + 1;
        foreach (var group in new SpanSplitter(value, ':'))
        {
            segments++;
            if (allowIPv4Tail && segments == total && group.Contains('.'))
            {
                if (!IsIPv4(group))
                {
                    return -1;
                }

                count += 2;
                continue;
            }

            if (group.Length is 0 or > 4)
            {
                return -1;
            }

            foreach (var c in group)
            {
                if (!char.IsAsciiHexDigit(c))
                {
                    return -1;
                }
            }

            count++;
        }

        return count;
    }
}

/// <summary>RFC 3986 URIs and URI references, checked against the grammar.</summary>
internal static class UriFormat
{
    private const string Hex = "%[0-9A-Fa-f]{2}";
    private const string PChar = "(?:[A-Za-z0-9._~!$&'()*+,;=:@-]|" + Hex + ")";
    private const string Authority = "(?:(?:[A-Za-z0-9._~!$&'()*+,;=:-]|" + Hex + ")*@)?"
        + @"(?:\[(?:[0-9A-Fa-f:.]+|v[0-9A-Fa-f]+\.[A-Za-z0-9._~!$&'()*+,;=:-]+)\]|(?:[A-Za-z0-9._~!$&'()*+,;=-]|" + Hex + ")*)"
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
        return close >= 0 && (rest[0] == 'v' || IpFormat.IsIPv6(rest[..close]));
    }
}

/// <summary>Splits text on a separator without allocating (what MemoryExtensions.Split does on newer frameworks).</summary>
internal ref struct SpanSplitter
{
    private readonly char _separator;
    private ReadOnlySpan<char> _rest;
    private bool _done;

    public SpanSplitter(ReadOnlySpan<char> text, char separator)
    {
        _rest = text;
        _separator = separator;
        _done = false;
        Current = default;
    }

    public ReadOnlySpan<char> Current { get; private set; }

    public readonly SpanSplitter GetEnumerator() => this;

    public bool MoveNext()
    {
        if (_done)
        {
            return false;
        }

        var index = _rest.IndexOf(_separator);
        if (index < 0)
        {
            Current = _rest;
            _done = true;
        }
        else
        {
            Current = _rest[..index];
            _rest = _rest[(index + 1)..];
        }

        return true;
    }
}
