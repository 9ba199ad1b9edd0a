using System.Text.Json;
using FsCheck;
using FsCheck.Fluent;
using FsCheck.Xunit;
using PolicyLayer.JsonSchema.Tests.Conformance;
using PolicyLayer.Schema;
using PolicyLayer.Tests.Fuzzing;

namespace PolicyLayer.JsonSchema.Tests.Schema;

/// <summary>
/// The suite's schemas, mutated (keyword values of the wrong kind, members removed, renamed or copied, odd numbers and
/// strings, escaped lone surrogates), and their test values, mutated too: compiling never throws and explains every
/// refusal, and a schema that compiles gives one answer on every evaluation path. Declared input schemas come from MCP
/// servers, and arguments from models: neither may crash the host.
/// </summary>
public sealed class MutatedSchemaPropertyTests
{
    private static readonly SuiteSchema[] Seeds = [.. ConformanceSuite.Drafts.SelectMany(ConformanceSuite.Schemas)];

    private static readonly string[] Vocabulary =
    [
        "type", "object", "string", "integer", "number", "array", "boolean", "null", "properties", "patternProperties",
        "additionalProperties", "unevaluatedProperties", "required", "dependentRequired", "dependentSchemas", "propertyNames",
        "items", "prefixItems", "additionalItems", "unevaluatedItems", "contains", "minContains", "maxContains", "uniqueItems",
        "allOf", "anyOf", "oneOf", "not", "if", "then", "else", "enum", "const", "pattern", "format", "regex", "date-time",
        "email", "uri", "ipv6", "minimum", "maximum", "exclusiveMinimum", "multipleOf", "minLength", "maxItems",
        "$ref", "$defs", "definitions", "$id", "$anchor", "$dynamicRef", "$dynamicAnchor", "$recursiveRef", "$schema",
        "#", "#/$defs/a", "#/definitions/a", "#meta", "https://json-schema.org/draft/2020-12/schema",
        "http://json-schema.org/draft-07/schema#", "http://localhost:1234/draft2020-12/integer.json", "a",
    ];

    private static readonly JsonDocumentOptions Deep = new() { MaxDepth = 1000 };

    [Property(MaxTest = 5000)]
    public Property MutatedSchemas_CompileOrExplain_AndEveryPathAgrees() =>
        Prop.ForAll(Arb.From(Gen.Choose(0, Seeds.Length - 1)), Arb.From(Gen.Choose(0, int.MaxValue)), (index, seed) =>
        {
            var random = new Random(seed);
            var mutator = new JsonMutator(random, Vocabulary);
            var seedSchema = Seeds[index];
            var text = mutator.Mutate(seedSchema.Schema, random.Next(1, 4));
            if (Parse(text) is not { } schemaElement)
            {
                return true; // no longer JSON: nothing to compile
            }

            var options = ConformanceSuite.OptionsFor(seedSchema.File);
            if (!PolicyLayer.Schema.JsonSchema.TryCompile(schemaElement, options, out var schema, out var errors))
            {
                Assert.NotEmpty(errors);
                Assert.All(errors, e => Assert.False(string.IsNullOrWhiteSpace(e.Message), $"an empty message at '{e.SchemaLocation}' for {text}"));
                return true;
            }

            foreach (var value in seedSchema.Data.Concat(seedSchema.Data.Select(d => mutator.Mutate(d, 1))))
            {
                if (Parse(value) is { } instance)
                {
                    var valid = schema!.IsValid(instance);
                    var reported = schema.Validate(instance);
                    Assert.True(valid == (reported.Count == 0), $"IsValid {valid} but Validate reported {reported.Count} errors for {value} against {text}");
                    Assert.True(ConformanceSuite.OtherPaths(schema, instance, valid) is null, $"{ConformanceSuite.OtherPaths(schema, instance, valid)} for {value} against {text}");
                }
            }

            return true;
        });

    private static JsonElement? Parse(string text)
    {
        try
        {
            return JsonDocument.Parse(text, Deep).RootElement;
        }
        catch (JsonException)
        {
            return null;
        }
    }
}
