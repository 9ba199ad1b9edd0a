using PolicyLayer.Json;
using System.Text.Json;

namespace PolicyLayer.Schema.Compilation;

/// <summary>
/// Walks a document along its subschema keywords (never into <c>const</c>, <c>enum</c> or unknown keywords), recording
/// the resources (<c>$id</c>), anchors and the scope of every subschema location.
/// </summary>
internal sealed class ResourceScanner(SchemaCompiler compiler)
{

    private static readonly string[] SchemaMaps = ["properties", "patternProperties", "$defs", "definitions", "dependentSchemas", "dependencies"];
    private static readonly string[] SchemaValues = ["additionalProperties", "additionalItems", "items", "contains", "propertyNames", "not", "if", "then", "else", "unevaluatedItems", "unevaluatedProperties", "contentSchema"];
    private static readonly string[] SchemaArrays = ["allOf", "anyOf", "oneOf", "prefixItems", "items"];

    public void Scan(SchemaDocument document, string baseUri, DialectInfo dialect)
    {
        var resource = compiler.CreateResource(SchemaUris.WithoutFragment(baseUri), dialect, document, string.Empty);
        Scan(document, document.Root, string.Empty, new SchemaScope(SchemaUris.WithoutFragment(baseUri), resource, dialect), 0);
    }

    private void Scan(SchemaDocument document, JsonElement element, string pointer, SchemaScope scope, int nesting)
    {
        if (element.ValueKind != JsonValueKind.Object)
        {
            compiler.RecordScope(document, pointer, scope);
            return;
        }

        if (nesting > SchemaCompiler.MaxNesting)
        {
            compiler.AddError(document.Display(pointer), $"the schema is nested more than {SchemaCompiler.MaxNesting} levels deep; flatten it with $defs and $ref");
            return;
        }

        var dialect = scope.Dialect;
        if (element.TryGetProperty("$schema", out var schemaKeyword) && schemaKeyword.ValueKind == JsonValueKind.String
            && (pointer.Length == 0 || element.TryGetProperty("$id", out _)))
        {
            dialect = compiler.ResolveDialect(schemaKeyword.GetString()!, document.Display(JsonPointer.Append(pointer, "$schema"))) ?? dialect;
        }

        // In draft-07, $ref makes every sibling keyword, $id included, ignored.
        var refOnly = dialect.IsDraft7 && element.TryGetProperty("$ref", out _);
        if (!refOnly && element.TryGetProperty("$id", out var id) && id.ValueKind == JsonValueKind.String)
        {
            var idText = id.GetString()!;
            if (dialect.IsDraft7 && idText.StartsWith('#'))
            {
                compiler.RegisterAnchor(scope.BaseUri + idText, document, pointer);
            }
            else if (SchemaUris.TryResolve(scope.BaseUri, idText, out var resolved))
            {
                var uri = SchemaUris.WithoutFragment(resolved);
                var resource = compiler.CreateResource(uri, dialect, document, pointer);
                scope = new SchemaScope(uri, resource, dialect);
            }
        }
        else if (dialect != scope.Dialect)
        {
            scope = scope with { Dialect = dialect };
        }

        compiler.RecordScope(document, pointer, scope);
        if (refOnly)
        {
            return;
        }

        if (!dialect.IsDraft7)
        {
            if (element.TryGetProperty("$anchor", out var anchor) && anchor.ValueKind == JsonValueKind.String)
            {
                compiler.RegisterAnchor(scope.BaseUri + "#" + anchor.GetString(), document, pointer);
            }

            if (element.TryGetProperty("$dynamicAnchor", out var dynamicAnchor) && dynamicAnchor.ValueKind == JsonValueKind.String)
            {
                compiler.RegisterAnchor(scope.BaseUri + "#" + dynamicAnchor.GetString(), document, pointer);
                compiler.RegisterDynamicAnchor(scope.Resource, dynamicAnchor.GetString()!, document, pointer);
            }
        }

        foreach (var name in SchemaMaps)
        {
            if (element.TryGetProperty(name, out var map) && map.ValueKind == JsonValueKind.Object)
            {
                var mapPointer = JsonPointer.Append(pointer, name);
                foreach (var entry in map.EnumerateObject())
                {
                    if (entry.Value.ValueKind is JsonValueKind.Object or JsonValueKind.True or JsonValueKind.False)
                    {
                        Scan(document, entry.Value, JsonPointer.Append(mapPointer, entry.Name), scope, nesting + 1);
                    }
                }
            }
        }

        foreach (var name in SchemaValues)
        {
            if (element.TryGetProperty(name, out var value) && value.ValueKind is JsonValueKind.Object or JsonValueKind.True or JsonValueKind.False)
            {
                Scan(document, value, JsonPointer.Append(pointer, name), scope, nesting + 1);
            }
        }

        foreach (var name in SchemaArrays)
        {
            if (element.TryGetProperty(name, out var array) && array.ValueKind == JsonValueKind.Array)
            {
                var index = 0;
                foreach (var item in array.EnumerateArray())
                {
                    Scan(document, item, JsonPointer.Append(JsonPointer.Append(pointer, name), index++), scope, nesting + 1);
                }
            }
        }
    }
}
