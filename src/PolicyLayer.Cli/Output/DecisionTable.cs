using System.Globalization;
using PolicyLayer.Cli.Replay;
using PolicyLayer.Policies;

namespace PolicyLayer.Cli.Output;

/// <summary>Replay decisions as an aligned text table, one row per line of the calls file.</summary>
internal sealed class DecisionTable
{
    private readonly CliConsole _console;
    private readonly List<string[]> _rows = [];

    public DecisionTable(CliConsole console) => _console = console;

    // Tool names and messages come from recorded calls, which an agent wrote: control characters in them are shown as
    // escapes, so that a row stays one line and the terminal never receives an escape sequence from the file.
    public void Add(int line, CallLine call, DecisionRecord decision) =>
        _rows.Add([
            line.ToString(CultureInfo.InvariantCulture),
            call.At is { } at ? at.ToString("yyyy-MM-dd'T'HH:mm:ssK", CultureInfo.InvariantCulture) : "",
            ErrorLines.Escape(call.Tool),
            decision.Decision,
            ErrorLines.Escape(decision.Rule),
            decision.RetryAfterSeconds is { } s ? s.ToString(CultureInfo.InvariantCulture) + "s" : "",
            ErrorLines.Escape(decision.Message),
        ]);

    public void AddError(int line, string error) =>
        _rows.Add([line.ToString(CultureInfo.InvariantCulture), "", "", "error", "", "", ErrorLines.Escape(error)]);

    public void Write()
    {
        string[] header = ["LINE", "AT", "TOOL", "DECISION", "RULE", "RETRY", "MESSAGE"];
        var widths = new int[header.Length - 1];
        foreach (var row in _rows.Prepend(header))
        {
            for (var i = 0; i < widths.Length; i++)
            {
                widths[i] = Math.Max(widths[i], row[i].Length);
            }
        }

        foreach (var row in _rows.Prepend(header))
        {
            var cells = new string[row.Length];
            for (var i = 0; i < row.Length; i++)
            {
                var cell = i < widths.Length ? row[i].PadRight(widths[i]) : row[i];
                cells[i] = i == 3 && !ReferenceEquals(row, header) ? Paint(row[3], cell) : cell;
            }

            _console.Out.WriteLine(string.Join("  ", cells).TrimEnd());
        }
    }

    private string Paint(string decision, string cell) => decision switch
    {
        "allow" => _console.Green(cell),
        "deny" or "error" => _console.Red(cell),
        _ => _console.Yellow(cell),
    };
}
