using System.Globalization;
using System.Text.Json;
using PolicyLayer.Cli.Input;
using PolicyLayer.Json;

namespace PolicyLayer.Cli.Replay;

/// <summary>
/// Reads recorded calls. Unknown fields are errors (a misspelt <c>args</c> must not silently replay a call
/// without arguments), except names starting with <c>x-</c>, which are kept for notes.
/// </summary>
internal static class CallLineParser
{
    /// <summary>Nesting deeper than this is refused, as the core refuses over-deep arguments.</summary>
    public const int MaxDepth = 64;

    private static readonly JsonDocumentOptions Options = new() { MaxDepth = MaxDepth };

    /// <summary>Parses one line of a replay file.</summary>
    /// <returns>The call, or <see langword="null"/> with the reason in <paramref name="error"/>.</returns>
    public static CallLine? ParseLine(string line, out string? error)
    {
        JsonDocument document;
        try
        {
            document = JsonDocument.Parse(line, Options);
        }
        catch (JsonException ex)
        {
            error = $"not valid JSON at column {(ex.BytePositionInLine ?? 0) + 1}: {ReaderMessages.Clean(ex.Message)}";
            return null;
        }

        using (document)
        {
            try
            {
                return Parse(document.RootElement, out error);
            }
            catch (InvalidOperationException)
            {
                // Valid JSON, but a name or string escapes a lone surrogate: no .NET string can be read from it.
                error = "a field name or string escapes a lone surrogate (such as \\ud800), which is not Unicode text; write the character itself, or both halves of its surrogate pair";
                return null;
            }
        }
    }

    /// <summary>Reads a call from a JSON object; the result's elements are cloned, so the document may be disposed.</summary>
    public static CallLine? Parse(JsonElement call, out string? error)
    {
        error = null;
        if (call.ValueKind != JsonValueKind.Object)
        {
            error = $"a call must be a JSON object like {{\"tool\": \"name\", \"args\": {{}}}}, not {Kind(call.ValueKind)}";
            return null;
        }

        string? tool = null;
        JsonElement arguments = EmptyObject;
        string? grant = null, session = null;
        JsonElement? caller = null;
        DateTimeOffset? at = null;
        var failed = false;
        foreach (var property in call.EnumerateObject())
        {
            var value = property.Value;
            switch (property.Name)
            {
                case "tool":
                    if (value.ValueKind != JsonValueKind.String || value.GetString()!.Length == 0)
                    {
                        error = $"'tool' must be a non-empty string, not {Kind(value.ValueKind)}";
                        return null;
                    }

                    tool = value.GetString();
                    break;
                case "args":
                    if (value.ValueKind != JsonValueKind.Object)
                    {
                        error = $"'args' must be an object, not {Kind(value.ValueKind)}";
                        return null;
                    }

                    arguments = value.Clone();
                    break;
                case "grant":
                case "session":
                    if (value.ValueKind is not (JsonValueKind.String or JsonValueKind.Null))
                    {
                        error = $"'{property.Name}' must be a string or null, not {Kind(value.ValueKind)}";
                        return null;
                    }

                    if (property.Name == "grant")
                    {
                        grant = value.GetString();
                    }
                    else
                    {
                        session = value.GetString();
                    }

                    break;
                case "caller":
                    if (value.ValueKind != JsonValueKind.Object)
                    {
                        error = $"'caller' must be an object of the caller's attributes, not {Kind(value.ValueKind)}";
                        return null;
                    }

                    caller = value.Clone();
                    break;
                case "at":
                    if (value.ValueKind != JsonValueKind.String || !Rfc3339.TryParse(value.GetString()!, out var time))
                    {
                        error = $"'at' must be an RFC 3339 time such as \"2025-01-31T09:30:00Z\", not {Describe(value)}";
                        return null;
                    }

                    at = time;
                    break;
                case "result":
                    var result = value.ValueKind == JsonValueKind.String ? value.GetString() : null;
                    if (result is not ("ok" or "error"))
                    {
                        error = $"'result' must be \"ok\" or \"error\", not {Describe(value)}";
                        return null;
                    }

                    failed = result == "error";
                    break;
                default:
                    if (!property.Name.StartsWith("x-", StringComparison.Ordinal))
                    {
                        error = $"unknown field '{property.Name}'; a call has tool, args, grant, session, caller, at and result (prefix notes with 'x-')";
                        return null;
                    }

                    break;
            }
        }

        if (tool is null)
        {
            error = "the call has no 'tool'; add \"tool\": \"<name>\"";
            return null;
        }

        return new CallLine(tool, arguments, grant, session, caller, at, failed);
    }

    private static JsonElement EmptyObject { get; } = JsonDocument.Parse("{}").RootElement.Clone();

    private static string Kind(JsonValueKind kind) => kind switch
    {
        JsonValueKind.Object => "an object",
        JsonValueKind.Array => "an array",
        JsonValueKind.String => "a string",
        JsonValueKind.Number => "a number",
        JsonValueKind.True or JsonValueKind.False => "a boolean",
        _ => "null",
    };

    private static string Describe(JsonElement value) =>
        value.ValueKind == JsonValueKind.String ? value.GetRawText() : Kind(value.ValueKind);
}

/// <summary>Parses RFC 3339 date-times strictly (a full date, a time and an offset or Z).</summary>
internal static class Rfc3339
{
    private static readonly string[] Formats =
    [
        "yyyy-MM-dd'T'HH:mm:ssK",
        "yyyy-MM-dd'T'HH:mm:ss.FFFFFFFK",
    ];

    public static string Format(DateTimeOffset time) =>
        time.ToString(time.Offset == TimeSpan.Zero ? "yyyy-MM-dd'T'HH:mm:ss.FFFFFFF'Z'" : "yyyy-MM-dd'T'HH:mm:ss.FFFFFFFzzz", CultureInfo.InvariantCulture);

    public static bool TryParse(string text, out DateTimeOffset time)
    {
        time = default;

        // RFC 3339 requires an offset: a time without one is ambiguous, so it is refused rather than read as local.
        if (text.Length < 20 || !(text.EndsWith('Z') || text.EndsWith('z') || text[^3] == ':' && text[^6] is '+' or '-'))
        {
            return false;
        }

        var normalized = text.Replace('t', 'T').Replace('z', 'Z');
        if (normalized.Length > 10 && normalized[10] == ' ')
        {
            normalized = string.Concat(normalized.AsSpan(0, 10), "T", normalized.AsSpan(11));
        }

        return WithinTicks(normalized) is { } cut
            && DateTimeOffset.TryParseExact(cut, Formats, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out time);
    }

    /// <summary>
    /// The text with any fraction of a second cut to seven digits: RFC 3339 allows any number (logs often have nine),
    /// and a time only keeps 100 ns ticks. <see langword="null"/> for a point without digits, which RFC 3339 does not allow.
    /// </summary>
    private static string? WithinTicks(string text)
    {
        const int FractionStart = 20; // after "yyyy-MM-ddTHH:mm:ss."
        if (text.Length <= FractionStart || text[FractionStart - 1] != '.')
        {
            return text;
        }

        var digits = 0;
        while (FractionStart + digits < text.Length && char.IsAsciiDigit(text[FractionStart + digits]))
        {
            digits++;
        }

        return digits switch
        {
            0 => null,
            <= 7 => text,
            _ => string.Concat(text.AsSpan(0, FractionStart + 7), text.AsSpan(FractionStart + digits)),
        };
    }
}
