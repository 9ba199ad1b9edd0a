using PolicyLayer.Json;
using System.Text.Json;
using PolicyLayer.Schema.Evaluation;
using PolicyLayer.Schema.Keywords;

namespace PolicyLayer.Schema.Compilation;

/// <summary>
/// Compiles a schema document, and every document it refers to, into a graph of <see cref="SchemaNode"/>s.
/// </summary>
/// <remarks>
/// Two passes: a scan records every resource, anchor and scope; then nodes are built on demand from the root,
/// each cached by location so that references (cycles included) share nodes. References are resolved against the
/// scanned documents, the <see cref="JsonSchemaRegistry"/> and the built-in metaschemas; nothing is fetched.
/// </remarks>
internal sealed partial class SchemaCompiler
{
    private readonly JsonSchemaOptions _options;
    private readonly List<JsonSchemaCompileError> _errors = [];
    private readonly Dictionary<string, SchemaDocument> _documents = new(StringComparer.Ordinal);
    private readonly List<SchemaDocument> _registeredDocuments = [];      // loaded from the host's registry, in order
    private readonly HashSet<string> _unreadableDocuments = new(StringComparer.Ordinal); // registered, refused for text that is not Unicode
    private readonly Dictionary<string, (SchemaDocument Document, string Pointer, SchemaResource Resource)> _resources = new(StringComparer.Ordinal);
    private readonly Dictionary<string, (SchemaDocument Document, string Pointer)> _anchors = new(StringComparer.Ordinal);
    private readonly Dictionary<string, SchemaScope> _scopes = new(StringComparer.Ordinal);
    private readonly Dictionary<string, SchemaNode> _nodes = new(StringComparer.Ordinal);
    private readonly List<(SchemaResource Resource, string Name, SchemaDocument Document, string Pointer)> _dynamicAnchors = [];
    private readonly HashSet<string> _reportedLocations = new(StringComparer.Ordinal);
    private readonly List<(SchemaDocument Document, string Pointer)> _scanned = [];
    private readonly KeywordFactory _keywords;
    private readonly ResourceScanner _scanner;
    private int _nesting;

    /// <summary>How deep schemas may nest: in the document, and counting each reference followed as one level.</summary>
    internal const int MaxNesting = 256;

    public SchemaCompiler(JsonSchemaOptions options)
    {
        _options = options;
        _keywords = new KeywordFactory(this);
        _scanner = new ResourceScanner(this);
    }

    public IReadOnlyList<JsonSchemaCompileError> Errors => _errors;

    public JsonSchemaOptions Options => _options;

    public bool UsesDynamicScope { get; set; }

    public SchemaNode? Compile(JsonElement schema)
    {
        if (!UnreadableText.Check(new SchemaDocument(SchemaUris.DefaultBase, schema, isRoot: true), this))
        {
            return null;
        }

        var dialect = _options.DefaultDialect == JsonSchemaDialect.Draft7 ? DialectInfo.Draft7 : DialectInfo.Draft202012;
        var baseUri = SchemaUris.DefaultBase;
        if (schema.ValueKind == JsonValueKind.Object && schema.TryGetProperty("$id", out var id) && id.ValueKind == JsonValueKind.String
            && SchemaUris.TryResolve(SchemaUris.DefaultBase, id.GetString()!, out var resolved))
        {
            baseUri = SchemaUris.WithoutFragment(resolved);
        }

        var document = new SchemaDocument(baseUri, schema, isRoot: true);
        _documents[baseUri] = document;
        _scanner.Scan(document, baseUri, dialect);
        var root = CompileNode(document, string.Empty, schema);
        FinishDynamicAnchors();
        var reachable = _nodes.Values.ToList();
        CompileUnreferenced(document);
        if (_errors.Count == 0)
        {
            // Only what evaluation can reach: an unused definition that refers to itself is harmless.
            InPlaceCycles.Report(reachable, this);
        }

        if (_errors.Count == 0 && _options.ChecksMetaschema)
        {
            // The host's documents a reference reached answer to their metaschema too; the shipped ones need no check.
            CheckAgainstMetaschema(document);
            foreach (var registered in _registeredDocuments)
            {
                CheckAgainstMetaschema(registered);
            }
        }

        return _errors.Count == 0 ? root : null;
    }

    public void AddError(string location, string message)
    {
        if (_reportedLocations.Add(location + "\n" + message))
        {
            _errors.Add(new JsonSchemaCompileError(location, message));
        }
    }

    public SchemaResource CreateResource(string uri, DialectInfo dialect, SchemaDocument document, string pointer)
    {
        if (_resources.TryGetValue(uri, out var existing))
        {
            return existing.Resource;
        }

        var resource = new SchemaResource(uri, dialect.Dialect, dialect.Is201909);
        _resources[uri] = (document, pointer, resource);
        return resource;
    }

