using System.Text;
using System.Text.Json;

namespace PolicyLayer.Schema.Keywords;

/// <summary>
/// A fixed set of names (property names, enum strings) looked up by UTF-8 bytes or by UTF-16 text without
/// allocating: an open-addressing hash table keyed on length and three characters, confirmed by a full comparison.
/// </summary>
/// <remarks>
/// Instances read from a <see cref="System.Text.Json.JsonElement"/> are compared as raw UTF-8; dictionary keys and
/// escaped names as text. Linear probing over a table at most half full keeps a miss to one or two probes.
/// </remarks>
internal sealed class NameTable
{
    private readonly string[] _text;
    private readonly byte[][] _utf8;
    private readonly int[] _utf8Slots; // index + 1 of the name in each slot, 0 when empty
    private readonly int[] _textSlots;
    private readonly int _mask;

    /// <summary>Builds the table; a repeated name keeps its first index.</summary>
    public NameTable(IReadOnlyList<string> names)
    {
        _text = [.. names];
        _utf8 = [.. names.Select(Encoding.UTF8.GetBytes)];
        var size = 4;
        while (size < names.Count * 2)
        {
            size *= 2;
        }

        _mask = size - 1;
        AnyBackslash = names.Any(n => n.Contains('\\', StringComparison.Ordinal));
        _utf8Slots = new int[size];
        _textSlots = new int[size];
        for (var i = 0; i < names.Count; i++)
        {
            if (Find(_text[i].AsSpan()) >= 0)
            {
                continue;
            }

            Insert(_utf8Slots, Hash(_utf8[i]), i);
            Insert(_textSlots, Hash(_text[i].AsSpan()), i);
        }
    }

    /// <summary>Whether some name contains a backslash (so escaped UTF-8 cannot be looked up as it is).</summary>
    public bool AnyBackslash { get; }

    /// <summary>The number of names (repeats included).</summary>
    public int Count => _text.Length;

    /// <summary>The name at an index.</summary>
    public string this[int index] => _text[index];

    /// <summary>The index of a name given as UTF-8, or -1.</summary>
    public int Find(ReadOnlySpan<byte> utf8)
    {
        for (var slot = Hash(utf8) & _mask; ; slot = (slot + 1) & _mask)
        {
            var entry = _utf8Slots[slot];
            if (entry == 0)
            {
                return -1;
            }

            if (utf8.SequenceEqual(_utf8[entry - 1]))
            {
                return entry - 1;
            }
        }
    }

    /// <summary>
    /// The index of a name given as UTF-8, or -1, trying <paramref name="expected"/> first: the properties of an
    /// object usually come in the order a schema declares them, and one comparison is cheaper than hashing.
    /// <paramref name="expected"/> is -1 or an index a lookup answers (so not a repeat of an earlier name).
    /// </summary>
    public int Find(ReadOnlySpan<byte> utf8, int expected)
    {
        System.Diagnostics.Debug.Assert(expected < 0 || Find(_text[expected].AsSpan()) == expected, "A repeated name is never answered.");
        return (uint)expected < (uint)_utf8.Length && utf8.SequenceEqual(_utf8[expected]) ? expected : Find(utf8);
    }

    /// <summary>The index of a name given as text, or -1, trying <paramref name="expected"/> first (as for UTF-8).</summary>
    public int Find(ReadOnlySpan<char> text, int expected)
    {
        System.Diagnostics.Debug.Assert(expected < 0 || Find(_text[expected].AsSpan()) == expected, "A repeated name is never answered.");
        return (uint)expected < (uint)_text.Length && text.SequenceEqual(_text[expected]) ? expected : Find(text);
    }

    /// <summary>The index of a name given as text, or -1.</summary>
    public int Find(ReadOnlySpan<char> text)
    {
        for (var slot = Hash(text) & _mask; ; slot = (slot + 1) & _mask)
        {
            var entry = _textSlots[slot];
            if (entry == 0)
            {
                return -1;
            }

            if (text.SequenceEqual(_text[entry - 1]))
            {
                return entry - 1;
            }
        }
    }

    /// <summary>
    /// The index of a property's name, or -1, trying <paramref name="expected"/> first (as for UTF-8): an escape-free
    /// name is looked up as its raw UTF-8, a name with escapes decoded.
    /// </summary>
    public int Find(JsonProperty property, int expected = -1)
    {
        var raw = Json.JsonRaw.Utf8Name(property);
        var index = Find(raw, expected);

        // A hit is the name itself unless some name holds a backslash (then raw "a\\u0062" could equal it); a miss
        // is final unless the raw name has an escape.
        if (index >= 0 ? !AnyBackslash : raw.IndexOf((byte)'\\') < 0)
        {
            return index;
        }

        return FindDecoded(property);
    }

    /// <summary>The index of the text of a string element, or -1; escape-free text is looked up as raw UTF-8.</summary>
    public int Find(JsonElement stringElement)
    {
        var raw = Json.JsonRaw.Utf8(stringElement)[1..^1];
        if (raw.IndexOf((byte)'\\') < 0)
        {
            return Find(raw);
        }

        return FindDecoded(stringElement);
    }

    // Kept apart, and out of line, so that the scratch buffer is only set up for a name with escapes.
    [System.Runtime.CompilerServices.MethodImpl(System.Runtime.CompilerServices.MethodImplOptions.NoInlining)]
    private int FindDecoded(JsonProperty property)
    {
        Span<char> scratch = stackalloc char[128];
        var name = new JsonPropertyView(null, property).GetNameChars(scratch, out var rented);
        try
        {
            return Find(name);
        }
        finally
        {
            Json.JsonStrings.Return(rented);
        }
    }

    // Kept apart so that the scratch buffer is only set up (and cleared) for text with escapes.
    private int FindDecoded(JsonElement stringElement)
    {
        Span<char> scratch = stackalloc char[128];
        var text = Json.JsonStrings.GetChars(stringElement, scratch, out var rented);
        try
        {
            return Find(text);
        }
        finally
        {
            Json.JsonStrings.Return(rented);
        }
    }

    private void Insert(int[] slots, int hash, int index)
    {
        var slot = hash & _mask;
        while (slots[slot] != 0)
        {
            slot = (slot + 1) & _mask;
        }

        slots[slot] = index + 1;
    }

    // Length and the first, middle and last units tell typical names apart; the multiply spreads them over the slots.
    private static int Hash(ReadOnlySpan<byte> s) => s.Length == 0 ? 0 : Mix(s.Length, s[0], s[s.Length / 2], s[^1]);

    private static int Hash(ReadOnlySpan<char> s) => s.Length == 0 ? 0 : Mix(s.Length, s[0], s[s.Length / 2], s[^1]);

    private static int Mix(int length, int first, int middle, int last)
    {
        var h = (uint)((length * 31) + first) * 0x9E3779B1u;
        h ^= (uint)((middle * 31) + last) * 0x85EBCA77u;
        return (int)(h ^ (h >> 15));
    }
}
