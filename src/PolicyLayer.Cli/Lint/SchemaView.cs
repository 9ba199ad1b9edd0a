using System.Text.Json;

namespace PolicyLayer.Cli.Lint;

/// <summary>
/// A light reading of a tool's JSON Schema for lint: which properties are declared and required, and the
/// enum, const and type of a value. Only plain <c>properties</c>, <c>required</c> and <c>items</c> are followed;
/// anything the lint cannot see through (references, combinators) makes it say nothing rather than guess.
/// </summary>
internal readonly struct SchemaView
{
    private readonly JsonElement _schema;

    public SchemaView(JsonElement schema) => _schema = schema;

    public bool IsObjectSchema => _schema.ValueKind == JsonValueKind.Object;

    /// <summary>Whether the schema uses keywords the lint does not follow, so absence of a property proves nothing.</summary>
    public bool IsOpaque => !IsObjectSchema
        || _schema.TryGetProperty("$ref", out _) || _schema.TryGetProperty("allOf", out _) || _schema.TryGetProperty("anyOf", out _)
        || _schema.TryGetProperty("oneOf", out _) || _schema.TryGetProperty("if", out _) || _schema.TryGetProperty("patternProperties", out _)
        || _schema.TryGetProperty("dependentSchemas", out _);

    public bool DeclaresProperties => IsObjectSchema && _schema.TryGetProperty("properties", out var p) && p.ValueKind == JsonValueKind.Object;

    public bool Requires(string name) =>
        IsObjectSchema && _schema.TryGetProperty("required", out var required) && required.ValueKind == JsonValueKind.Array
        && required.EnumerateArray().Any(r => r.ValueKind == JsonValueKind.String && r.GetString() == name);

    public SchemaView? Property(string name)
    {
        if (IsObjectSchema && _schema.TryGetProperty("properties", out var properties) && properties.ValueKind == JsonValueKind.Object
            && properties.TryGetProperty(name, out var property))
        {
            return new SchemaView(property);
        }

        return null;
    }

    public SchemaView? Items() =>
        IsObjectSchema && _schema.TryGetProperty("items", out var items) ? new SchemaView(items) : null;

    /// <summary>Whether the schema, read simply, rules out <paramref name="value"/>; <see langword="false"/> when unsure.</summary>
    public bool Excludes(JsonElement value, out string why)
    {
        why = string.Empty;
        if (!IsObjectSchema || IsOpaque)
        {
            return false;
        }

        if (_schema.TryGetProperty("const", out var constant) && !JsonElement.DeepEquals(constant, value))
        {
            why = $"the schema's const is {constant.GetRawText()}";
            return true;
        }

        if (_schema.TryGetProperty("enum", out var values) && values.ValueKind == JsonValueKind.Array
            && !values.EnumerateArray().Any(v => JsonElement.DeepEquals(v, value)))
        {
            why = $"the schema's enum is {values.GetRawText()}";
            return true;
        }

        if (_schema.TryGetProperty("type", out var type))
        {
            var types = type.ValueKind == JsonValueKind.Array ? type.EnumerateArray().Select(t => t.GetString()).ToArray() : [type.GetString()];
            if (!types.Any(t => Matches(t, value)))
            {
                why = $"the schema's type is {type.GetRawText()}";
                return true;
            }
        }

        return false;
    }

    private static bool Matches(string? type, JsonElement value) => type switch
    {
        "string" => value.ValueKind == JsonValueKind.String,
        "number" => value.ValueKind == JsonValueKind.Number,
        "integer" => value.ValueKind == JsonValueKind.Number && value.TryGetDecimal(out var d) && d == decimal.Truncate(d),
        "boolean" => value.ValueKind is JsonValueKind.True or JsonValueKind.False,
        "object" => value.ValueKind == JsonValueKind.Object,
        "array" => value.ValueKind == JsonValueKind.Array,
        "null" => value.ValueKind == JsonValueKind.Null,
        _ => true,
    };
}
