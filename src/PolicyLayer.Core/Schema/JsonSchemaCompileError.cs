namespace PolicyLayer.Schema;

/// <summary>Why a schema could not be compiled.</summary>
/// <param name="SchemaLocation">Where in the schema document, as a JSON Pointer (empty for the root).</param>
/// <param name="Message">What is wrong and how to fix it.</param>
public sealed record JsonSchemaCompileError(string SchemaLocation, string Message)
{
    /// <inheritdoc />
    public override string ToString() => SchemaLocation.Length == 0 ? Message : $"{SchemaLocation}: {Message}";
}
