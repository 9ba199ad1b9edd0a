using System.Collections.Concurrent;

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
    public IReadOnlyList<string> For(string tool, in JsonProperties arguments, out int count)
    {
        count = arguments.Count;
        if (count == 0 || maxKeys == 0)
        {
            return [];
        }

        if (_byTool.TryGetValue(tool, out var known) && known.Matches(arguments, count))
        {
            return known.Sorted;
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

        /// <summary>Whether the arguments have exactly these names in this order (compared without allocating).</summary>
        public bool Matches(in JsonProperties arguments, int count)
        {
            if (count != inOrder.Length)
            {
                return false;
            }

            var i = 0;
            foreach (var property in arguments)
            {
                if (i == inOrder.Length)
                {
                    return false;
                }

                var same = property.TryGetUtf8Name(out var raw) ? raw.SequenceEqual(_utf8[i]) : property.NameEquals(inOrder[i], _utf8[i]);
                if (!same)
                {
                    return false;
                }

                i++;
            }

            return i == inOrder.Length;
        }
    }
}
