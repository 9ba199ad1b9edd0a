using System.Text.Json;
using PolicyLayer.Json;
using PolicyLayer.Policies;

namespace PolicyLayer.Cli.Input;

/// <summary>Reads the files the commands take, turning every problem into an <see cref="InputException"/>.</summary>
internal static class InputFiles
{
    /// <summary>Files larger than this are refused rather than read into memory.</summary>
    public const long MaxFileBytes = 64L * 1024 * 1024;

    public static string ReadText(string path)
    {
        try
        {
            var info = new FileInfo(path);
            if (!info.Exists)
            {
                throw new InputException(CliErrors.Format(path, 0, 0, CliErrors.Unreadable, "the file does not exist; check the path"));
            }

            if (info.Length > MaxFileBytes)
            {
                throw new InputException(CliErrors.Format(path, 0, 0, CliErrors.Unreadable, $"the file is {info.Length} bytes, more than the {MaxFileBytes} bytes this command reads"));
            }

            return File.ReadAllText(path);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            throw new InputException(CliErrors.Format(path, 0, 0, CliErrors.Unreadable, $"cannot read the file: {ex.Message}"));
        }
    }

    /// <summary>Loads a policy, or throws with every load error formatted as <c>file:line:col: error CODE: ...</c>.</summary>
    public static Policy LoadPolicy(string path)
    {
        var result = LoadPolicyResult(path);
        return result.Policy ?? throw new InputException(result.Errors.Select(e => e.ToString()).ToArray());
    }

    public static PolicyLoadResult LoadPolicyResult(string path) => Policy.Load(ReadText(path), path);

    /// <summary>
    /// Parses a JSON document (comments and trailing commas allowed), or throws with the position of the syntax error,
    /// or of each name or string that escapes a lone surrogate (valid JSON, but no string can be read from it).
    /// </summary>
    public static JsonDocument ParseJson(string path, string text)
    {
        JsonDocument document;
        try
        {
            document = JsonDocument.Parse(text, new JsonDocumentOptions { CommentHandling = JsonCommentHandling.Skip, AllowTrailingCommas = true, MaxDepth = 128 });
        }
        catch (JsonException ex)
        {
            var line = (int)(ex.LineNumber ?? 0) + 1;
            var column = (int)(ex.BytePositionInLine ?? 0) + 1;
            throw new InputException(CliErrors.Format(path, line, column, CliErrors.BadFile, $"the file is not valid JSON: {ReaderMessages.Clean(ex.Message)}"));
        }

        // Reported as the policy loader reports them, rather than thrown from the first read of such a string.
        var problems = new List<(string Code, string Message, string Pointer, int Line, int Column)>();
        SourcePositions.Read(SourcePositions.ToUtf8(text), new JsonReaderOptions { CommentHandling = JsonCommentHandling.Skip, AllowTrailingCommas = true, MaxDepth = 128 }, problems);
        var unreadable = problems.Where(p => p.Code == PolicyErrorCodes.InvalidJson).ToArray();
        if (unreadable.Length > 0)
        {
            document.Dispose();
            throw new InputException([.. unreadable.Select(p => CliErrors.Format(path, p.Line, p.Column, CliErrors.BadFile, p.Message, p.Pointer))]);
        }

        return document;
    }
}
