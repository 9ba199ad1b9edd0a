using System.Runtime.CompilerServices;
using System.Text.Json;
using PolicyLayer.Schema.Keywords;

namespace PolicyLayer.Authorization;

/// <summary>
/// The top-level arguments that one set of rules addresses, found in a single pass over an arguments element.
/// </summary>
/// <remarks>
/// Looking a name up in a <see cref="JsonElement"/> walks its properties and compares each name, so three conditions
/// on three arguments walk the object three times. Read once into slots (by the index the rules gave each name), the
/// conditions then take their value from a slot. A repeated property name keeps its last value, as the element's own
/// lookup does. Arguments held in a dictionary are not read into slots: a dictionary lookup is already one hash.
/// </remarks>
internal struct ArgumentValues
{
    /// <summary>The most names the slots hold; rules that address more look each one up.</summary>
    public const int Capacity = 8;

    private Slots _values;
    private uint _found;

    /// <summary>Whether the arguments were read into the slots; otherwise every value is looked up.</summary>
    public bool IsFilled { get; private set; }

    /// <summary>Reads the named arguments of an element into their slots in one pass.</summary>
    /// <returns>Whether it did: not for dictionary-held arguments or when a name holds a backslash.</returns>
    public bool Fill(NameTable names, in JsonProperties arguments)
    {
        if (names.AnyBackslash || !arguments.TryGetElement(out var element) || element.ValueKind != JsonValueKind.Object)
        {
            return false;
        }

        foreach (var property in element.EnumerateObject())
        {
            var slot = Find(names, property);
            if (slot >= 0)
            {
                _values[slot] = property.Value;
                _found |= 1u << slot;
            }
        }

        IsFilled = true;
        return true;
    }

    /// <summary>The value in a slot, when the arguments have that property.</summary>
    public readonly bool TryGet(int slot, out JsonElement value)
    {
        if ((_found & (1u << slot)) == 0)
        {
            value = default;
            return false;
        }

        value = _values[slot];
        return true;
    }

    private static int Find(NameTable names, JsonProperty property)
    {
#if NET9_0_OR_GREATER
        var raw = System.Runtime.InteropServices.JsonMarshal.GetRawUtf8PropertyName(property);
        var slot = names.Find(raw);

        // An escaped name is decoded (rare).
        return slot >= 0 || raw.IndexOf((byte)'\\') < 0 ? slot : names.Find(property.Name.AsSpan());
#else
        // No raw name access before .NET 9: compare with each name (there are at most Capacity).
        for (var i = 0; i < names.Count; i++)
        {
            if (property.NameEquals(names[i]))
            {
                return i;
            }
        }

        return -1;
#endif
    }

    [InlineArray(Capacity)]
    private struct Slots
    {
        private JsonElement _first;
    }
}
