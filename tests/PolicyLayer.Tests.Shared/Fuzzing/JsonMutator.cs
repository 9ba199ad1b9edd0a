using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace PolicyLayer.Tests.Fuzzing;

/// <summary>
/// Mutates JSON text the way careless or hostile input does: values replaced by values of other kinds (odd numbers,
/// odd strings, a lone surrogate), members removed, added, renamed or copied from elsewhere in the document, and the
/// text itself cut short or garbled. Every choice comes from the <see cref="Random"/> given, so one seed always
/// makes the same mutation and a failing case can be replayed.
/// </summary>
/// <param name="random">The source of every choice.</param>
/// <param name="vocabulary">Names and strings of the format being mutated (keywords, operators, paths), used as often as random ones.</param>
public sealed class JsonMutator(Random random, IReadOnlyList<string> vocabulary)
{
    private static readonly string[] Numbers =
        ["0", "-0", "1", "-1", "0.1", "2.5", "1.0", "1E+2", "60", "-60", "4294967296", "9223372036854775808", "123456789012345678901234567890", "1e400", "-1e400", "1e-400", "0.30000000000000004"];

    private static readonly string[] Strings =
        ["", "a", "\u0000", "é", "😀", "#", "/", "\\", "$ref", "http://example.com/x", "urn:x", "(a+)+$", "^[", new string('x', 300)];

    private const string Garbage = "{}[]\",:\\/0123456789.eE+-abnrtu \n\t'#*$";

    private static readonly JsonDocumentOptions Lenient = new() { CommentHandling = JsonCommentHandling.Skip, AllowTrailingCommas = true, MaxDepth = 1000 };

    /// <summary>Applies <paramref name="count"/> mutations, each to the text the one before made.</summary>
    /// <param name="json">The JSON text (comments and trailing commas allowed).</param>
    /// <param name="count">How many mutations.</param>
    /// <returns>The mutated text; not always valid JSON.</returns>
    public string Mutate(string json, int count)
    {
        for (var i = 0; i < count; i++)
        {
            json = random.Next(10) < 2 ? MutateText(json) : MutateTree(json);
        }

        return json;
    }

    private string MutateText(string text)
    {
        var position = Boundary(text, random.Next(text.Length + 1));
        return random.Next(3) switch
        {
            0 => text[..position],
            // An escaped lone surrogate is valid JSON that JsonNode will not write: only the text can carry one in.
            1 => text.Insert(position, random.Next(4) == 0 ? "\\ud800" : RandomGarbage()),
            _ => text.Remove(position, Boundary(text, Math.Min(position + random.Next(1, 5), text.Length)) - position),
        };
    }

    // Never between the halves of a surrogate pair: the text stays UTF-16 that can be encoded (as JSON text must be).
    private static int Boundary(string text, int position) =>
        position > 0 && position < text.Length && char.IsLowSurrogate(text[position]) ? position - 1 : position;

    private string MutateTree(string text)
    {
        JsonNode? root;
        try
        {
            root = JsonNode.Parse(text, documentOptions: Lenient);
        }
        catch (JsonException)
        {
            return text; // already garbled: a later text mutation still applies
        }

        if (root is null)
        {
            return text;
        }

        var nodes = new List<JsonNode>();
        if (!TryCollect(root, nodes))
        {
            return text;
        }

        var target = nodes[random.Next(nodes.Count)];
        switch (random.Next(8))
        {
            case 0:
            case 1:
            case 2:
                if (target.Parent is null)
                {
                    root = RandomValue(2);
                }
                else
                {
                    Replace(target, RandomValue(2));
                }

                break;
            case 3:
                Remove(target);
                break;
            case 4:
                Add(target, nodes);
                break;
            case 5:
                var source = nodes[random.Next(nodes.Count)];
                if (target.Parent is not null && !IsWithin(target, source))
                {
                    Replace(target, source.DeepClone());
                }

                break;
            case 6:
                Rename(target, nodes);
                break;
            default:
                Replace(target, target.GetValueKind() switch
                {
                    JsonValueKind.Number => JsonNode.Parse(Numbers[random.Next(Numbers.Length)]),
                    JsonValueKind.String => JsonValue.Create(RandomString()),
                    _ => RandomValue(1),
                });
                break;
        }

        try
        {
            return root?.ToJsonString() ?? "null";
        }
        catch (InvalidOperationException)
        {
            return text; // a value JsonNode cannot write back (a lone surrogate in a moved string)
        }
    }

