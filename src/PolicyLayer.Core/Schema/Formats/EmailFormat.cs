namespace PolicyLayer.Schema.Formats;

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
