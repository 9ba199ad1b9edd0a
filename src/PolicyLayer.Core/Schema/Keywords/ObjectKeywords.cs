using System.Text;
using System.Text.Json;
using PolicyLayer.Schema.Evaluation;

namespace PolicyLayer.Schema.Keywords;

/// <summary>A property name as text and as UTF-8, so element- and dictionary-backed objects both compare fast.</summary>
internal sealed class PropertyName(string text)
{
    public string Text { get; } = text;

    public byte[] Utf8 { get; } = Encoding.UTF8.GetBytes(text);
}

/// <summary><c>unevaluatedProperties</c>: applies to properties no other keyword evaluated.</summary>
internal sealed class UnevaluatedPropertiesKeyword(string nodeLocation, SchemaNode schema) : Keyword("unevaluatedProperties", nodeLocation)
{
    public override JsonTypes AppliesTo => JsonTypes.Object;

    public override bool CoversMembers => true;

    public override bool Evaluate(EvaluationState state, in JsonProperties instance, int depth, EvaluatedSet? evaluated)
    {
        if (instance.RootKind != JsonValueKind.Object || evaluated is null)
        {
            return true;
        }

        var valid = true;
        var index = 0;
        foreach (var property in instance)
        {
            if (!evaluated.IsMarked(index))
            {
                if (schema.Boolean == false)
                {
                    valid = false;
                    if (!state.CollectsErrors)
                    {
                        return false;
                    }

                    state.PushPath(property);
                    Fail(state, $"property {ValueText.Name(property.Name)} is not allowed (unevaluatedProperties); remove it");
                    state.PopPath();
                }
                else if (!EvaluateProperty(schema, state, property, depth))
                {
                    valid = false;
                    if (!state.CollectsErrors)
                    {
                        return false;
                    }
                }
            }

            index++;
        }

        if (valid)
        {
            evaluated.MarkAll();
        }

        return valid;
    }
}

/// <summary><c>minProperties</c> and <c>maxProperties</c>.</summary>
internal sealed class PropertyCountKeyword(string name, string nodeLocation, long limit, bool isMinimum) : Keyword(name, nodeLocation)
{
    public override JsonTypes AppliesTo => JsonTypes.Object;

    public override bool Evaluate(EvaluationState state, in JsonProperties instance, int depth, EvaluatedSet? evaluated)
    {
        if (instance.RootKind != JsonValueKind.Object)
        {
            return true;
        }

        var count = instance.Count;
        if (isMinimum ? count >= limit : count <= limit)
        {
            return true;
        }

        return state.CollectsErrors && Fail(state, isMinimum
            ? $"the object has {count} properties, fewer than the minimum {limit}"
            : $"the object has {count} properties, more than the maximum {limit}");
    }
}

/// <summary><c>propertyNames</c>: every name, as a string, must satisfy a schema.</summary>
internal sealed class PropertyNamesKeyword(string nodeLocation, SchemaNode schema) : Keyword("propertyNames", nodeLocation)
{
    public override JsonTypes AppliesTo => JsonTypes.Object;

    public override bool Evaluate(EvaluationState state, in JsonProperties instance, int depth, EvaluatedSet? evaluated)
    {
        if (instance.RootKind != JsonValueKind.Object || schema.Boolean == true)
        {
            return true;
        }

        var valid = true;
        foreach (var property in instance)
        {
            // Names are not JSON values; wrap each in a tiny document so the subschema sees a string.
            var name = property.Name;
            using var document = JsonDocument.Parse(JsonSerializerLite.Quote(name));
            if (!Test(schema, state, new JsonProperties(document.RootElement), depth + 1, null))
            {
                valid = false;
                if (!state.CollectsErrors)
                {
                    return false;
                }

                Fail(state, $"the property name {ValueText.Name(name)} does not satisfy 'propertyNames'");
            }
        }

        return valid;
    }
}

/// <summary><c>dependentRequired</c> and the array form of draft-07 <c>dependencies</c>.</summary>
internal sealed class DependentRequiredKeyword(string name, string nodeLocation, PropertyName[] triggers, PropertyName[][] required) : Keyword(name, nodeLocation)
{
    public override JsonTypes AppliesTo => JsonTypes.Object;

    public override bool Evaluate(EvaluationState state, in JsonProperties instance, int depth, EvaluatedSet? evaluated)
    {
        if (instance.RootKind != JsonValueKind.Object)
        {
            return true;
        }

        var valid = true;
        for (var i = 0; i < triggers.Length; i++)
        {
            if (!instance.TryGetProperty(triggers[i].Text, triggers[i].Utf8, out _))
            {
                continue;
            }

            foreach (var dependency in required[i])
            {
                if (!instance.TryGetProperty(dependency.Text, dependency.Utf8, out _))
                {
                    valid = false;
                    if (!state.CollectsErrors)
                    {
                        return false;
                    }

                    Fail(state, $"missing property {ValueText.Name(dependency.Text)}, required when {ValueText.Name(triggers[i].Text)} is present");
                }
            }
        }

        return valid;
    }
}

/// <summary><c>dependentSchemas</c> and the schema form of draft-07 <c>dependencies</c>.</summary>
internal sealed class DependentSchemasKeyword(string name, string nodeLocation, PropertyName[] triggers, SchemaNode[] schemas) : Keyword(name, nodeLocation)
{
    public override JsonTypes AppliesTo => JsonTypes.Object;

    public override IEnumerable<SchemaNode> InPlaceChildren => schemas;

    public override bool Evaluate(EvaluationState state, in JsonProperties instance, int depth, EvaluatedSet? evaluated)
    {
        if (instance.RootKind != JsonValueKind.Object)
        {
            return true;
        }

        var valid = true;
        for (var i = 0; i < triggers.Length; i++)
        {
            if (instance.TryGetProperty(triggers[i].Text, triggers[i].Utf8, out _) && !schemas[i].Evaluate(state, instance, depth, evaluated))
            {
                valid = false;
                if (!state.CollectsErrors)
                {
                    return false;
                }
            }
        }

        return valid;
    }
}

/// <summary>JSON string quoting without a serializer dependency.</summary>
internal static class JsonSerializerLite
{
    public static byte[] Quote(string text)
    {
        var buffer = new System.Buffers.ArrayBufferWriter<byte>();
        using (var writer = new Utf8JsonWriter(buffer))
        {
            writer.WriteStringValue(text);
        }

        return buffer.WrittenSpan.ToArray();
    }
}
