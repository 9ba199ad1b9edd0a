using System.Text.Json;
using PolicyLayer.Schema;

namespace PolicyLayer.Authorization;

/// <summary>A tool's declared input schema, compiled, or the reasons it did not compile.</summary>
internal sealed class DeclaredSchema(JsonSchema? schema, IReadOnlyList<JsonSchemaCompileError> errors)
{
    public JsonSchema? Schema { get; } = schema;

    public IReadOnlyList<JsonSchemaCompileError> Errors { get; } = errors;
}

/// <summary>
/// The input schemas tools declare, by tool name. Reads take a snapshot without locking; registrations (rare:
/// when a server lists its tools) copy the table.
/// </summary>
internal sealed class DeclaredSchemas(JsonSchemaOptions options)
{
    private readonly object _writeLock = new();
    private volatile Dictionary<string, DeclaredSchema> _schemas = new(StringComparer.Ordinal);

    public DeclaredSchema? Find(string toolName)
    {
        var schemas = _schemas;
        return schemas.Count != 0 && schemas.TryGetValue(toolName, out var schema) ? schema : null;
    }

    public IReadOnlyList<JsonSchemaCompileError> Register(string toolName, JsonElement inputSchema)
    {
        JsonSchema.TryCompile(inputSchema, options, out var compiled, out var errors);
        var entry = new DeclaredSchema(compiled, compiled is null ? errors : []);
        lock (_writeLock)
        {
            _schemas = new Dictionary<string, DeclaredSchema>(_schemas, StringComparer.Ordinal) { [toolName] = entry };
        }

        return entry.Errors;
    }

    public void Unregister(string toolName)
    {
        lock (_writeLock)
        {
            var copy = new Dictionary<string, DeclaredSchema>(_schemas, StringComparer.Ordinal);
            copy.Remove(toolName);
            _schemas = copy;
        }
    }
}
