using System.Text.Json;
using PolicyLayer.Schema;

namespace PolicyLayer.JsonSchema.Tests.Schema;

internal static class SchemaTestHelpers
{
    private static readonly JsonDocumentOptions Deep = new() { MaxDepth = 20_000 };

    public static JsonElement Parse(string json) => JsonDocument.Parse(json, Deep).RootElement;

    public static PolicyLayer.Schema.JsonSchema Compile(string schema, JsonSchemaOptions? options = null) =>
        PolicyLayer.Schema.JsonSchema.Compile(Parse(schema), options);

    public static IReadOnlyList<JsonSchemaCompileError> CompileErrors(string schema, JsonSchemaOptions? options = null)
    {
        Assert.False(PolicyLayer.Schema.JsonSchema.TryCompile(Parse(schema), options, out var compiled, out var errors));
        Assert.Null(compiled);
        return errors;
    }
}
