using System.Text.Json;

namespace PolicyLayer.Schema;

/// <summary>
/// A JSON Schema compiled once and evaluated many times.
/// </summary>
public sealed class JsonSchema
{
    private JsonSchema()
    {
    }

    /// <summary>Compiles a schema.</summary>
    /// <param name="schema">The schema document.</param>
    /// <param name="options">Options; <see cref="JsonSchemaOptions.Default"/> when <see langword="null"/>.</param>
    /// <param name="compiled">The compiled schema, on success.</param>
    /// <param name="errors">Every reason the schema is invalid, on failure.</param>
    /// <returns><see langword="true"/> when the schema compiled.</returns>
    public static bool TryCompile(JsonElement schema, JsonSchemaOptions? options, out JsonSchema? compiled, out IReadOnlyList<JsonSchemaCompileError> errors)
    {
        compiled = null;
        errors = [new JsonSchemaCompileError(string.Empty, "JSON Schema validation is not available yet in this build; remove the 'schema' field.")];
        return false;
    }

    /// <summary>Whether a value satisfies the schema. Allocates nothing for a valid value.</summary>
    /// <param name="instance">The value.</param>
    /// <returns><see langword="true"/> when valid.</returns>
    public bool IsValid(JsonElement instance) => throw new NotSupportedException();

    /// <summary>Whether an object (held as a dictionary or an element) satisfies the schema.</summary>
    /// <param name="instance">The object.</param>
    /// <returns><see langword="true"/> when valid.</returns>
    public bool IsValid(in JsonProperties instance) => throw new NotSupportedException();

    /// <summary>Every reason a value does not satisfy the schema; empty when valid.</summary>
    /// <param name="instance">The value.</param>
    /// <returns>The errors.</returns>
    public IReadOnlyList<SchemaValidationError> Validate(JsonElement instance) => throw new NotSupportedException();

    /// <summary>Every reason an object does not satisfy the schema; empty when valid.</summary>
    /// <param name="instance">The object.</param>
    /// <returns>The errors.</returns>
    public IReadOnlyList<SchemaValidationError> Validate(in JsonProperties instance) => throw new NotSupportedException();
}
