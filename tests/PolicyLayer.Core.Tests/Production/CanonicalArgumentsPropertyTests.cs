using System.Text.Json;
using FsCheck;
using FsCheck.Fluent;
using FsCheck.Xunit;
using PolicyLayer.Auditing;

namespace PolicyLayer.Tests.Production;

/// <summary>
/// The canonical text of arguments (what approval keys and argument hashes are made of) depends only on their value:
/// not on how the host holds them (an element, or a dictionary as the MCP SDK hands them over), not on member order
/// or number spelling, and writing it out again changes nothing. Repeated names keep the last value, as everywhere.
/// </summary>
public sealed class CanonicalArgumentsPropertyTests
{
    // Names that sort differently by UTF-16 code unit and by UTF-8 byte (U+FF21 against a surrogate pair) included.
    private static readonly string[] Names = ["a", "b", "amount", "\\u0061", "é", "\\u00e9", "z", "Ａ", "😀", "\\ud83d\\ude00"];

    // The same values spelled several ways (numbers, escapes), and values that differ only slightly.
    private static readonly string[] Scalars =
        ["7", "7.0", "7e0", "70e-1", "0.7E1", "-0", "0", "1e400", "10e399", "\"x\"", "\"\\u0078\"", "\"é\"", "\"\\u00e9\"", "true", "false", "null", "12345678901234567890123"];

    private static readonly Gen<string> Values = Value(2);

    private static readonly Gen<string> Objects = ObjectOf(Value(2));

    [Property(MaxTest = 1000)]
    public Property Text_ElementOrDictionary_SameText() =>
        Prop.ForAll(Objects.ToArbitrary(), json =>
        {
            var element = JsonDocument.Parse(json).RootElement;
            var dictionary = new Dictionary<string, JsonElement>(StringComparer.Ordinal);
            foreach (var property in element.EnumerateObject())
            {
                dictionary[property.Name] = property.Value; // the last of repeated names wins
            }

            var text = CanonicalArguments.Text(new JsonProperties(element));
            Assert.Equal(text, CanonicalArguments.Text(new JsonProperties(dictionary)));
            Assert.Equal(text, CanonicalArguments.Text(new JsonProperties((IReadOnlyDictionary<string, JsonElement>)new System.Collections.ObjectModel.ReadOnlyDictionary<string, JsonElement>(dictionary))));
        });

    [Property(MaxTest = 1000)]
    public Property Text_MembersReordered_SameText() =>
        Prop.ForAll(Objects.ToArbitrary(), Gen.Choose(0, int.MaxValue).ToArbitrary(), (json, seed) =>
        {
            var members = JsonDocument.Parse(json).RootElement.EnumerateObject().ToList();

            // Only objects whose names are all different: reordering repeated names changes which one is last.
            if (members.Select(m => m.Name).Distinct(StringComparer.Ordinal).Count() != members.Count)
            {
                return;
            }

            var shuffled = members.ToArray();
            new Random(seed).Shuffle(shuffled);
            var reordered = "{" + string.Join(", ", shuffled.Select(m => JsonSerializer.Serialize(m.Name) + ": " + m.Value.GetRawText())) + "}";

            Assert.Equal(Canonical(json), Canonical(reordered));
        });

    [Property(MaxTest = 1000)]
    public Property Text_WrittenOutAgain_Unchanged() =>
        Prop.ForAll(Objects.ToArbitrary(), json =>
        {
            var text = Canonical(json);
            Assert.Equal(text, Canonical(text));
        });

    [Property(MaxTest = 1000)]
    public Property Text_OneValueRespelled_SameText() =>
        Prop.ForAll(Values.ToArbitrary(), value =>
        {
            // A value and its canonical form are the same JSON value, so the arguments holding them share one text.
            var canonical = Canonical("{\"v\": " + value + "}");
            var respelled = JsonDocument.Parse(canonical).RootElement.GetProperty("v").GetRawText();
            Assert.Equal(canonical, Canonical("{\"v\": " + respelled + "}"));
        });

    private static string Canonical(string json) => CanonicalArguments.Text(new JsonProperties(JsonDocument.Parse(json).RootElement));

    private static Gen<string> Value(int depth) =>
        depth == 0
            ? Gen.Elements(Scalars)
            : Gen.Frequency(
                (6, Gen.Elements(Scalars)),
                (1, ObjectOf(Value(depth - 1))),
                (1, Gen.Choose(0, 3).SelectMany(n => Gen.ArrayOf(Value(depth - 1), n)).Select(items => "[" + string.Join(", ", items) + "]")));

    private static Gen<string> ObjectOf(Gen<string> values) =>
        from count in Gen.Choose(0, 5)
        from names in Gen.ArrayOf(Gen.Elements(Names), count)
        from items in Gen.ArrayOf(values, count)
        select "{" + string.Join(", ", names.Zip(items, (n, v) => $"\"{n}\": {v}")) + "}";
}