    public void RegisterAnchor(string uri, SchemaDocument document, string pointer) => _anchors.TryAdd(uri, (document, pointer));

    public void RegisterDynamicAnchor(SchemaResource resource, string name, SchemaDocument document, string pointer)
    {
        UsesDynamicScope = true;
        _dynamicAnchors.Add((resource, name, document, pointer));
    }

    public void RecordScope(SchemaDocument document, string pointer, SchemaScope scope)
    {
        if (_scopes.TryAdd(document.Key(pointer), scope))
        {
            _scanned.Add((document, pointer));
        }
    }

    /// <summary>The dialect a <c>$schema</c> URI selects, from the drafts known built in or a registered metaschema.</summary>
    public DialectInfo? ResolveDialect(string uri, string location)
    {
        var trimmed = uri.TrimEnd('#');
        switch (trimmed)
        {
            case "https://json-schema.org/draft/2020-12/schema":
                return DialectInfo.Draft202012;
            case "https://json-schema.org/draft/2019-09/schema":
                return DialectInfo.Draft201909;
            case "http://json-schema.org/draft-07/schema":
                return DialectInfo.Draft7;
            case "http://json-schema.org/draft-06/schema":
            case "http://json-schema.org/draft-04/schema":
                // Read as draft-07 they mislead: draft-04's boolean exclusiveMinimum and its 'id' mean other things.
                AddError(location, $"{(trimmed.Contains("04", StringComparison.Ordinal) ? "draft-04" : "draft-06")} is not supported; write the schema as draft-07 (\"http://json-schema.org/draft-07/schema#\") or 2020-12 (\"https://json-schema.org/draft/2020-12/schema\")");
                return null;
        }

        if (Uri.TryCreate(trimmed, UriKind.Absolute, out var absolute) && _options.Registry?.TryGet(absolute, out var metaschema) == true
            && metaschema.ValueKind == JsonValueKind.Object)
        {
            var parent = metaschema.TryGetProperty("$schema", out var parentUri) && parentUri.ValueKind == JsonValueKind.String
                && parentUri.GetString()!.TrimEnd('#') != trimmed
                ? ResolveDialect(parentUri.GetString()!, location) ?? DialectInfo.Draft202012
                : DialectInfo.Draft202012;
            if (metaschema.TryGetProperty("$vocabulary", out var vocabulary) && vocabulary.ValueKind == JsonValueKind.Object)
            {
                var validation = false;
                var formatAssertion = false;
                foreach (var entry in vocabulary.EnumerateObject())
                {
                    validation |= entry.Name.EndsWith("/vocab/validation", StringComparison.Ordinal);
                    formatAssertion |= entry.Name.EndsWith("/vocab/format-assertion", StringComparison.Ordinal);
                }

                return parent with { Validation = validation, FormatAssertion = formatAssertion };
            }

            return parent;
        }

        AddError(location, $"unknown $schema '{uri}'; use \"https://json-schema.org/draft/2020-12/schema\" or \"http://json-schema.org/draft-07/schema#\", or register the metaschema with JsonSchemaRegistry");
        return null;
    }

    /// <summary>Builds (or returns the cached) node for a location of a document.</summary>
    public SchemaNode CompileNode(SchemaDocument document, string pointer, JsonElement element)
    {
        var key = document.Key(pointer);
        if (_nodes.TryGetValue(key, out var cached))
        {
            return cached;
        }

        var scope = ScopeOf(document, pointer);
        var node = new SchemaNode(scope.Resource, document.Display(pointer));
        _nodes[key] = node;
        if (element.ValueKind is JsonValueKind.True or JsonValueKind.False)
        {
            node.Boolean = element.ValueKind == JsonValueKind.True;
            return node;
        }

        if (element.ValueKind != JsonValueKind.Object)
        {
            AddError(document.Display(pointer), $"a schema must be an object or a boolean, not {ValueText.KindName(element.ValueKind)}; write {{}} to allow anything");
            node.Boolean = true;
            return node;
        }

        if (_nesting > MaxNesting)
        {
            AddError(document.Display(pointer), $"the schema is nested more than {MaxNesting} levels deep, counting each $ref (or $dynamicRef) followed as one level; shorten the chain of references, or flatten the nesting with $defs and $ref");
            node.Boolean = false;
            return node;
        }

        _nesting++;
        try
        {
            _keywords.Build(node, document, pointer, element, scope);
        }
        finally
        {
            _nesting--;
        }

        return node;
    }

