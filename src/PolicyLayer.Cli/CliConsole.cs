namespace PolicyLayer.Cli;

/// <summary>Where the commands write, and whether they may use colors.</summary>
internal sealed class CliConsole
{
    public CliConsole(TextWriter output, TextWriter error, bool useColor)
    {
        Out = output;
        Error = error;
        UseColor = useColor;
    }

    public TextWriter Out { get; }

    public TextWriter Error { get; }

    /// <summary>Colors only on a terminal, and never when NO_COLOR is set (https://no-color.org).</summary>
    public bool UseColor { get; }

    public static CliConsole FromProcess()
    {
        var noColor = !string.IsNullOrEmpty(Environment.GetEnvironmentVariable("NO_COLOR"));
        var output = new StreamWriter(Console.OpenStandardOutput(), new System.Text.UTF8Encoding(false)) { AutoFlush = false, NewLine = "\n" };
        var error = new StreamWriter(Console.OpenStandardError(), new System.Text.UTF8Encoding(false)) { AutoFlush = false, NewLine = "\n" };
        return new CliConsole(output, error, useColor: !noColor && !Console.IsOutputRedirected);
    }

    public string Red(string text) => Paint(text, "31");

    public string Yellow(string text) => Paint(text, "33");

    public string Green(string text) => Paint(text, "32");

    public string Dim(string text) => Paint(text, "2");

    public string Bold(string text) => Paint(text, "1");

    private string Paint(string text, string code) => UseColor ? $"\u001b[{code}m{text}\u001b[0m" : text;
}
