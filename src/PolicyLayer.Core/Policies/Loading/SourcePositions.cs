using System.Text;
using System.Text.Json;
using PolicyLayer.Json;

namespace PolicyLayer.Policies;

/// <summary>
/// Where each value and property name of a JSON document starts, by JSON Pointer, so that errors found while
/// reading the parsed document can name a line and column. Reading also finds duplicate keys and syntax
/// errors, which a parsed <see cref="JsonDocument"/> cannot report.
/// </summary>
internal sealed class SourcePositions
{
    private readonly Dictionary<string, (int Line, int Column)> _values = new(StringComparer.Ordinal);
    private readonly Dictionary<string, (int Line, int Column)> _keys = new(StringComparer.Ordinal);
    private readonly int[] _lineStarts;
    private readonly byte[] _utf8;
    private (int Line, long Offset, int Column) _counted = (-1, 0, 1); // the last position computed

    private SourcePositions(byte[] utf8)
    {
        _utf8 = utf8;
        var starts = new List<int> { 0 };
        for (var i = 0; i < utf8.Length; i++)
        {
            if (utf8[i] == (byte)'\n')
            {
                starts.Add(i + 1);
            }
        }

        _lineStarts = [.. starts];
    }

    /// <summary>Reads the document, recording positions and reporting syntax errors and duplicate keys.</summary>
    public static SourcePositions Read(byte[] utf8, JsonReaderOptions options, List<(string Code, string Message, string Pointer, int Line, int Column)> errors)
    {
        var positions = new SourcePositions(utf8);
        var reader = new Utf8JsonReader(utf8, options);
        var frames = new Stack<Frame>();
        // The pointers of the values being read, innermost last: a child's pointer is its parent's plus one token.
        var path = new List<string>();
        try
        {
            while (reader.Read())
            {
                var position = positions.PositionOf(reader.TokenStartIndex);
                if (reader.TokenType == JsonTokenType.PropertyName)
                {
                    var name = ReadString(ref reader, out var readable);
                    var frame = frames.Peek();
                    var pointer = Parent(path) + "/" + JsonPointer.Escape(name);
                    path.Add(pointer);
                    if (!readable)
                    {
                        errors.Add(UnreadableString(pointer, position, "key"));
                    }
                    else if (!frame.Keys!.Add(name))
                    {
                        errors.Add((PolicyErrorCodes.DuplicateKey, $"the key '{name}' appears twice in this object; keep one (a later duplicate would silently override the first)", pointer, position.Line, position.Column));
                    }
                    else
                    {
                        positions._keys[pointer] = position;
                    }

                    continue;
                }

                if (reader.TokenType is JsonTokenType.EndObject or JsonTokenType.EndArray)
                {
                    frames.Pop();
                    EndValue(frames, path);
                    continue;
                }

                // A value starts here: arrays number their items.
                if (frames.Count > 0 && frames.Peek().IsArray)
                {
                    path.Add(Parent(path) + "/" + (frames.Peek().NextIndex++).ToString(System.Globalization.CultureInfo.InvariantCulture));
                }

                var valuePointer = Parent(path);
                positions._values.TryAdd(valuePointer, position);
                if (reader.TokenType == JsonTokenType.String && reader.ValueIsEscaped)
                {
                    ReadString(ref reader, out var readable);
                    if (!readable)
                    {
                        errors.Add(UnreadableString(valuePointer, position, "string"));
                    }
                }

                if (reader.TokenType == JsonTokenType.StartObject)
                {
                    frames.Push(new Frame(false));
                }
                else if (reader.TokenType == JsonTokenType.StartArray)
                {
                    frames.Push(new Frame(true));
                }
                else
                {
                    EndValue(frames, path);
                }
            }
        }
        catch (JsonException ex)
        {
            // The reader counts bytes within the line; every other error counts characters.
            var (line, column) = positions.PositionOf(positions.OffsetOf(ex.LineNumber ?? 0, ex.BytePositionInLine ?? 0));
            errors.Add((PolicyErrorCodes.InvalidJson, $"the policy is not valid JSON: {ReaderMessages.Clean(ex.Message)}", string.Empty, line, column));
        }

        return positions;
    }

