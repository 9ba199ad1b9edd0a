namespace PolicyLayer.Cli.Input;

/// <summary>Shortens System.Text.Json's exception messages to what a reader needs.</summary>
internal static class JsonMessages
{
    /// <summary>Drops the trailing " LineNumber: .. | BytePositionInLine: .." (the position is reported separately).</summary>
    public static string Clean(string message)
    {
        var cut = message.IndexOf(" LineNumber:", StringComparison.Ordinal);
        var text = cut >= 0 ? message[..cut] : message;
        return text.TrimEnd().TrimEnd('.');
    }
}
