namespace PolicyLayer.Cli.Input;

/// <summary>Shortens System.Text.Json's exception messages to what a reader needs.</summary>
internal static class JsonMessages
{
    /// <summary>One line without the reader's own position (reported separately) and with the input it quotes cut short.</summary>
    public static string Clean(string message) => PolicyLayer.Json.ReaderMessages.Clean(message);
}
