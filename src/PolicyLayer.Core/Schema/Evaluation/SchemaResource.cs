namespace PolicyLayer.Schema.Evaluation;

/// <summary>A schema resource: the scope of one <c>$id</c>, holding its dynamic anchors.</summary>
internal sealed class SchemaResource
{
    public SchemaResource(string uri, JsonSchemaDialect dialect, bool is201909)
    {
        Uri = uri;
        Dialect = dialect;
        Is201909 = is201909;
    }

    /// <summary>The absolute URI of the resource, without fragment.</summary>
    public string Uri { get; }

    /// <summary>The dialect its keywords follow.</summary>
    public JsonSchemaDialect Dialect { get; }

    /// <summary>Whether the resource declared draft 2019-09 (evaluated as 2020-12 where the drafts agree).</summary>
    public bool Is201909 { get; }

    /// <summary>The <c>$dynamicAnchor</c>s of the resource, by name.</summary>
    public Dictionary<string, SchemaNode> DynamicAnchors { get; } = new(StringComparer.Ordinal);
}
