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

    /// <summary>Every kind of value (<see cref="Integer"/> is a subset of <see cref="Number"/>).</summary>
    Any = Null | Boolean | Object | Array | Number | String,
}

/// <summary>Maps instance kinds to <see cref="JsonTypes"/>.</summary>
internal static class JsonTypesOf
{
    /// <summary>The type flag of a value kind (<see cref="JsonTypes.Number"/> for every number); None for Undefined.</summary>
    public static JsonTypes Kind(JsonValueKind kind) => kind switch
    {
        JsonValueKind.Null => JsonTypes.Null,
        JsonValueKind.True or JsonValueKind.False => JsonTypes.Boolean,
        JsonValueKind.Object => JsonTypes.Object,
        JsonValueKind.Array => JsonTypes.Array,
        JsonValueKind.String => JsonTypes.String,
        JsonValueKind.Number => JsonTypes.Number,
        _ => JsonTypes.None,
    };
}

/// <summary><c>type</c>.</summary>
internal sealed class TypeKeyword(string nodeLocation, JsonTypes types, string expected) : Keyword("type", nodeLocation)
{
    /// <summary>The allowed types.</summary>
    public JsonTypes Types => types;

    public override bool Evaluate(EvaluationState state, in JsonProperties instance, int depth, EvaluatedSet? evaluated)
    {
        var kind = instance.RootKind;
        if (Accepts(kind, instance))
        {
            return true;
        }

        // A scalar is quoted ("5 is a number"); a structure is not, as "the array is an array" would say nothing.
        var subject = kind is JsonValueKind.Object or JsonValueKind.Array or JsonValueKind.Null ? "the value" : ValueText.Describe(instance);
        return state.CollectsErrors && Fail(state, $"{subject} is {ValueText.KindName(kind)}, expected {expected}");
    }

    /// <summary>Whether an instance of the given kind has one of the allowed types.</summary>
    public bool Accepts(JsonValueKind kind, in JsonProperties instance) =>
        (types & JsonTypesOf.Kind(kind)) != 0
        || (kind == JsonValueKind.Number && (types & JsonTypes.Integer) != 0 && instance.TryGetElement(out var number) && JsonNumbers.IsInteger(number));
}

/// <summary><c>const</c>.</summary>
internal sealed class ConstKeyword(string nodeLocation, JsonElement value) : Keyword("const", nodeLocation)
{
    // A string constant (the usual case) is compared as raw UTF-8 instead of through JSON equality.
    private readonly NameTable? _text = value.ValueKind == JsonValueKind.String ? new NameTable([value.GetString()!]) : null;

    /// <summary>A string constant as a one-name table; <see langword="null"/> for any other constant.</summary>
    public NameTable? Text => _text;

    public override bool IsValid(EvaluationState state, in InstanceValue value, int depth) =>
        _text is not null
            ? value.Kind == JsonValueKind.String && Find(_text, value) >= 0
            : JsonValues.DeepEquals(value.Element, Value);

    /// <summary>Looks up a string value read by the fast path.</summary>
    internal static int Find(NameTable table, in InstanceValue value)
    {
        var content = value.StringContent;
        return content.IndexOf((byte)'\\') < 0 ? table.Find(content) : table.Find(value.Element);
    }

    private JsonElement Value => value;

    public override bool Evaluate(EvaluationState state, in JsonProperties instance, int depth, EvaluatedSet? evaluated)
    {
        var equal = _text is not null && instance.TryGetElement(out var element)
            ? element.ValueKind == JsonValueKind.String && _text.Find(element) >= 0
            : JsonValues.DeepEquals(InstanceElements.Of(instance), value);
        if (equal)
        {
            return true;
        }

        return state.CollectsErrors && Fail(state, $"{ValueText.Describe(instance)} must be exactly {ValueText.Literal(value)}");
    }
}

/// <summary><c>enum</c>.</summary>
internal sealed class EnumKeyword : Keyword
{
    private readonly JsonElement[] _values;
    private readonly NameTable _strings;     // the string values, looked up by hash
    private readonly JsonElement[] _others;  // every other value, compared one by one
    private string? _allowed;                // the values as the error message lists them, built on first use

    public EnumKeyword(string nodeLocation, JsonElement[] values)
        : base("enum", nodeLocation)
    {
        _values = values;
        _strings = new NameTable([.. values.Where(v => v.ValueKind == JsonValueKind.String).Select(v => v.GetString()!)]);
        _others = [.. values.Where(v => v.ValueKind != JsonValueKind.String)];
    }

    /// <summary>The string values, the only ones a string instance can equal.</summary>
    public NameTable Strings => _strings;

    public override bool Evaluate(EvaluationState state, in JsonProperties instance, int depth, EvaluatedSet? evaluated)
    {
        if (Contains(instance))
        {
            return true;
        }

        return state.CollectsErrors && Fail(state, $"{ValueText.Describe(instance)} is not one of {_allowed ??= AllowedText()}");
    }

    // The first few values, each cut short: an enum may be long.
    private string AllowedText()
    {
        const int MaxValues = 20;
        var shown = string.Join(", ", _values.Take(MaxValues).Select(ValueText.Literal));
        return _values.Length > MaxValues ? $"{shown}, … ({_values.Length} values)" : shown;
    }

    public override bool IsValid(EvaluationState state, in InstanceValue value, int depth)
    {
        if (value.Kind == JsonValueKind.String)
        {
            return ConstKeyword.Find(_strings, value) >= 0;
        }

        foreach (var other in _others)
        {
            if (JsonValues.DeepEquals(value.Element, other))
            {
                return true;
            }
        }

        return false;
    }

    private bool Contains(in JsonProperties instance)
    {
        if (instance.TryGetElement(out var element) && element.ValueKind == JsonValueKind.String)
        {
            return _strings.Find(element) >= 0;
        }

        if (_others.Length == 0)
        {
            return false;
        }

        element = InstanceElements.Of(instance);
        foreach (var value in _others)
        {
            if (JsonValues.DeepEquals(element, value))
            {
                return true;
            }
        }

        return false;
    }
}
