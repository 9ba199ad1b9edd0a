using System.Text.Json;

namespace PolicyLayer.Schema.Compilation;

/// <summary>A schema document being compiled: the root one, a registered one, or a built-in metaschema.</summary>
internal sealed class SchemaDocument(string uri, JsonElement root, bool isRoot)
{
    /// <summary>The URI the document was retrieved under (a placeholder for a root without <c>$id</c>).</summary>
    public string Uri { get; } = uri;

    public JsonElement Root { get; } = root;

    /// <summary>Locations in the root document are plain JSON Pointers; in other documents they are prefixed with the URI.</summary>
    public string Display(string pointer) => isRoot ? pointer : Uri + "#" + pointer;

    public string Key(string pointer) => Uri + "#" + pointer;
}

/// <summary>The base URI, resource and dialect in force at one location of a document.</summary>
internal sealed record SchemaScope(string BaseUri, Evaluation.SchemaResource Resource, DialectInfo Dialect);

/// <summary>What a <c>$schema</c> selects: the dialect and which vocabularies apply.</summary>
internal sealed record DialectInfo(JsonSchemaDialect Dialect, bool Is201909, bool Validation, bool FormatAssertion)
{
    public static DialectInfo Draft202012 { get; } = new(JsonSchemaDialect.Draft202012, false, true, false);

    public static DialectInfo Draft201909 { get; } = new(JsonSchemaDialect.Draft202012, true, true, false);

    public static DialectInfo Draft7 { get; } = new(JsonSchemaDialect.Draft7, false, true, false);

    public bool IsDraft7 => Dialect == JsonSchemaDialect.Draft7;
}
