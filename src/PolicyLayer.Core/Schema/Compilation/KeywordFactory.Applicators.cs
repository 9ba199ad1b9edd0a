using PolicyLayer.Json;
using System.Text.Json;
using PolicyLayer.Schema.Evaluation;
using PolicyLayer.Schema.Keywords;

namespace PolicyLayer.Schema.Compilation;

/// <summary>The applicator vocabulary: keywords that apply subschemas.</summary>
internal sealed partial class KeywordFactory
{
    private void AddApplicators(BuildContext context, List<Keyword> keywords)
    {
        var schema = context.Schema;
        var location = context.Location;
        var dialect = context.Scope.Dialect;

        if (schema.TryGetProperty("allOf", out var allOf))
        {
            keywords.Add(new AllOfKeyword(location, SchemaArray(context, "allOf", allOf)));
        }

        if (schema.TryGetProperty("anyOf", out var anyOf))
        {
            keywords.Add(new AlternativesKeyword("anyOf", location, SchemaArray(context, "anyOf", anyOf), exactlyOne: false));
        }

        if (schema.TryGetProperty("oneOf", out var oneOf))
        {
            keywords.Add(new AlternativesKeyword("oneOf", location, SchemaArray(context, "oneOf", oneOf), exactlyOne: true));
        }

        if (schema.TryGetProperty("not", out var not))
        {
            keywords.Add(new NotKeyword(location, context.Child("not", not)));
        }

        if (schema.TryGetProperty("if", out var condition))
        {
            var then = schema.TryGetProperty("then", out var thenValue) ? context.Child("then", thenValue) : null;
            var otherwise = schema.TryGetProperty("else", out var elseValue) ? context.Child("else", elseValue) : null;
            keywords.Add(new ConditionalKeyword(location, context.Child("if", condition), then, otherwise));
        }

        AddObjectApplicators(context, keywords);
        AddArrayApplicators(context, keywords, dialect);

        if (schema.TryGetProperty("propertyNames", out var propertyNames))
        {
            keywords.Add(new PropertyNamesKeyword(location, context.Child("propertyNames", propertyNames)));
        }
    }

    private void AddObjectApplicators(BuildContext context, List<Keyword> keywords)
    {
        var schema = context.Schema;
        var location = context.Location;
        PropertyName[] names = [];
        SchemaNode[] schemas = [];
        SchemaRegex[] patterns = [];
        SchemaNode[] patternSchemas = [];
        SchemaNode? additionalSchema = null;
        var hasProperties = schema.TryGetProperty("properties", out var properties);
        if (hasProperties)
        {
            (names, schemas) = SchemaMap(context, "properties", properties);
        }

        var hasPatterns = schema.TryGetProperty("patternProperties", out var patternProperties);
        if (hasPatterns)
        {
            var (sources, sourceSchemas) = SchemaMap(context, "patternProperties", patternProperties);
            var regexes = new List<SchemaRegex>();
            var nodes = new List<SchemaNode>();
            for (var i = 0; i < sources.Length; i++)
            {
                if (TryPattern(context, JsonPointer.Append(context.KeywordLocation("patternProperties"), sources[i].Text), sources[i].Text, out var regex))
                {
                    regexes.Add(regex);
                    nodes.Add(sourceSchemas[i]);
                }
            }

            patterns = [.. regexes];
            patternSchemas = [.. nodes];
        }

        if (schema.TryGetProperty("additionalProperties", out var additional))
        {
            additionalSchema = context.Child("additionalProperties", additional);
        }

        if (hasProperties || hasPatterns || additionalSchema is not null || context.Required is not null)
        {
            keywords.Add(new PropertiesKeyword(location, names, schemas, patterns, patternSchemas, additionalSchema, context.Required ?? []));
        }

        if (!context.Scope.Dialect.IsDraft7 && schema.TryGetProperty("dependentSchemas", out var dependentSchemas))
        {
            var (triggers, dependents) = SchemaMap(context, "dependentSchemas", dependentSchemas);
            keywords.Add(new DependentSchemasKeyword("dependentSchemas", location, triggers, dependents));
        }

        // draft-07's dependencies; later drafts split it in two but documents still use it, so it is honoured there too.
        if (schema.TryGetProperty("dependencies", out var dependencies))
        {
            AddDependencies(context, keywords, dependencies);
        }
    }

