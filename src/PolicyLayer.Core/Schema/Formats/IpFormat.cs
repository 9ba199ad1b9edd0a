namespace PolicyLayer.Schema.Formats;

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
