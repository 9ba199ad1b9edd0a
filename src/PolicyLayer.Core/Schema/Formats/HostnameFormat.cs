namespace PolicyLayer.Schema.Formats;

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
