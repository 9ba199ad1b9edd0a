using PolicyLayer.Schema.Evaluation;

namespace PolicyLayer.Schema.Keywords;

/// <summary><c>allOf</c>.</summary>
internal sealed class AllOfKeyword(string nodeLocation, SchemaNode[] schemas) : Keyword("allOf", nodeLocation)
{
    // The value is valid only if a subschema accepts it, and an accepting subschema has checked its nesting.
    public override bool CoversMembers => true;

    public override IEnumerable<SchemaNode> InPlaceChildren => schemas;

    public override bool IsValid(EvaluationState state, in InstanceValue value, int depth)
    {
        foreach (var schema in schemas)
        {
            if (!schema.IsValid(state, value, depth))
            {
                return false;
            }
        }

        return true;
    }

    public override bool Evaluate(EvaluationState state, in JsonProperties instance, int depth, EvaluatedSet? evaluated)
    {
        var valid = true;
        foreach (var schema in schemas)
        {
            if (!schema.Evaluate(state, instance, depth, evaluated))
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

/// <summary><c>anyOf</c> and <c>oneOf</c>.</summary>
internal sealed class AlternativesKeyword(string name, string nodeLocation, SchemaNode[] schemas, bool exactlyOne) : Keyword(name, nodeLocation)
{
    // The value is valid only if a subschema accepts it, and an accepting subschema has checked its nesting.
    public override bool CoversMembers => true;

    public override IEnumerable<SchemaNode> InPlaceChildren => schemas;

    public override bool IsValid(EvaluationState state, in InstanceValue value, int depth)
    {
        var matches = 0;
        foreach (var schema in schemas)
        {
            if (schema.IsValid(state, value, depth) && (++matches > 1 || !exactlyOne))
            {
                return !exactlyOne;
            }
        }

        return matches == 1;
    }

    public override bool Evaluate(EvaluationState state, in JsonProperties instance, int depth, EvaluatedSet? evaluated)
    {
        var matches = 0;
        var first = -1;
        var second = -1;
        for (var i = 0; i < schemas.Length; i++)
        {
            var branch = evaluated?.CreateChild();
            if (!Test(schemas[i], state, instance, depth, branch))
            {
                continue;
            }

            matches++;
            if (first < 0)
            {
                first = i;
            }
            else if (second < 0)
            {
                second = i;
            }

            if (branch is not null)
            {
                evaluated!.MergeFrom(branch);
            }
            else if (!exactlyOne)
            {
                return true; // no annotations wanted: the first match decides anyOf
            }
            else if (matches > 1)
            {
                break;
            }
        }

        if (exactlyOne ? matches == 1 : matches > 0)
        {
            return true;
        }

        if (!state.CollectsErrors)
        {
            return false;
        }

        if (matches > 1)
        {
            return Fail(state, $"{ValueText.Describe(instance)} matches alternatives {first} and {second} of oneOf; it must match exactly one");
        }

        // Each alternative is explained by its first few errors, each cut short, so that nested alternatives cannot
        // multiply the message (the whole message is bounded again when it is recorded).
        const int ReasonsPerAlternative = 3;
        const int MaxReason = 200;
        var reasons = new List<string>();
        for (var i = 0; i < schemas.Length; i++)
        {
            var errors = Explain(schemas[i], state, instance, depth, ReasonsPerAlternative, out var more);
            var text = errors.Count == 0 ? "does not match" : string.Join("; ", errors.Select(e => ValueText.Clip(e.Message, MaxReason))) + (more ? "; …" : string.Empty);
            reasons.Add($"({i}) {text}");
        }

        return Fail(state, $"{ValueText.Describe(instance)} matches none of the {schemas.Length} alternatives of {Name}: {string.Join(" | ", reasons)}");
    }
}

/// <summary><c>not</c>.</summary>
internal sealed class NotKeyword(string nodeLocation, SchemaNode schema) : Keyword("not", nodeLocation)
{
    public override IEnumerable<SchemaNode> InPlaceChildren => [schema];

    public override bool IsValid(EvaluationState state, in InstanceValue value, int depth) => !schema.IsValid(state, value, depth);

    public override bool Evaluate(EvaluationState state, in JsonProperties instance, int depth, EvaluatedSet? evaluated)
    {
        if (!Test(schema, state, instance, depth, null))
        {
            return true;
        }

        return state.CollectsErrors && Fail(state, $"{ValueText.Describe(instance)} must not match the schema under 'not'");
    }
}

/// <summary><c>if</c> with <c>then</c> and <c>else</c>.</summary>
internal sealed class ConditionalKeyword(string nodeLocation, SchemaNode condition, SchemaNode? then, SchemaNode? otherwise) : Keyword("if", nodeLocation)
{
    public override IEnumerable<SchemaNode> InPlaceChildren => new[] { condition, then, otherwise }.OfType<SchemaNode>();

    public override bool IsValid(EvaluationState state, in InstanceValue value, int depth) =>
        condition.IsValid(state, value, depth)
            ? then is null || then.IsValid(state, value, depth)
            : otherwise is null || otherwise.IsValid(state, value, depth);

    public override bool Evaluate(EvaluationState state, in JsonProperties instance, int depth, EvaluatedSet? evaluated)
    {
        var branch = evaluated?.CreateChild();
        if (Test(condition, state, instance, depth, branch))
        {
            if (branch is not null)
            {
                evaluated!.MergeFrom(branch);
            }

            return then is null || then.Evaluate(state, instance, depth, evaluated);
        }

        return otherwise is null || otherwise.Evaluate(state, instance, depth, evaluated);
    }
}

/// <summary><c>$ref</c>: evaluates the referenced schema in place.</summary>
internal sealed class RefKeyword(string nodeLocation) : Keyword("$ref", nodeLocation)
{
    // The value is valid only if a subschema accepts it, and an accepting subschema has checked its nesting.
    public override bool CoversMembers => true;

    public SchemaNode? Target { get; set; }

    public override IEnumerable<SchemaNode> InPlaceChildren => [Target!];

    public override bool IsValid(EvaluationState state, in InstanceValue value, int depth) => Target!.IsValid(state, value, depth);

    private readonly string _location = nodeLocation + "/$ref";

    public override bool Evaluate(EvaluationState state, in JsonProperties instance, int depth, EvaluatedSet? evaluated) =>
        state.EvaluateThrough(_location, Target!, instance, depth, evaluated);
}

/// <summary>
/// <c>$dynamicRef</c>: resolved like <c>$ref</c>, unless the target is a <c>$dynamicAnchor</c>; then the outermost
/// resource of the dynamic scope that declares the same dynamic anchor wins.
/// </summary>
internal sealed class DynamicRefKeyword(string nodeLocation) : Keyword("$dynamicRef", nodeLocation)
{
    // The value is valid only if a subschema accepts it, and an accepting subschema has checked its nesting.
    public override bool CoversMembers => true;

    public SchemaNode? Target { get; set; }

    public string? AnchorName { get; set; }

    public override IEnumerable<SchemaNode> InPlaceChildren => [Target!];

    public override bool Evaluate(EvaluationState state, in JsonProperties instance, int depth, EvaluatedSet? evaluated)
    {
        var target = Target!;
        if (AnchorName is not null)
        {
            foreach (var resource in state.DynamicScope)
            {
                if (resource.DynamicAnchors.TryGetValue(AnchorName, out var dynamic))
                {
                    target = dynamic;
                    break;
                }
            }
        }

        return state.EvaluateThrough(_location, target, instance, depth, evaluated);
    }

    private readonly string _location = nodeLocation + "/$dynamicRef";
}
