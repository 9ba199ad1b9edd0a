using System.Collections.Concurrent;
using System.Text.Json;
using PolicyLayer.Schema.Evaluation;

namespace PolicyLayer.Schema.Compilation;

/// <summary>The last step of compiling: the root document checked against its metaschema.</summary>
/// <remarks>
/// Building the keywords already checks every keyword that takes effect, with messages written for each. What only
/// the metaschema says is checked here: the annotation keywords (<c>title</c>, <c>description</c>, <c>examples</c>,
/// <c>deprecated</c>, <c>contentSchema</c> ...), <c>$defs</c>, <c>$vocabulary</c>, <c>$anchor</c>'s syntax, and
/// keywords of another vocabulary than the dialect's. So <c>{"$defs": 1}</c> is refused like <c>{"minimum": "1"}</c>.
/// </remarks>
internal sealed partial class SchemaCompiler
{
    private const string Draft202012 = "https://json-schema.org/draft/2020-12/schema";
    private const string Draft201909 = "https://json-schema.org/draft/2019-09/schema";
    private const string Draft7 = "http://json-schema.org/draft-07/schema";

    // Compiled once per built-in metaschema, for every compilation of the process; null when one cannot compile.
    private static readonly ConcurrentDictionary<string, JsonSchema?> BuiltInMetaschemas = new(StringComparer.Ordinal);

    // Instance bounds wide enough for any schema that compiles: its nesting is bounded at compile time (MaxNesting),
    // and JSON values inside it (const, enum, default) by the parser's own depth limit.
    private static readonly JsonSchemaOptions MetaschemaOptions = OptionsFor(registry: null);

    private void CheckAgainstMetaschema(SchemaDocument document)
    {
        var root = document.Root;
        var uri = root.ValueKind == JsonValueKind.Object && root.TryGetProperty("$schema", out var declared) && declared.ValueKind == JsonValueKind.String
            ? declared.GetString()!.TrimEnd('#')
            : _options.DefaultDialect == JsonSchemaDialect.Draft7 ? Draft7 : Draft202012;

        // Nearly every schema passes: the quick check first, the errors only for one that fails.
        if (Metaschema(uri) is not { } metaschema || metaschema.IsValid(root))
        {
            return;
        }

        var errors = metaschema.CollectErrors(root);

        // A check cut short by its own bounds proves nothing either way; the keywords that take effect were checked.
        if (errors.Any(e => e.Message.EndsWith(EvaluationState.TooManySteps, StringComparison.Ordinal)
            || e.Message.EndsWith(EvaluationState.UnboundedRecursion, StringComparison.Ordinal)))
        {
            return;
        }

        var dialect = ScopeOf(document, string.Empty).Dialect;
        var name = uri switch
        {
            Draft202012 => "draft 2020-12",
            Draft201909 => "draft 2019-09",
            Draft7 => "draft-07",
            _ => $"'{uri}'",
        };
        foreach (var error in errors)
        {
            // An embedded resource of another dialect ($schema of its own) answers to that dialect's metaschema, not this one.
            if (error.KeywordLocation.Length == 0 || ScopeOf(document, error.InstanceLocation).Dialect != dialect)
            {
                continue;
            }

            var prefix = (error.InstanceLocation.Length == 0 ? "/" : error.InstanceLocation) + ": ";
            var message = error.Message.StartsWith(prefix, StringComparison.Ordinal) ? error.Message[prefix.Length..] : error.Message;
            AddError(document.Display(error.InstanceLocation), $"{message} (required by the {name} metaschema); correct the value or remove the keyword");
        }
    }

    private JsonSchema? Metaschema(string uri)
    {
        if (Metaschemas.TryGet(uri, out var builtIn))
        {
            return BuiltInMetaschemas.GetOrAdd(uri, static (_, element) => Compile(element, null), builtIn);
        }

        // A registered metaschema (a dialect of its own vocabularies) checks with the registry it may refer into.
        return Uri.TryCreate(uri, UriKind.Absolute, out var absolute) && _options.Registry?.TryGet(absolute, out var registered) == true
            ? Compile(registered, _options.Registry)
            : null;
    }

    private static JsonSchema? Compile(JsonElement metaschema, JsonSchemaRegistry? registry) =>
        JsonSchema.TryCompile(metaschema, registry is null ? MetaschemaOptions : OptionsFor(registry), out var compiled, out _) ? compiled : null;

    private static JsonSchemaOptions OptionsFor(JsonSchemaRegistry? registry) =>
        new() { ChecksMetaschema = false, MaxInstanceDepth = 4096, MaxErrors = 20, Registry = registry };
}