    /// <summary>Resolves a reference to a node; reports an error (and returns null) when it cannot.</summary>
    public SchemaNode? ResolveReference(string reference, SchemaScope scope, string location, out JsonElement targetElement)
    {
        targetElement = default;
        if (!SchemaUris.TryResolve(scope.BaseUri, reference, out var absolute))
        {
            AddError(location, $"cannot resolve the reference '{reference}' against the base URI '{scope.BaseUri}'; give the schema an absolute $id or use an absolute reference");
            return null;
        }

        var baseUri = SchemaUris.WithoutFragment(absolute);
        var fragment = SchemaUris.Fragment(absolute);
        if (!_resources.TryGetValue(baseUri, out var resource) && !TryLoad(baseUri))
        {
            if (_unreadableDocuments.Contains(baseUri))
            {
                return null; // its errors are reported already
            }

            AddError(location, $"the reference '{reference}' points to '{baseUri}', which is not known; schemas are never downloaded: register that document with JsonSchemaRegistry (JsonSchemaOptions.Registry)");
            return null;
        }

        resource = _resources[baseUri];
        SchemaDocument document;
        string pointer;
        if (fragment.Length == 0 || fragment[0] == '/')
        {
            document = resource.Document;
            pointer = resource.Pointer + JsonPointer.FromFragment(fragment);
        }
        else if (_anchors.TryGetValue(baseUri + "#" + fragment, out var anchor))
        {
            (document, pointer) = anchor;
        }
        else
        {
            AddError(location, $"the reference '{reference}' names the anchor '{fragment}', which no schema in '{baseUri}' declares; declare it with $anchor or fix the name");
            return null;
        }

        if (!JsonPointer.TryResolve(document.Root, pointer, out targetElement))
        {
            AddError(location, $"the reference '{reference}' points to '{JsonPointer.Describe(pointer)}', which does not exist in '{baseUri}'");
            return null;
        }

        return CompileNode(document, pointer, targetElement);
    }

    private bool TryLoad(string uri)
    {
        if (_documents.ContainsKey(uri))
        {
            return _resources.ContainsKey(uri);
        }

        var root = default(JsonElement);
        var fromRegistry = Uri.TryCreate(uri, UriKind.Absolute, out var absolute) && _options.Registry?.TryGet(absolute, out root) == true;
        if (!fromRegistry && !Metaschemas.TryGet(uri, out root))
        {
            return false;
        }

        var document = new SchemaDocument(uri, root, isRoot: false);
        _documents[uri] = document;
        if (fromRegistry)
        {
            if (!UnreadableText.Check(document, this))
            {
                _unreadableDocuments.Add(uri);
                return false;
            }

            _registeredDocuments.Add(document);
        }

        var dialect = _options.DefaultDialect == JsonSchemaDialect.Draft7 ? DialectInfo.Draft7 : DialectInfo.Draft202012;
        _scanner.Scan(document, uri, dialect);
        return _resources.ContainsKey(uri);
    }

    private SchemaScope ScopeOf(SchemaDocument document, string pointer)
    {
        if (_scopes.TryGetValue(document.Key(pointer), out var scope))
        {
            return scope;
        }

        // A location the scan did not reach (a reference into an unknown keyword): the nearest scanned ancestor's scope.
        foreach (var ancestor in JsonPointer.Ancestors(pointer))
        {
            if (_scopes.TryGetValue(document.Key(ancestor), out scope))
            {
                return scope;
            }
        }

        return _scopes[document.Key(string.Empty)];
    }

    /// <summary>
    /// Compiles the subschemas of the document that nothing refers to (an unused <c>$defs</c> entry, say), so that an
    /// invalid keyword value there is reported like anywhere else: the whole document must be a valid schema.
    /// </summary>
    private void CompileUnreferenced(SchemaDocument document)
    {
        // Compiling can scan more documents (references out of the unused parts); iterate by index over this one's.
        for (var i = 0; i < _scanned.Count; i++)
        {
            var (scannedDocument, pointer) = _scanned[i];
            if (ReferenceEquals(scannedDocument, document) && JsonPointer.TryResolve(document.Root, pointer, out var element))
            {
                CompileNode(document, pointer, element);
            }
        }

        FinishDynamicAnchors();
    }

    private void FinishDynamicAnchors()
    {
        // Compiling an anchor may discover more; iterate by index.
        for (var i = 0; i < _dynamicAnchors.Count; i++)
        {
            var (resource, name, document, pointer) = _dynamicAnchors[i];
            if (JsonPointer.TryResolve(document.Root, pointer, out var element))
            {
                resource.DynamicAnchors.TryAdd(name, CompileNode(document, pointer, element));
            }
        }
    }
}
