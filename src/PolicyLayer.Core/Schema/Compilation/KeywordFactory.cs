using System.Text;
using System.Text.Json;
using PolicyLayer.Json;
using PolicyLayer.Schema.Evaluation;
using PolicyLayer.Schema.Formats;
using PolicyLayer.Schema.Keywords;

namespace PolicyLayer.Schema.Compilation;

/// <summary>
/// Turns the keywords of one schema object into <see cref="Keyword"/>s for its dialect, checking each keyword's value
/// the way the metaschema would and reporting every problem with its location and a fix.
/// </summary>
internal sealed partial class KeywordFactory(SchemaCompiler compiler)
{
    private static readonly Dictionary<string, JsonTypes> TypeNames = new(StringComparer.Ordinal)
    {
        ["null"] = JsonTypes.Null,
        ["boolean"] = JsonTypes.Boolean,
        ["object"] = JsonTypes.Object,
        ["array"] = JsonTypes.Array,
        ["number"] = JsonTypes.Number,
        ["string"] = JsonTypes.String,
        ["integer"] = JsonTypes.Integer,
    };

    public void Build(SchemaNode node, SchemaDocument document, string pointer, JsonElement schema, SchemaScope scope)
    {
        var context = new BuildContext(node, document, pointer, schema, scope) { Compiler = compiler };
        var keywords = new List<Keyword>();
        var dialect = scope.Dialect;

        if (schema.TryGetProperty("$ref", out var reference))
        {
            AddReference(context, keywords, reference, dynamic: false);
            if (dialect.IsDraft7)
            {
                node.Keywords = [.. keywords];
                return; // draft-07: $ref makes its siblings ignored
            }
        }

        if (dialect.Is201909 && schema.TryGetProperty("$recursiveAnchor", out var recursiveAnchor))
        {
            // With "$recursiveAnchor": true, a $recursiveRef reaching this resource resolves against the dynamic scope
            // (an extending schema takes its place). That is not implemented, and resolving it statically would let
            // values through that the extending schema forbids: refuse the schema instead. The built-in 2019-09
            // metaschemas are the exception: statically they are exact, as any schema extending them is refused here.
            if (recursiveAnchor.ValueKind == JsonValueKind.True)
            {
                if (!Metaschemas.TryGet(context.Document.Uri, out _))
                {
                    Error(context, "$recursiveAnchor", "'$recursiveAnchor': true (2019-09 dynamic recursion) is not supported; write the schema as draft 2020-12 with '$dynamicAnchor' and '$dynamicRef', or remove '$recursiveAnchor' if no schema extends this one");
                }
            }
            else if (recursiveAnchor.ValueKind != JsonValueKind.False)
            {
                Error(context, "$recursiveAnchor", $"'$recursiveAnchor' must be a boolean, not {ValueText.KindName(recursiveAnchor.ValueKind)}");
            }
        }

        if (dialect.Is201909 && schema.TryGetProperty("$recursiveRef", out var recursiveReference))
        {
            // Without "$recursiveAnchor": true at its target (refused above), $recursiveRef is exactly a $ref.
            AddReference(context, keywords, recursiveReference, dynamic: false);
        }

        if (!dialect.IsDraft7 && schema.TryGetProperty("$dynamicRef", out var dynamicReference))
        {
            AddReference(context, keywords, dynamicReference, dynamic: true);
        }

        if (dialect.Validation)
        {
            AddValidation(context, keywords);
        }

        AddApplicators(context, keywords);
        AddFormat(context, keywords);

        // unevaluated* need every sibling's annotations, so they run last.
        if (!dialect.IsDraft7)
        {
            if (schema.TryGetProperty("unevaluatedItems", out var unevaluatedItems))
            {
                keywords.Add(new UnevaluatedItemsKeyword(context.Location, context.Child("unevaluatedItems", unevaluatedItems)));
                node.TracksEvaluated = true;
            }

            if (schema.TryGetProperty("unevaluatedProperties", out var unevaluatedProperties))
            {
                keywords.Add(new UnevaluatedPropertiesKeyword(context.Location, context.Child("unevaluatedProperties", unevaluatedProperties)));
                node.TracksEvaluated = true;
            }
        }

        node.Keywords = [.. keywords];
    }

