using System.Text.Json;
using FsCheck;
using FsCheck.Fluent;
using FsCheck.Xunit;
using PolicyLayer.Schema;
using static PolicyLayer.JsonSchema.Tests.Schema.SchemaTestHelpers;

namespace PolicyLayer.JsonSchema.Tests.Schema;

/// <summary>
/// A typical tool schema (required names, <c>additionalProperties: false</c>, a nested array of objects, a pattern,
/// enums, bounds) against random argument objects, valid and not: the fast check, the error-collecting walk and the
/// dictionary forms of the object all agree, and the dictionary reports the element's errors.
/// </summary>
public sealed class EvaluationPathsPropertyTests
{
    private const string ToolSchema = """
        {
          "type": "object",
          "additionalProperties": false,
          "required": ["customer_id", "amount", "lines"],
          "properties": {
            "customer_id": { "type": "string", "pattern": "^cus_[A-Za-z0-9]{4,8}$" },
            "amount": { "type": "number", "exclusiveMinimum": 0, "maximum": 100 },
            "currency": { "enum": ["EUR", "USD"] },
            "priority": { "type": "integer", "minimum": 1, "maximum": 5 },
            "tags": { "type": "array", "items": { "type": "string" }, "maxItems": 2 },
            "lines": {
              "type": "array",
              "minItems": 1,
              "items": {
                "type": "object",
                "additionalProperties": false,
                "required": ["sku"],
                "properties": { "sku": { "type": "string", "minLength": 1 }, "quantity": { "type": "integer", "minimum": 1 } }
              }
            }
          }
        }
        """;

    private static readonly PolicyLayer.Schema.JsonSchema Schema = Compile(ToolSchema);

    // For each name: whether the schema requires it, values that satisfy its subschema, and values that do not.
    private static readonly (string Name, bool Required, string[] Valid, string[] Invalid)[] Members =
    [
        ("customer_id", true, ["\"cus_ab12\"", "\"cus_ABCDEFGH\""], ["\"cus_a\"", "\"customer-42\"", "42", "null"]),
        ("amount", true, ["0.5", "100", "100.0", "1e2"], ["0", "100.01", "-3", "\"50\""]),
        ("currency", false, ["\"EUR\"", "\"USD\""], ["\"CHF\"", "1"]),
        ("priority", false, ["1", "5", "3.0"], ["0", "6", "2.5", "true"]),
        ("tags", false, ["[]", "[\"a\"]", "[\"a\", \"b\"]"], ["[\"a\", \"b\", \"c\"]", "[1]", "{}"]),
        ("lines", true, ["[{\"sku\": \"A\"}]", "[{\"sku\": \"A\", \"quantity\": 2}, {\"sku\": \"B\"}]"], ["[]", "[{\"quantity\": 1}]", "[{\"sku\": \"\"}]", "[{\"sku\": \"A\", \"discount\": 5}]", "[{\"sku\": \"A\", \"quantity\": 0}]", "\"lines\""]),
        ("extra", false, [], ["1", "\"x\""]),
    ];

    // Each name wrong (or, if required, missing) one time in seven, else valid or (if optional) absent, in a random
    // order: about a third of the objects are valid, and the others fail in one or more places.
    private static readonly Gen<string> Objects =
        from picks in Gen.ArrayOf(Gen.Choose(0, 1000), Members.Length)
        from seed in Gen.Choose(0, int.MaxValue)
        select ObjectOf(picks, seed);

    private static string ObjectOf(int[] picks, int seed)
    {
        var members = new List<string>();
        for (var i = 0; i < Members.Length; i++)
        {
            var (name, required, valid, invalid) = Members[i];
            var pick = picks[i];
            string? value = pick % 7 == 0
                ? (required && pick % 2 == 0 ? null : invalid[pick % invalid.Length])
                : (valid.Length == 0 || (!required && pick % 2 == 0) ? null : valid[pick % valid.Length]);
            if (value is not null)
            {
                members.Add($"\"{name}\": {value}");
            }
        }

        var shuffled = members.ToArray();
        new Random(seed).Shuffle(shuffled);
        return "{" + string.Join(", ", shuffled) + "}";
    }

    [Fact]
    public void Objects_AreValidAndInvalid()
    {
        var sample = Objects.Sample(1000);
        var valid = sample.Count(json => Schema.IsValid(Parse(json)));
        Assert.InRange(valid, 200, 800);
    }

    [Property(MaxTest = 2000)]
    public Property AnyArguments_EveryPathAgrees() =>
        Prop.ForAll(Objects.ToArbitrary(), json =>
        {
            var element = Parse(json);
            var dictionary = element.EnumerateObject().ToDictionary(p => p.Name, p => p.Value, StringComparer.Ordinal);
            var forms = new[]
            {
                new JsonProperties(element),
                new JsonProperties(dictionary),
                new JsonProperties((IReadOnlyDictionary<string, JsonElement>)new System.Collections.ObjectModel.ReadOnlyDictionary<string, JsonElement>(dictionary)),
            };

            var valid = Schema.IsValid(forms[0]);
            var errors = Messages(Schema.CollectErrors(forms[0]));
            Assert.Equal(valid, errors.Count == 0);
            foreach (var form in forms[1..])
            {
                Assert.Equal(valid, Schema.IsValid(form));
                Assert.Equal(errors, Messages(Schema.CollectErrors(form)));
            }
        });

    private static List<string> Messages(IReadOnlyList<SchemaValidationError> errors) =>
        [.. errors.Select(e => $"{e.InstanceLocation} {e.KeywordLocation} {e.Message}")];
}
