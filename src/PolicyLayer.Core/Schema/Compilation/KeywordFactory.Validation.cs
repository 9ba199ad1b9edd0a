using PolicyLayer.Json;
using System.Text.Json;
using PolicyLayer.Schema.Keywords;

namespace PolicyLayer.Schema.Compilation;

/// <summary>The validation vocabulary: type, const, enum, numbers, strings, counts, required.</summary>
internal sealed partial class KeywordFactory
{
    private void AddValidation(BuildContext context, List<Keyword> keywords)
    {
        var schema = context.Schema;
        var location = context.Location;
        if (schema.TryGetProperty("type", out var type))
        {
            AddType(context, keywords, type);
        }

        if (schema.TryGetProperty("const", out var constant))
        {
            keywords.Add(new ConstKeyword(location, constant.Clone()));
        }

        if (schema.TryGetProperty("enum", out var values))
        {
            if (values.ValueKind != JsonValueKind.Array)
            {
                Error(context, "enum", "'enum' must be an array of the allowed values, such as [\"a\", \"b\"]");
            }
            else
            {
                keywords.Add(new EnumKeyword(location, [.. values.EnumerateArray().Select(v => v.Clone())]));
            }
        }

        AddBound(context, keywords, "minimum", BoundKind.Minimum);
        AddBound(context, keywords, "maximum", BoundKind.Maximum);
        AddBound(context, keywords, "exclusiveMinimum", BoundKind.ExclusiveMinimum);
        AddBound(context, keywords, "exclusiveMaximum", BoundKind.ExclusiveMaximum);

        if (schema.TryGetProperty("multipleOf", out var multipleOf) && TryNumber(context, "multipleOf", multipleOf, out var divisor, out var divisorText))
        {
            if (Json.JsonNumber.Parse(divisor) is var parsed && (parsed.Negative || parsed.IsZero))
            {
                Error(context, "multipleOf", "'multipleOf' must be greater than 0");
            }
            else
            {
                keywords.Add(new MultipleOfKeyword(location, divisor, divisorText));
            }
        }

        AddCount(context, keywords, "minLength", (n, l) => new LengthKeyword("minLength", location, l, isMinimum: true));
        AddCount(context, keywords, "maxLength", (n, l) => new LengthKeyword("maxLength", location, l, isMinimum: false));
        AddCount(context, keywords, "minItems", (n, l) => new ItemCountKeyword("minItems", location, l, isMinimum: true));
        AddCount(context, keywords, "maxItems", (n, l) => new ItemCountKeyword("maxItems", location, l, isMinimum: false));
        AddCount(context, keywords, "minProperties", (n, l) => new PropertyCountKeyword("minProperties", location, l, isMinimum: true));
        AddCount(context, keywords, "maxProperties", (n, l) => new PropertyCountKeyword("maxProperties", location, l, isMinimum: false));

        if (schema.TryGetProperty("pattern", out var pattern))
        {
            if (pattern.ValueKind != JsonValueKind.String)
            {
                Error(context, "pattern", "'pattern' must be a string holding a regular expression");
            }
            else if (TryPattern(context, context.KeywordLocation("pattern"), pattern.GetString()!, out var regex))
            {
                keywords.Add(new PatternKeyword(location, regex));
            }
        }

        if (schema.TryGetProperty("uniqueItems", out var unique))
        {
            if (unique.ValueKind is not (JsonValueKind.True or JsonValueKind.False))
            {
                Error(context, "uniqueItems", "'uniqueItems' must be true or false");
            }
            else if (unique.ValueKind == JsonValueKind.True)
            {
                keywords.Add(new UniqueItemsKeyword(location));
            }
        }

        if (schema.TryGetProperty("required", out var required))
        {
            // Checked together with properties and additionalProperties, in one pass over the object.
            var names = StringArray(context, context.KeywordLocation("required"), required, "required");
            if (names is { Length: > 0 })
            {
                context.Required = names;
            }
        }

        if (!context.Scope.Dialect.IsDraft7 && schema.TryGetProperty("dependentRequired", out var dependentRequired))
        {
            AddDependentRequired(context, keywords, "dependentRequired", dependentRequired);
        }
    }

    private void AddType(BuildContext context, List<Keyword> keywords, JsonElement type)
    {
        const string Hint = "use one of \"array\", \"boolean\", \"integer\", \"null\", \"number\", \"object\", \"string\"";
        var types = JsonTypes.None;
        var names = new List<string>();
        if (type.ValueKind == JsonValueKind.String)
        {
            if (TypeNames.TryGetValue(type.GetString()!, out var single))
            {
                types = single;
                names.Add(type.GetString()!);
            }
            else
            {
                Error(context, "type", $"'{type.GetString()}' is not a JSON Schema type; {Hint}");
                return;
            }
        }
        else if (type.ValueKind == JsonValueKind.Array)
        {
            var index = 0;
            foreach (var item in type.EnumerateArray())
            {
                var itemLocation = JsonPointer.Append(context.KeywordLocation("type"), index++);
                if (item.ValueKind == JsonValueKind.String && TypeNames.TryGetValue(item.GetString()!, out var flag))
                {
                    if ((types & flag) != 0)
                    {
                        compiler.AddError(itemLocation, $"the type '{item.GetString()}' is listed twice; list each type once");
                    }

                    types |= flag;
                    names.Add(item.GetString()!);
                }
                else
                {
                    compiler.AddError(itemLocation, $"{ValueText.Describe(item)} is not a JSON Schema type; {Hint}");
                }
            }
        }
        else
        {
            Error(context, "type", $"'type' must be a type name or an array of type names; {Hint}");
            return;
        }

        var expected = names.Count switch
        {
            0 => "nothing (the type list is empty)",
            1 => ValueText.KindNameOf(names[0]),
            _ => string.Join(", ", names.Take(names.Count - 1).Select(ValueText.KindNameOf)) + " or " + ValueText.KindNameOf(names[^1]),
        };
        keywords.Add(new TypeKeyword(context.Location, types, expected));
    }

    private void AddBound(BuildContext context, List<Keyword> keywords, string name, BoundKind kind)
    {
        if (!context.Schema.TryGetProperty(name, out var value))
        {
            return;
        }

        if (TryNumber(context, name, value, out var raw, out var text))
        {
            keywords.Add(new BoundKeyword(name, context.Location, kind, raw, text));
        }
    }

    private void AddCount(BuildContext context, List<Keyword> keywords, string name, Func<string, long, Keyword> create)
    {
        if (context.Schema.TryGetProperty(name, out var value) && TryCount(context, name, value, out var count))
        {
            keywords.Add(create(name, count));
        }
    }

    private void AddDependentRequired(BuildContext context, List<Keyword> keywords, string name, JsonElement value)
    {
        if (value.ValueKind != JsonValueKind.Object)
        {
            Error(context, name, $"'{name}' must be an object mapping a property name to the names it requires");
            return;
        }

        var triggers = new List<PropertyName>();
        var required = new List<PropertyName[]>();
        foreach (var entry in value.EnumerateObject())
        {
            var names = StringArray(context, JsonPointer.Append(context.KeywordLocation(name), entry.Name), entry.Value, name);
            if (names is not null)
            {
                triggers.Add(new PropertyName(entry.Name));
                required.Add(names);
            }
        }

        keywords.Add(new DependentRequiredKeyword(name, context.Location, [.. triggers], [.. required]));
    }
}
