using System.Collections.Concurrent;
using System.Runtime.CompilerServices;
using System.Text.Json;

namespace PolicyLayer.Auditing;

/// <summary>
/// The sorted top-level argument keys of a record, remembered per tool: an agent calls a tool with the same keys
/// again and again, so the usual call only compares its names with the last ones (no strings, no sort, no
/// allocation) and shares the sorted array of the earlier record.
/// </summary>
/// <remarks>Thread-safe. Holds at most <see cref="MaxTools"/> tools (tool names come from callers); beyond that,
/// keys are built for each record as if nothing were remembered.</remarks>
internal sealed class ArgumentKeyShapes(int maxKeys, int maxKeyLength)
{
    internal const int MaxTools = 1024;

    private readonly ConcurrentDictionary<string, Shape> _byTool = new(StringComparer.Ordinal);

    /// <summary>The record's keys: sorted (ordinal), each cut to the maximum length, at most the maximum count.</summary>
    /// <param name="tool">The tool called.</param>
    /// <param name="arguments">The call's arguments.</param>
    /// <param name="count">How many top-level keys the arguments have (before the cut).</param>
    /// <returns>The keys; shared between records, so never changed after it is returned.</returns>
    [MethodImpl(MethodImplOptions.NoInlining)]
    public IReadOnlyList<string> For(string tool, in JsonProperties arguments, out int count)
    {
        if (maxKeys > 0 && _byTool.TryGetValue(tool, out var known) && known.Matches(arguments))
        {
            count = known.Count;
            return known.Sorted;
        }

        count = arguments.Count;
        if (count == 0 || maxKeys == 0)
        {
            return [];
        }

        var shape = Shape.Of(arguments, count, maxKeys, maxKeyLength);
        if (_byTool.Count < MaxTools || _byTool.ContainsKey(tool))
        {
            _byTool[tool] = shape;
        }

        return shape.Sorted;
    }

    /// <summary>The names of one call's arguments, in their order, and the record's sorted, cut list of them.</summary>
    private sealed class Shape(string[] inOrder, string[] sorted)
    {
        // The names as UTF-8, so an element's raw name bytes compare directly (no transcoding per name).
        private readonly byte[][] _utf8 = [.. inOrder.Select(System.Text.Encoding.UTF8.GetBytes)];

        public string[] Sorted { get; } = sorted;

        public static Shape Of(in JsonProperties arguments, int count, int maxKeys, int maxKeyLength)
        {
            var inOrder = new string[count];
            var i = 0;
            foreach (var property in arguments)
            {
                if (i == inOrder.Length)
                {
                    break;
                }

                inOrder[i++] = property.Name;
            }

            var sorted = new string[i];
            for (var j = 0; j < i; j++)
            {
                sorted[j] = inOrder[j].Length > maxKeyLength ? inOrder[j][..maxKeyLength] : inOrder[j];
            }

            Array.Sort(sorted, StringComparer.Ordinal);
            return new Shape(inOrder, i <= maxKeys ? sorted : sorted[..maxKeys]);
        }

        /// <summary>How many names the arguments had.</summary>
        public int Count => inOrder.Length;

        /// <summary>Whether the arguments have exactly these names in this order (compared without allocating).</summary>
        public bool Matches(in JsonProperties arguments)
        {
            if (arguments.TryGetElement(out var element))
            {
                return element.ValueKind == JsonValueKind.Object && MatchesElement(element);
            }

            if (arguments.Dictionary is Dictionary<string, JsonElement> dictionary)
            {
                // What the MCP SDK hands over: enumerated directly rather than through the general view.
                return dictionary.Count == inOrder.Length && MatchesNames(dictionary.Keys);
            }

            return arguments.Count == inOrder.Length && MatchesView(arguments);
        }

        private bool MatchesElement(JsonElement element)
        {
            var i = 0;
            foreach (var property in element.EnumerateObject())
            {
                if (i == inOrder.Length || !NameAt(i, property))
                {
                    return false;
                }

                i++;
            }

            return i == inOrder.Length;
        }

        private bool NameAt(int index, JsonProperty property) => JsonPropertyView.NameEquals(property, inOrder[index], _utf8[index]);

        private bool MatchesNames(Dictionary<string, JsonElement>.KeyCollection names)
        {
            var i = 0;
            foreach (var name in names)
            {
                if (!string.Equals(name, inOrder[i++], StringComparison.Ordinal))
                {
                    return false;
                }
            }

            return true;
        }

        private bool MatchesView(in JsonProperties arguments)
        {
            var i = 0;
            foreach (var property in arguments)
            {
                if (i == inOrder.Length || !property.NameEquals(inOrder[i], _utf8[i]))
                {
                    return false;
                }

                i++;
            }

            return i == inOrder.Length;
        }
    }
}
