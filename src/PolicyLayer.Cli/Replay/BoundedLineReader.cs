using System.Text;

namespace PolicyLayer.Cli.Replay;

/// <summary>
/// Reads lines, refusing (but skipping past) a line longer than a bound, so that one huge line cannot exhaust
/// memory. Accepts \n and \r\n endings.
/// </summary>
internal sealed class BoundedLineReader
{
    /// <summary>The longest line read, in characters (1 MiB of text).</summary>
    public const int DefaultMaxLineChars = 1024 * 1024;

    private readonly TextReader _reader;
    private readonly int _maxChars;
    private readonly StringBuilder _line = new();

    public BoundedLineReader(TextReader reader, int maxChars = DefaultMaxLineChars)
    {
        _reader = reader;
        _maxChars = maxChars;
    }

    /// <summary>Reads the next line.</summary>
    /// <returns><see langword="false"/> at the end; otherwise the line, or <see langword="null"/> with <paramref name="tooLong"/> set.</returns>
    public bool TryRead(out string? line, out bool tooLong)
    {
        _line.Clear();
        tooLong = false;
        var any = false;
        int c;
        while ((c = _reader.Read()) >= 0)
        {
            any = true;
            if (c == '\n')
            {
                break;
            }

            if (tooLong)
            {
                continue;
            }

            if (_line.Length >= _maxChars)
            {
                tooLong = true;
                _line.Clear();
                continue;
            }

            _line.Append((char)c);
        }

        if (!any)
        {
            line = null;
            return false;
        }

        if (_line.Length > 0 && _line[^1] == '\r')
        {
            _line.Length--;
        }

        line = tooLong ? null : _line.ToString();
        return true;
    }
}