    private void AddReference(BuildContext context, List<Keyword> keywords, JsonElement value, bool dynamic)
    {
        var name = dynamic ? "$dynamicRef" : "$ref";
        if (value.ValueKind != JsonValueKind.String)
        {
            Error(context, name, $"'{name}' must be a string holding a URI reference, such as \"#/$defs/name\"");
            return;
        }

        var location = context.Document.Display(JsonPointer.Append(context.Pointer, name));
        var target = compiler.ResolveReference(value.GetString()!, context.Scope, location, out var targetElement);
        if (target is null)
        {
            return;
        }

        if (!dynamic)
        {
            keywords.Add(new RefKeyword(context.Location) { Target = target });
            return;
        }

        compiler.UsesDynamicScope = true;
        var fragment = SchemaUris.Fragment(value.GetString()!);
        string? anchor = null;
        if (fragment.Length > 0 && fragment[0] != '/' && targetElement.ValueKind == JsonValueKind.Object
            && targetElement.TryGetProperty("$dynamicAnchor", out var declared) && declared.ValueKind == JsonValueKind.String
            && declared.GetString() == fragment)
        {
            anchor = fragment;
        }

        keywords.Add(new DynamicRefKeyword(context.Location) { Target = target, AnchorName = anchor });
    }

    private void AddFormat(BuildContext context, List<Keyword> keywords)
    {
        if (!context.Schema.TryGetProperty("format", out var format))
        {
            return;
        }

        if (format.ValueKind != JsonValueKind.String)
        {
            Error(context, "format", "'format' must be a string such as \"date-time\"");
            return;
        }

        var name = format.GetString()!;
        if (FormatCheckers.TryGet(name, out var checker))
        {
            var keyword = new FormatKeyword(context.Location, name, checker);
            keywords.Add(context.Scope.Dialect.FormatAssertion ? new AlwaysAssert(keyword) : keyword);
        }
    }

    private void Error(BuildContext context, string keyword, string message) =>
        compiler.AddError(context.Document.Display(JsonPointer.Append(context.Pointer, keyword)), message);

    private SchemaNode[] SchemaArray(BuildContext context, string keyword, JsonElement value, bool allowEmpty = false)
    {
        if (value.ValueKind != JsonValueKind.Array || (!allowEmpty && value.GetArrayLength() == 0))
        {
            Error(context, keyword, $"'{keyword}' must be a non-empty array of schemas");
            return [];
        }

        var nodes = new SchemaNode[value.GetArrayLength()];
        var index = 0;
        foreach (var item in value.EnumerateArray())
        {
            nodes[index] = context.Child(keyword, index, item);
            index++;
        }

        return nodes;
    }

    private (PropertyName[] Names, SchemaNode[] Schemas) SchemaMap(BuildContext context, string keyword, JsonElement value)
    {
        if (value.ValueKind != JsonValueKind.Object)
        {
            Error(context, keyword, $"'{keyword}' must be an object whose values are schemas");
            return ([], []);
        }

        var names = new List<PropertyName>();
        var schemas = new List<SchemaNode>();
        foreach (var entry in value.EnumerateObject())
        {
            names.Add(new PropertyName(entry.Name));
            schemas.Add(context.Child(keyword, entry.Name, entry.Value));
        }

        return ([.. names], [.. schemas]);
    }