    private void Add(JsonNode target, List<JsonNode> nodes)
    {
        if (target is JsonObject obj)
        {
            var name = RandomName(nodes);
            if (!obj.ContainsKey(name))
            {
                obj[name] = RandomValue(2);
            }
        }
        else if (target is JsonArray array)
        {
            array.Add(RandomValue(2));
        }
    }

    private void Rename(JsonNode target, List<JsonNode> nodes)
    {
        if (target.Parent is not JsonObject parent)
        {
            return;
        }

        var name = RandomName(nodes);
        if (!parent.ContainsKey(name))
        {
            parent.Remove(target.GetPropertyName());
            parent[name] = target;
        }
    }

    private static void Remove(JsonNode target)
    {
        if (target.Parent is JsonObject obj)
        {
            obj.Remove(target.GetPropertyName());
        }
        else if (target.Parent is JsonArray array)
        {
            array.Remove(target);
        }
    }

    private static void Replace(JsonNode target, JsonNode? replacement)
    {
        if (target.Parent is JsonObject obj)
        {
            obj[target.GetPropertyName()] = replacement;
        }
        else if (target.Parent is JsonArray array)
        {
            array[target.GetElementIndex()] = replacement;
        }
    }

    private static bool IsWithin(JsonNode node, JsonNode ancestor)
    {
        for (var current = node; current is not null; current = current.Parent)
        {
            if (ReferenceEquals(current, ancestor))
            {
                return true;
            }
        }

        return false;
    }

    private static bool TryCollect(JsonNode node, List<JsonNode> nodes)
    {
        try
        {
            Collect(node, nodes);
            return true;
        }
        catch (Exception ex) when (ex is InvalidOperationException or ArgumentException)
        {
            return false; // a name JsonNode cannot read (a lone surrogate), or a repeated one
        }
    }

    private static void Collect(JsonNode node, List<JsonNode> nodes)
    {
        nodes.Add(node);
        IEnumerable<JsonNode?> children = node switch
        {
            JsonObject obj => obj.Select(member => member.Value),
            JsonArray array => array,
            _ => [],
        };
        foreach (var child in children)
        {
            if (child is not null)
            {
                Collect(child, nodes);
            }
        }
    }

    private string RandomName(List<JsonNode> nodes)
    {
        var names = nodes.Where(n => n.Parent is JsonObject).Select(n => n.GetPropertyName()).ToList();
        return random.Next(3) == 0 || names.Count == 0 ? RandomString() : names[random.Next(names.Count)];
    }

    private string RandomString() =>
        random.Next(2) == 0 && vocabulary.Count > 0 ? vocabulary[random.Next(vocabulary.Count)] : Strings[random.Next(Strings.Length)];

    private string RandomGarbage()
    {
        var builder = new StringBuilder();
        for (var i = random.Next(1, 4); i > 0; i--)
        {
            builder.Append(Garbage[random.Next(Garbage.Length)]);
        }

        return builder.ToString();
    }

    private JsonNode? RandomValue(int depth)
    {
        switch (random.Next(depth > 0 ? 8 : 5))
        {
            case 0:
                return null;
            case 1:
                return JsonValue.Create(random.Next(2) == 0);
            case 2:
                return JsonNode.Parse(Numbers[random.Next(Numbers.Length)]);
            case 3:
            case 4:
                return JsonValue.Create(RandomString());
            case 5:
                var array = new JsonArray();
                for (var i = random.Next(4); i > 0; i--)
                {
                    array.Add(RandomValue(depth - 1));
                }

                return array;
            default:
                var obj = new JsonObject();
                for (var i = random.Next(4); i > 0; i--)
                {
                    obj.TryAdd(RandomString(), RandomValue(depth - 1));
                }

                return obj;
        }
    }
}
