using System.Text.Json;
using PolicyLayer.Json;

namespace PolicyLayer.Schema.Compilation;

/// <summary>
/// Finds the strings of a schema document that are not Unicode text, before the compiler reads any of them.
/// </summary>
/// <remarks>
/// JSON may escape a lone surrogate (<c>"\ud800"</c>): <see cref="JsonDocument"/> accepts it, but reading it as a
/// string throws, and the compiler reads names, keywords, patterns and references as strings. A schema reaches the
/// compiler from hosts and from MCP servers' <c>tools/list</c>, so such a document is refused as a whole, each string
/// reported where it is, as the policy loader refuses such policy text; I-JSON (RFC 7493) forbids these strings too.
/// </remarks>
internal static class UnreadableText
{
    /// <summary>How many strings are reported one by one; the rest are counted in one last error.</summary>
    internal const int MaxReported = 20;

    [ThreadStatic]
    private static Stack<JsonElement>? t_pending;

    private const string Problem = "contains an escaped lone surrogate (such as \\ud800), which is not Unicode text; write the character itself, or both halves of its surrogate pair (\\ud83d\\ude00)";

    /// <summary>Reports every string of the document that is not Unicode text.</summary>
    /// <returns>Whether the document has none, so that it can be compiled.</returns>
    public static bool Check(SchemaDocument document, SchemaCompiler compiler)
    {
        // Almost every document has none: found without building a pointer per value, then located.
        if (AllReadable(document.Root))
        {
            return true;
        }

        var found = 0;

        // An explicit stack: a host may hand over a document parsed with a high MaxDepth.
        var pending = new Stack<(JsonElement Value, string Pointer)>();
        var children = new List<(JsonElement Value, string Pointer)>();
        pending.Push((document.Root, string.Empty));
        while (pending.Count > 0)
        {
            var (value, pointer) = pending.Pop();
            switch (value.ValueKind)
            {
                case JsonValueKind.String when !JsonStrings.IsWellFormed(value):
                    Report(compiler, document.Display(pointer), "this string " + Problem, ref found);
                    break;
                case JsonValueKind.Object:
                    foreach (var property in value.EnumerateObject())
                    {
                        if (JsonStrings.IsNameWellFormed(property))
                        {
                            children.Add((property.Value, JsonPointer.Append(pointer, property.Name)));
                        }
                        else
                        {
                            // The name cannot be part of a pointer: the object holding it is the location.
                            Report(compiler, document.Display(pointer), "a property name in this object " + Problem, ref found);
                        }
                    }

                    break;
                case JsonValueKind.Array:
                    var index = 0;
                    foreach (var item in value.EnumerateArray())
                    {
                        children.Add((item, JsonPointer.Append(pointer, index++)));
                    }

                    break;
            }

            // Pushed last to first, so that errors come in document order.
            for (var i = children.Count - 1; i >= 0; i--)
            {
                pending.Push(children[i]);
            }

            children.Clear();
        }

        if (found > MaxReported)
        {
            compiler.AddError(document.Display(string.Empty), $"{found - MaxReported} more strings of this document are not Unicode text (an escaped lone surrogate each); fix them as the ones above");
        }

        return found == 0;
    }

    private static bool AllReadable(JsonElement root)
    {
        // One stack per thread, reused: a policy with hundreds of schemas would otherwise grow one for each.
        var pending = t_pending ??= new Stack<JsonElement>();
        try
        {
            pending.Push(root);
            while (pending.Count > 0)
            {
                var value = pending.Pop();
                switch (value.ValueKind)
                {
                    case JsonValueKind.String when !JsonStrings.IsWellFormed(value):
                        return false;
                    case JsonValueKind.Object:
                        foreach (var property in value.EnumerateObject())
                        {
                            if (!JsonStrings.IsNameWellFormed(property))
                            {
                                return false;
                            }

                            pending.Push(property.Value);
                        }

                        break;
                    case JsonValueKind.Array:
                        foreach (var item in value.EnumerateArray())
                        {
                            pending.Push(item);
                        }

                        break;
                }
            }

            return true;
        }
        finally
        {
            pending.Clear(); // drops the elements, so the documents they point into are not kept alive
        }
    }

    private static void Report(SchemaCompiler compiler, string location, string message, ref int found)
    {
        if (++found <= MaxReported)
        {
            compiler.AddError(location, message);
        }
    }
}
