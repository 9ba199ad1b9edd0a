using System.Globalization;
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

        return month is >= 1 and <= 12 && day >= 1 && day <= DaysInMonth(year, month);
    }

    // RFC 3339 Appendix C: a leap year is divisible by 4, and not by 100 unless by 400, which makes year 0000 one
    // (DateTime starts at year 1).
    private static int DaysInMonth(int year, int month)
    {
        var leap = year % 4 == 0 && (year % 100 != 0 || year % 400 == 0);
        return month == 2 ? (leap ? 29 : 28) : DateTime.DaysInMonth(2001, month);
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

/// <summary>
/// RFC 1123 host names: each label 1–63 letters, digits or hyphens, not starting or ending with a hyphen, 253
/// characters at most. A-labels ("xn--") must decode (RFC 3492) to a valid IDNA2008 U-label (RFC 5891, 5892).
/// </summary>
internal static class HostnameFormat
{
    public static bool IsHostname(ReadOnlySpan<char> value)
    {
        if (value.Length == 0 || value.Length > 253)
        {
            return false;
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

            if (label.Length >= 4 && label[2] == '-' && label[3] == '-')
            {
                // Hyphens in positions 3 and 4 are reserved for "xn--" A-labels.
                if (!label.StartsWith("xn--", StringComparison.OrdinalIgnoreCase) || !Idna.IsValidALabel(label[4..]))
                {
                    return false;
                }
            }
        }

        return true;
    }
}

/// <summary>Punycode decoding and the IDNA2008 rules a decoded label must follow.</summary>
internal static class Idna
{
    private const int Base = 36;
    private const int TMin = 1;
    private const int TMax = 26;

    public static bool IsValidALabel(ReadOnlySpan<char> encoded)
    {
        Span<int> buffer = stackalloc int[64];
        return TryDecode(encoded, buffer, out var length) && IsValidULabel(buffer[..length]);
    }

    private static bool TryDecode(ReadOnlySpan<char> input, Span<int> output, out int length)
    {
        length = 0;
        var delimiter = input.LastIndexOf('-');
        if (delimiter > 0)
        {
            foreach (var c in input[..delimiter])
            {
                if (length >= output.Length)
                {
                    return false;
                }

                output[length++] = c;
            }
        }

        long n = 128;
        long i = 0;
        var bias = 72;
        var position = delimiter > 0 ? delimiter + 1 : 0;
        if (position >= input.Length)
        {
            return false;
        }

        while (position < input.Length)
        {
            var oldI = i;
            long w = 1;
            for (var k = Base; ; k += Base)
            {
                if (position >= input.Length)
                {
                    return false;
                }

                var digit = Digit(input[position++]);
                if (digit < 0)
                {
                    return false;
                }

                i += digit * w;
                var t = k <= bias ? TMin : k >= bias + TMax ? TMax : k - bias;
                if (digit < t)
                {
                    break;
                }

                w *= Base - t;
                if (i > int.MaxValue || w > int.MaxValue)
                {
                    return false;
                }
            }

            bias = Adapt(i - oldI, length + 1, oldI == 0);
            n += i / (length + 1);
            i %= length + 1;
            if (n > 0x10FFFF || length >= output.Length)
            {
                return false;
            }

            output[(int)i..length].CopyTo(output[((int)i + 1)..]);
            output[(int)i] = (int)n;
            length++;
            i++;
        }

        return true;
    }

    private static int Digit(char c) => c switch
    {
        >= 'a' and <= 'z' => c - 'a',
        >= 'A' and <= 'Z' => c - 'A',
        >= '0' and <= '9' => c - '0' + 26,
        _ => -1,
    };

    private static int Adapt(long delta, int points, bool first)
    {
        delta = first ? delta / 700 : delta / 2;
        delta += delta / points;
        var k = 0;
        while (delta > ((Base - TMin) * TMax) / 2)
        {
            delta /= Base - TMin;
            k += Base;
        }

        return (int)(k + (((Base - TMin + 1) * delta) / (delta + 38)));
    }

    private static bool IsValidULabel(ReadOnlySpan<int> label)
    {
        if (label.Length == 0 || (label.Length >= 4 && label[2] == '-' && label[3] == '-') || IsMark(label[0]))
        {
            return false;
        }

        bool arabicIndic = false, extendedArabicIndic = false, japanese = false, katakanaDot = false;
        for (var i = 0; i < label.Length; i++)
        {
            var c = label[i];
            var previous = i > 0 ? label[i - 1] : -1;
            var next = i + 1 < label.Length ? label[i + 1] : -1;
            switch (c)
            {
                case 0x00B7 when previous != 'l' || next != 'l': // MIDDLE DOT
                case 0x0375 when !IsGreek(next): // GREEK KERAIA
                case 0x05F3 or 0x05F4 when !IsHebrew(previous): // GERESH, GERSHAYIM
                case 0x200D when !IsVirama(previous): // ZERO WIDTH JOINER
                case 0x200C when !IsVirama(previous) && !(IsJoining(previous) && IsJoining(next)): // ZERO WIDTH NON-JOINER
                case 0x0640 or 0x07FA or 0x302E or 0x302F or (>= 0x3031 and <= 0x3035) or 0x303B: // DISALLOWED exceptions
                    return false;
                case 0x30FB:
                    katakanaDot = true;
                    break;
            }

            arabicIndic |= c is >= 0x0660 and <= 0x0669;
            extendedArabicIndic |= c is >= 0x06F0 and <= 0x06F9;
            japanese |= (c is >= 0x3040 and <= 0x30FF && c != 0x30FB) || c is (>= 0x3400 and <= 0x4DBF) or (>= 0x4E00 and <= 0x9FFF) or (>= 0x20000 and <= 0x3134F);
            if (c != '-' && c is not (0x00B7 or 0x0375 or 0x05F3 or 0x05F4 or 0x200C or 0x200D or 0x30FB) && !IsLetterDigitOrMark(c))
            {
                return false;
            }
        }

        return !(arabicIndic && extendedArabicIndic) && (!katakanaDot || japanese);
    }

    private static bool IsLetterDigitOrMark(int c)
    {
        var category = CharUnicodeInfo.GetUnicodeCategory(c);
        return category is UnicodeCategory.LowercaseLetter or UnicodeCategory.OtherLetter or UnicodeCategory.ModifierLetter
            or UnicodeCategory.DecimalDigitNumber or UnicodeCategory.NonSpacingMark or UnicodeCategory.SpacingCombiningMark
            || (category == UnicodeCategory.UppercaseLetter && c < 0x80) // ASCII case is folded by the DNS
            || c is 0x00DF or 0x03C2 or 0x06FD or 0x06FE or 0x0F0B or 0x3007; // PVALID exceptions
    }

    private static bool IsMark(int c) => CharUnicodeInfo.GetUnicodeCategory(c) is UnicodeCategory.NonSpacingMark
        or UnicodeCategory.SpacingCombiningMark or UnicodeCategory.EnclosingMark;

    private static bool IsGreek(int c) => c is (>= 0x0370 and <= 0x03FF) or (>= 0x1F00 and <= 0x1FFF);

    private static bool IsHebrew(int c) => c is >= 0x0590 and <= 0x05FF;

    private static bool IsJoining(int c) => c is (>= 0x0620 and <= 0x064A) or (>= 0x066E and <= 0x06D3) or (>= 0x0710 and <= 0x074F);

    // Characters of canonical combining class 9 (virama) in the common Indic scripts.
    private static bool IsVirama(int c) => c is 0x094D or 0x09CD or 0x0A4D or 0x0ACD or 0x0B4D or 0x0BCD or 0x0C4D or 0x0CCD
        or 0x0D3B or 0x0D3C or 0x0D4D or 0x0DCA or 0x0E3A or 0x0EBA or 0x0F84 or 0x1039 or 0x103A or 0x1714 or 0x1734 or 0x17D2
        or 0x1A60 or 0x1B44 or 0x1BAA or 0x1BAB or 0x1BF2 or 0x1BF3 or 0x2D7F or 0xA806 or 0xA8C4 or 0xA953 or 0xA9C0 or 0xAAF6 or 0xABED;
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

        // RFC 5321 §4.5.3.1: a local part of at most 64 octets, and a path of at most 256 (so 254 for the address).
        const int MaxLocalPart = 64;
        const int MaxAddress = 254;
        var local = value[..at];
        var domain = value[(at + 1)..];
        return local.Length <= MaxLocalPart && value.Length <= MaxAddress && IsLocalPart(local) && IsDomain(domain);
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
