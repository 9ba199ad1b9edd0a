using System.Text.Json;
using PolicyLayer.Json;

namespace PolicyLayer.Schema.Evaluation;

/// <summary>
/// A value as the fast path reads it once: the element, its kind and, for strings and numbers that some keyword
/// inspects, its raw UTF-8 text (strings keep their quotes). Keywords take it instead of asking the document again.
/// </summary>
internal readonly ref struct InstanceValue
{
    public InstanceValue(JsonElement element, JsonValueKind kind, ReadOnlySpan<byte> raw)
    {
        Element = element;
        Kind = kind;
        Raw = raw;
    }

    public JsonElement Element { get; }

    public JsonValueKind Kind { get; }

    /// <summary>The raw text of a string or number; empty when it was not read (containers, or no keyword needed it).</summary>
    public ReadOnlySpan<byte> Raw { get; }

    /// <summary>The raw text, reading it now when it was not read yet.</summary>
    public ReadOnlySpan<byte> RawText => Raw.IsEmpty ? JsonRaw.Utf8(Element) : Raw;

    /// <summary>The content of a string without its quotes (possibly with escapes).</summary>
    public ReadOnlySpan<byte> StringContent => RawText[1..^1];
}
