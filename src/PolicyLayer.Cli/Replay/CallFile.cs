using PolicyLayer.Cli.Input;

namespace PolicyLayer.Cli.Replay;

/// <summary>One non-blank line of a calls file: the call, or why the line is malformed.</summary>
internal readonly record struct CallFileLine(int Number, CallLine? Call, string? Error);

/// <summary>Reads a JSON Lines file of recorded calls (<c>-</c> is standard input). Blank lines are skipped.</summary>
internal static class CallFile
{
    public static TextReader Open(string path)
    {
        if (path == "-")
        {
            return Console.In;
        }

        try
        {
            return new StreamReader(path);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            throw new InputException(CliErrors.Format(path, 0, 0, CliErrors.Unreadable, $"cannot read the file: {ex.Message}"));
        }
    }

    public static IEnumerable<CallFileLine> Read(TextReader reader)
    {
        var lines = new BoundedLineReader(reader);
        var number = 0;
        while (lines.TryRead(out var text, out var tooLong))
        {
            number++;
            if (tooLong)
            {
                yield return new CallFileLine(number, null, $"line {number}: longer than {BoundedLineReader.DefaultMaxLineChars} characters; the line was skipped");
                continue;
            }

            if (string.IsNullOrWhiteSpace(text))
            {
                continue;
            }

            var call = CallLineParser.ParseLine(text, out var error);
            yield return new CallFileLine(number, call, call is null ? $"line {number}: {error}" : null);
        }
    }
}
