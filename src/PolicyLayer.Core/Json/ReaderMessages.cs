namespace PolicyLayer.Json;

/// <summary>System.Text.Json's parse error messages, shortened to one line a reader can act on.</summary>
internal static class ReaderMessages
{
    // How much of a quoted fragment of the input a message keeps.
    private const int MaxQuoted = 24;

    /// <summary>
    /// Drops the trailing <c>LineNumber: n | BytePositionInLine: m.</c> (errors show the position themselves) and cuts
    /// the input the reader quotes to its start: for an invalid literal it quotes everything after it, which can be
    /// the rest of the file, newlines included, and would break the one-line-per-error form.
    /// </summary>
    public static string Clean(string message)
    {
        var cut = message.IndexOf(" LineNumber:", StringComparison.Ordinal);
        var text = (cut >= 0 ? message[..cut] : message).TrimEnd().TrimEnd('.');
        var close = text.IndexOf("' is ", StringComparison.Ordinal);
        if (text.StartsWith('\'') && close > 0)
        {
            var quoted = text[1..close];
            var end = quoted.IndexOfAny(['\r', '\n']);
            var shown = end >= 0 ? quoted[..end] : quoted;
            if (shown.Length > MaxQuoted || shown.Length < quoted.Length)
            {
                text = string.Concat("'", shown.AsSpan(0, Math.Min(shown.Length, MaxQuoted)), "…", text.AsSpan(close));
            }
        }

        return text.Replace('\n', ' ').Replace('\r', ' ');
    }
}