    // System.Text.Json accepts an escaped lone surrogate ("\ud800") as JSON, but no .NET string can be read from it.
    // Every such string is reported here, so that the loader, which reads strings as it goes, never meets one.
    private static string ReadString(ref Utf8JsonReader reader, out bool readable)
    {
        try
        {
            readable = true;
            return reader.GetString()!;
        }
        catch (InvalidOperationException)
        {
            readable = false;
            return Encoding.UTF8.GetString(reader.HasValueSequence ? System.Buffers.BuffersExtensions.ToArray(reader.ValueSequence) : reader.ValueSpan);
        }
    }

    private static (string Code, string Message, string Pointer, int Line, int Column) UnreadableString(string pointer, (int Line, int Column) position, string what) =>
        (PolicyErrorCodes.InvalidJson,
         $"this {what} contains an escaped lone surrogate (such as \\ud800), which is not Unicode text; write the character itself, or both halves of its surrogate pair (\\ud83d\\ude00)",
         pointer, position.Line, position.Column);

    /// <summary>The position of the value at a pointer, else of its nearest ancestor.</summary>
    public (int Line, int Column) OfValue(string pointer)
    {
        while (true)
        {
            if (_values.TryGetValue(pointer, out var position))
            {
                return position;
            }

            var slash = pointer.LastIndexOf('/');
            if (slash < 0)
            {
                return (1, 1);
            }

            pointer = pointer[..slash];
        }
    }

    /// <summary>The position of the property name at a pointer, else of its value.</summary>
    public (int Line, int Column) OfKey(string pointer) => _keys.TryGetValue(pointer, out var position) ? position : OfValue(pointer);

    private static string Parent(List<string> path) => path.Count == 0 ? string.Empty : path[^1];

    private static void EndValue(Stack<Frame> frames, List<string> path)
    {
        // After a value inside an object or array, drop its path segment.
        if (frames.Count > 0 && path.Count > 0)
        {
            path.RemoveAt(path.Count - 1);
        }
    }

    /// <summary>The byte offset of a zero-based line and byte within it, kept inside the document.</summary>
    private long OffsetOf(long line, long byteInLine)
    {
        var start = _lineStarts[(int)Math.Clamp(line, 0, _lineStarts.Length - 1)];
        return Math.Clamp(start + byteInLine, 0, _utf8.Length);
    }

    private (int Line, int Column) PositionOf(long offset)
    {
        var index = Array.BinarySearch(_lineStarts, (int)offset);
        var line = index >= 0 ? index : ~index - 1;
        var start = _lineStarts[line];

        // Columns count characters, not bytes: count the UTF-8 sequences that start before the offset. Tokens are
        // asked for in document order, so the count goes on from the previous token of the same line: counting
        // from the line's start each time would make a minified (one-line) policy quadratic to load.
        var column = 1;
        if (_counted.Line == line && _counted.Offset <= offset)
        {
            start = (int)_counted.Offset;
            column = _counted.Column;
        }

        for (var i = start; i < offset; i++)
        {
            if ((_utf8[i] & 0xC0) != 0x80)
            {
                column++;
            }
        }

        _counted = (line, offset, column);
        return (line + 1, column);
    }

    private sealed class Frame(bool isArray)
    {
        public bool IsArray { get; } = isArray;

        public int NextIndex { get; set; }

        public HashSet<string>? Keys { get; } = isArray ? null : new HashSet<string>(StringComparer.Ordinal);
    }

    /// <summary>Decodes text to UTF-8, dropping a byte-order mark.</summary>
    public static byte[] ToUtf8(string text)
    {
        var bytes = Encoding.UTF8.GetBytes(text);
        return bytes.AsSpan().StartsWith((ReadOnlySpan<byte>)[0xEF, 0xBB, 0xBF]) ? bytes[3..] : bytes;
    }
}
