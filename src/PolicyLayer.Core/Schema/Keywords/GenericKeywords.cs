using System.Text.Json;
using PolicyLayer.Json;
using PolicyLayer.Schema.Evaluation;

namespace PolicyLayer.Schema.Keywords;

/// <summary>The JSON types a <c>type</c> keyword allows, as flags.</summary>
[Flags]
internal enum JsonTypes
{
    None = 0,
    Null = 1,
    Boolean = 2,
    Object = 4,
    Array = 8,
    Number = 16,
    String = 32,
    Integer = 64,
}

/// <summary><c>type</c>.</summary>
internal sealed class TypeKeyword(string nodeLocation, JsonTypes types, string expected) : Keyword("type", nodeLocation)
{
    public override bool Evaluate(EvaluationState state, in JsonProperties instance, int depth, EvaluatedSet? evaluated)
    {
        var kind = instance.RootKind;
        var actual = kind switch
        {
            JsonValueKind.Null => JsonTypes.Null,
            JsonValueKind.True or JsonValueKind.False => JsonTypes.Boolean,
            JsonValueKind.Object => JsonTypes.Object,
            JsonValueKind.Array => JsonTypes.Array,
            JsonValueKind.String => JsonTypes.String,
            JsonValueKind.Number => JsonTypes.Number,
            _ => JsonTypes.None,
        };
        if ((types & actual) != 0)
        {
            return true;
        }

        if (actual == JsonTypes.Number && (types & JsonTypes.Integer) != 0 && instance.TryGetElement(out var number) && JsonValues.IsInteger(number))
        {
            return true;
        }

        return state.CollectsErrors && Fail(state, $"{ValueText.Describe(instance)} is {ValueText.KindName(kind)}, expected {expected}");
    }
}

/// <summary><c>const</c>.</summary>
internal sealed class ConstKeyword(string nodeLocation, JsonElement value) : Keyword("const", nodeLocation)
{
    public override bool Evaluate(EvaluationState state, in JsonProperties instance, int depth, EvaluatedSet? evaluated)
    {
        if (JsonValues.DeepEquals(InstanceElements.Of(instance), value))
        {
            return true;
        }

        return state.CollectsErrors && Fail(state, $"{ValueText.Describe(instance)} must be exactly {ValueText.Literal(value)}");
    }
}

/// <summary><c>enum</c>.</summary>
internal sealed class EnumKeyword(string nodeLocation, JsonElement[] values) : Keyword("enum", nodeLocation)
{
    public override bool Evaluate(EvaluationState state, in JsonProperties instance, int depth, EvaluatedSet? evaluated)
    {
        var element = InstanceElements.Of(instance);
        foreach (var value in values)
        {
            if (JsonValues.DeepEquals(element, value))
            {
                return true;
            }
        }

        return state.CollectsErrors && Fail(state, $"{ValueText.Describe(instance)} is not one of {string.Join(", ", values.Select(ValueText.Literal))}");
    }
}
