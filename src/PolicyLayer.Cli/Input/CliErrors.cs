namespace PolicyLayer.Cli.Input;

/// <summary>Codes of the errors the tool itself reports (the policy's own errors keep the loader's PL codes).</summary>
internal static class CliErrors
{
    /// <summary>A file cannot be read.</summary>
    public const string Unreadable = "CLI001";

    /// <summary>A file is not the JSON it should be (a tools list, a test file).</summary>
    public const string BadFile = "CLI002";

    /// <summary>A command-line value is not valid (for example <c>--args</c> that is not a JSON object).</summary>
    public const string BadArgument = "CLI003";

    /// <summary>Formats an error the way the policy loader does: <c>file:line:col: error CODE: message (at pointer)</c>, on one line.</summary>
    public static string Format(string file, int line, int column, string code, string message, string? pointer = null) =>
        $"{file}:{line}:{column}: error {code}: {PolicyLayer.Policies.ErrorLines.Escape(message)}" + (pointer is null ? string.Empty : $" (at {(pointer.Length == 0 ? "/" : PolicyLayer.Policies.ErrorLines.Escape(pointer))})");
}
