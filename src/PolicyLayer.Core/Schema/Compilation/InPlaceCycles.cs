using PolicyLayer.Json;
using PolicyLayer.Schema.Evaluation;

namespace PolicyLayer.Schema.Compilation;

/// <summary>
/// Finds subschemas that apply themselves to the same value again (through <c>$ref</c>, <c>allOf</c>, <c>anyOf</c>,
/// <c>oneOf</c>, <c>not</c>, <c>if</c>/<c>then</c>/<c>else</c>, <c>dependentSchemas</c>) without descending into a
/// property or item first: such a schema can never finish evaluating, so it is rejected when compiled.
/// </summary>
internal static class InPlaceCycles
{
    public static void Report(IEnumerable<SchemaNode> nodes, SchemaCompiler compiler)
    {
        // Iterative depth-first search with three colours; the stack holds (node, its in-place children).
        var state = new Dictionary<SchemaNode, bool>(ReferenceEqualityComparer.Instance); // false: on the path, true: done
        foreach (var start in nodes)
        {
            if (state.ContainsKey(start))
            {
                continue;
            }

            var stack = new Stack<(SchemaNode Node, IEnumerator<SchemaNode> Children)>();
            state[start] = false;
            stack.Push((start, Children(start).GetEnumerator()));
            while (stack.Count > 0)
            {
                var (node, children) = stack.Peek();
                if (!children.MoveNext())
                {
                    state[node] = true;
                    stack.Pop();
                    continue;
                }

                var child = children.Current;
                if (!state.TryGetValue(child, out var done))
                {
                    state[child] = false;
                    stack.Push((child, Children(child).GetEnumerator()));
                }
                else if (!done)
                {
                    compiler.AddError(node.Location, $"the schema at '{JsonPointer.Describe(child.Location)}' applies itself to the same value again (through $ref or an applicator) without descending into a property or item, so evaluation would never end; break the cycle");
                    return;
                }
            }
        }
    }

    private static IEnumerable<SchemaNode> Children(SchemaNode node) => node.Keywords.SelectMany(k => k.InPlaceChildren);
}