    private void AddDependencies(BuildContext context, List<Keyword> keywords, JsonElement dependencies)
    {
        if (dependencies.ValueKind != JsonValueKind.Object)
        {
            Error(context, "dependencies", "'dependencies' must be an object mapping a property name to a schema or an array of names");
            return;
        }

        var schemaTriggers = new List<PropertyName>();
        var schemas = new List<SchemaNode>();
        var requiredTriggers = new List<PropertyName>();
        var required = new List<PropertyName[]>();
        foreach (var entry in dependencies.EnumerateObject())
        {
            if (entry.Value.ValueKind == JsonValueKind.Array)
            {
                var names = StringArray(context, JsonPointer.Append(context.KeywordLocation("dependencies"), entry.Name), entry.Value, "dependencies");
                if (names is not null)
                {
                    requiredTriggers.Add(new PropertyName(entry.Name));
                    required.Add(names);
                }
            }
            else
            {
                schemaTriggers.Add(new PropertyName(entry.Name));
                schemas.Add(context.Child("dependencies", entry.Name, entry.Value));
            }
        }

        keywords.Add(new DependentRequiredKeyword("dependencies", context.Location, [.. requiredTriggers], [.. required]));
        keywords.Add(new DependentSchemasKeyword("dependencies", context.Location, [.. schemaTriggers], [.. schemas]));
    }

    private void AddArrayApplicators(BuildContext context, List<Keyword> keywords, DialectInfo dialect)
    {
        var schema = context.Schema;
        var location = context.Location;
        var tupleLength = -1; // -1: no tuple form
        var hasItems = schema.TryGetProperty("items", out var items);

        if (!dialect.IsDraft7 && !dialect.Is201909 && schema.TryGetProperty("prefixItems", out var prefixItems))
        {
            var prefix = new PrefixItemsKeyword("prefixItems", location, SchemaArray(context, "prefixItems", prefixItems));
            keywords.Add(prefix);
            tupleLength = prefix.Length;
        }

        if (hasItems)
        {
            var legacyTuple = (dialect.IsDraft7 || dialect.Is201909) && items.ValueKind == JsonValueKind.Array;
            if (legacyTuple)
            {
                var tuple = new PrefixItemsKeyword("items", location, SchemaArray(context, "items", items, allowEmpty: true));
                keywords.Add(tuple);
                tupleLength = tuple.Length;
            }
            else if (items.ValueKind == JsonValueKind.Array)
            {
                Error(context, "items", "in draft 2020-12 'items' takes one schema; use 'prefixItems' for a per-position array of schemas");
            }
            else
            {
                keywords.Add(new ItemsKeyword("items", location, context.Child("items", items), Math.Max(tupleLength, 0)));
            }
        }

        if ((dialect.IsDraft7 || dialect.Is201909) && schema.TryGetProperty("additionalItems", out var additionalItems)
            && hasItems && items.ValueKind == JsonValueKind.Array)
        {
            keywords.Add(new ItemsKeyword("additionalItems", location, context.Child("additionalItems", additionalItems), Math.Max(tupleLength, 0)));
        }

        if (schema.TryGetProperty("contains", out var contains))
        {
            long min = 1;
            var max = long.MaxValue;
            if (!dialect.IsDraft7)
            {
                if (schema.TryGetProperty("minContains", out var minContains) && TryCount(context, "minContains", minContains, out var minValue))
                {
                    min = minValue;
                }

                if (schema.TryGetProperty("maxContains", out var maxContains) && TryCount(context, "maxContains", maxContains, out var maxValue))
                {
                    max = maxValue;
                }
            }

            keywords.Add(new ContainsKeyword(location, context.Child("contains", contains), min, max));
        }
    }
}
