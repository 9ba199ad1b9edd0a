using System.Globalization;
using System.Text;

namespace PolicyLayer.Policies;

/// <summary>Keeps an error, a warning or a row of output that quotes its input on one line.</summary>
internal static class ErrorLines
{
    /// <summary>
    /// The text with every control character written as an escape (<c>\n</c>, <c>\t</c>, <c>\u001b</c>): an error that
    /// quotes a name, a pattern or a value from the input then stays on its line (one error per line is what editors
    /// and CI logs parse), and cannot carry a terminal's escape sequences.
    /// </summary>
    public static string Escape(string text)
    {
        if (!text.AsSpan().ContainsAnyInRange('\0', '\u001f') && !text.Contains('\u007f', StringComparison.Ordinal))
        {
            return text;
        }

        var builder = new StringBuilder(text.Length + 8);
        foreach (var c in text)
        {
            _ = c switch
            {
                '\n' => builder.Append("\\n"),
                '\r' => builder.Append("\\r"),
                '\t' => builder.Append("\\t"),
                < ' ' or '\u007f' => builder.Append("\\u").Append(((int)c).ToString("x4", CultureInfo.InvariantCulture)),
                _ => builder.Append(c),
            };
        }

        return builder.ToString();
    }
}