    private PropertyName[]? StringArray(BuildContext context, string location, JsonElement value, string keyword)
    {
        if (value.ValueKind != JsonValueKind.Array)
        {
            compiler.AddError(location, $"'{keyword}' must be an array of property names, such as [\"id\", \"name\"]");
            return null;
        }

        var names = new List<PropertyName>();
        var seen = new HashSet<string>(StringComparer.Ordinal);
        var index = 0;
        foreach (var item in value.EnumerateArray())
        {
            if (item.ValueKind != JsonValueKind.String)
            {
                compiler.AddError(JsonPointer.Append(location, index), $"every item of '{keyword}' must be a string (a property name), not {ValueText.KindName(item.ValueKind)}");
            }
            else if (!seen.Add(item.GetString()!))
            {
                compiler.AddError(JsonPointer.Append(location, index), $"'{item.GetString()}' appears more than once in '{keyword}'; list each name once");
            }
            else
            {
                names.Add(new PropertyName(item.GetString()!));
            }

            index++;
        }

        return [.. names];
    }

    private bool TryNumber(BuildContext context, string keyword, JsonElement value, out byte[] raw, out string text)
    {
        raw = [];
        text = string.Empty;
        if (value.ValueKind != JsonValueKind.Number)
        {
            var hint = value.ValueKind == JsonValueKind.String ? $"; write {value.GetString()} without quotes" : string.Empty;
            Error(context, keyword, $"'{keyword}' must be a number, not {ValueText.KindName(value.ValueKind)}{hint}");
            return false;
        }

        text = value.GetRawText();
        raw = Encoding.UTF8.GetBytes(text);
        return true;
    }

    private bool TryCount(BuildContext context, string keyword, JsonElement value, out long count)
    {
        count = 0;
        if (value.ValueKind == JsonValueKind.Number && JsonValues.IsInteger(value))
        {
            if (value.TryGetInt64(out count) && count >= 0)
            {
                return true;
            }

            if (value.TryGetDouble(out var d) && d >= 0)
            {
                count = d >= long.MaxValue ? long.MaxValue : (long)d;
                return true;
            }
        }

        Error(context, keyword, $"'{keyword}' must be a non-negative integer, such as 1");
        return false;
    }

    private bool TryPattern(BuildContext context, string location, string pattern, out SchemaRegex regex)
    {
        if (EcmaRegex.TryCreate(pattern, compiler.Options.RegexTimeout, out regex, out var error))
        {
            return true;
        }

        compiler.AddError(location, $"'{pattern}' is not a valid regular expression ({error}); fix the pattern");
        return false;
    }

    /// <summary>Where a keyword is being built, and how to build its subschemas.</summary>
    private sealed class BuildContext(SchemaNode node, SchemaDocument document, string pointer, JsonElement schema, SchemaScope scope)
    {
        public SchemaNode Node { get; } = node;

        public SchemaDocument Document { get; } = document;

        public string Pointer { get; } = pointer;

        public JsonElement Schema { get; } = schema;

        public SchemaScope Scope { get; } = scope;

        public string Location => Node.Location;

        public SchemaCompiler Compiler { get; set; } = null!;

        /// <summary>The names <c>required</c> lists, when the validation vocabulary applies and it lists any.</summary>
        public PropertyName[]? Required { get; set; }

        public SchemaNode Child(string keyword, JsonElement value) =>
            Compiler.CompileNode(Document, JsonPointer.Append(Pointer, keyword), value);

        public SchemaNode Child(string keyword, int index, JsonElement value) =>
            Compiler.CompileNode(Document, JsonPointer.Append(JsonPointer.Append(Pointer, keyword), index), value);

        public SchemaNode Child(string keyword, string name, JsonElement value) =>
            Compiler.CompileNode(Document, JsonPointer.Append(JsonPointer.Append(Pointer, keyword), name), value);

        public string KeywordLocation(string keyword) => Document.Display(JsonPointer.Append(Pointer, keyword));
    }
}

/// <summary>A format keyword asserted whatever the options say (the format-assertion vocabulary is in use).</summary>
internal sealed class AlwaysAssert(FormatKeyword inner) : Keyword("format", inner.NodeLocation)
{
    public override bool Evaluate(EvaluationState state, in JsonProperties instance, int depth, EvaluatedSet? evaluated) =>
        inner.EvaluateAsserting(state, instance);
}
