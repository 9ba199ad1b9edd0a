namespace PolicyLayer.Schema;

/// <summary>The JSON Schema drafts the validator implements.</summary>
public enum JsonSchemaDialect
{
    /// <summary>Draft 2020-12, the default and what MCP specifies. 2019-09 documents are evaluated as 2020-12.</summary>
    Draft202012,

    /// <summary>Draft-07, selected by <c>"$schema": "http://json-schema.org/draft-07/schema#"</c>.</summary>
    Draft7,
}
