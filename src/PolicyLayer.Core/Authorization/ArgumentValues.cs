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
    /// <returns>Whether it did: not for dictionary-held arguments.</returns>
    public bool Fill(NameTable names, in JsonProperties arguments)
    {
        if (!arguments.TryGetElement(out var element) || element.ValueKind != JsonValueKind.Object)
        {
            return false;
        }

        foreach (var property in element.EnumerateObject())
        {
            var slot = names.Find(property);
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

    [InlineArray(Capacity)]
    private struct Slots
    {
        private JsonElement _first;
    }
}
