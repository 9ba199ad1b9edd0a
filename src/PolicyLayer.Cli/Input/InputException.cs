namespace PolicyLayer.Cli.Input;

/// <summary>
/// Invalid input that stops a command (exit 2): an unreadable file, a policy that does not load, a bad value.
/// Each line is already formatted as <c>file:line:col: error CODE: message</c>.
/// </summary>
internal sealed class InputException : Exception
{
    public InputException(IReadOnlyList<string> lines)
        : base(string.Join(Environment.NewLine, lines))
    {
        Lines = lines;
    }

    public InputException(string line)
        : this([line])
    {
    }

    public InputException()
        : this([])
    {
    }

    public InputException(string message, Exception innerException)
        : base(message, innerException)
    {
        Lines = [message];
    }

    public IReadOnlyList<string> Lines { get; }
}
