using System.Text.Json;
using PolicyLayer.Schema.Evaluation;

namespace PolicyLayer.Schema.Keywords;

/// <summary>
/// <c>properties</c>, <c>patternProperties</c>, <c>additionalProperties</c> and <c>required</c> of one schema object,
/// checked in a single pass over the instance's properties.
/// </summary>
/// <remarks>
/// Each property name is looked up once in a <see cref="NameTable"/> holding the required names (first, so that their
/// index is their bit in a mask of names seen) and the names <c>properties</c> declares. That one lookup decides which
/// subschema applies, whether <c>additionalProperties</c> does, and which required names are present; the separate
/// keywords would each walk the object again, and <c>required</c> would search it once per name. Errors keep the
/// location of the keyword they come from.
/// </remarks>
internal sealed class PropertiesKeyword : Keyword
{
    private const int MaskBits = 64;

    private readonly NameTable _names;
    private readonly SchemaNode?[] _schemas;      // by name index: the properties subschema, null for a name only required
    private readonly int[] _following;            // by name index + 1: the index of the name declared next (0: the first declared)
    private readonly int _requiredCount;
    private readonly ulong _requiredMask;         // bits of the first 64 required names
    private readonly SchemaRegex[] _patterns;
    private readonly SchemaNode[] _patternSchemas;
    private readonly SchemaNode? _additional;
    private readonly string _allowed;             // the names properties declares, for the additionalProperties message

    public PropertiesKeyword(string nodeLocation, PropertyName[] names, SchemaNode[] schemas, SchemaRegex[] patterns, SchemaNode[] patternSchemas, SchemaNode? additional, PropertyName[] required)
        : base("properties", nodeLocation)
    {
        var requiredNames = required.Select(r => r.Text).ToHashSet(StringComparer.Ordinal);
        var all = required.Select(r => r.Text).Concat(names.Select(n => n.Text).Where(n => !requiredNames.Contains(n))).ToList();
        _names = new NameTable(all);
        _schemas = new SchemaNode?[all.Count];
        for (var i = 0; i < names.Length; i++)
        {
            // A name declared twice (possible in hand-built JSON) keeps the last schema, as an object lookup would.
            _schemas[_names.Find(names[i].Text.AsSpan())] = schemas[i];
        }

        // Instances usually list their properties in the order the schema declares them: each lookup tries that name first.
        _following = new int[all.Count + 1];
        Array.Fill(_following, -1);
        var previous = -1;
        foreach (var name in names)
        {
            var index = _names.Find(name.Text.AsSpan());
            _following[previous + 1] = index;
            previous = index;
        }

        _requiredCount = required.Length;
        _requiredMask = _requiredCount >= MaskBits ? ulong.MaxValue : (1UL << _requiredCount) - 1;
        _patterns = patterns;
        _patternSchemas = patternSchemas;
        _additional = additional;
        _allowed = AllowedText(names, patterns);
    }

    public override JsonTypes AppliesTo => JsonTypes.Object;

    // Properties without a subschema have their nesting checked here.
    public override bool CoversMembers => true;

    public override bool IsValid(EvaluationState state, in InstanceValue value, int depth)
    {
        if (_patterns.Length > 0)
        {
            return IsValidMatchingPatterns(state, value.Element, depth);
        }

        ulong seen = 0;
        var name = -1;
        foreach (var property in value.Element.EnumerateObject())
        {
            name = _names.Find(property, _following[name + 1]);
            var schema = SchemaFor(name, ref seen);
            if (schema is not null ? !schema.IsValidMember(state, property.Value, depth + 1) : !Json.JsonDepth.Fits(property.Value, depth + 1, state.MaxDepth))
            {
                return false;
            }
        }

        return (seen & _requiredMask) == _requiredMask && (_requiredCount <= MaskBits || CheckRequired(state, new JsonProperties(value.Element), seen, 0));
    }

    // Names are matched as text: the general loop does it. Out of line, as its temporaries would enlarge IsValid's frame.
    [System.Runtime.CompilerServices.MethodImpl(System.Runtime.CompilerServices.MethodImplOptions.NoInlining)]
    private bool IsValidMatchingPatterns(EvaluationState state, JsonElement element, int depth) =>
        Evaluate(state, new JsonProperties(element), depth, null);

    // The fast path for a dictionary (how the MCP SDK hands over arguments), as IsValid does for an element.
    private bool IsValid(EvaluationState state, Dictionary<string, JsonElement> dictionary, int depth)
    {
        ulong seen = 0;
        var name = -1;
        foreach (var pair in dictionary)
        {
            name = _names.Find(pair.Key.AsSpan(), _following[name + 1]);
            var schema = SchemaFor(name, ref seen);
            if (schema is not null ? !schema.IsValid(state, pair.Value, depth + 1) : !Json.JsonDepth.Fits(pair.Value, depth + 1, state.MaxDepth))
            {
                return false;
            }
        }

        return (seen & _requiredMask) == _requiredMask && (_requiredCount <= MaskBits || CheckRequired(state, new JsonProperties(dictionary), seen, 0));
    }

    // The subschema a property's value must satisfy (null: any value), given its name index; marks a required name seen.
    private SchemaNode? SchemaFor(int name, ref ulong seen)
    {
        if (name < 0)
        {
            return _additional;
        }

        if (name < MaskBits)
        {
            seen |= 1UL << name;
        }

        return _schemas[name] ?? _additional;
    }

    public override bool Evaluate(EvaluationState state, in JsonProperties instance, int depth, EvaluatedSet? evaluated)
    {
        var valid = true;
        ulong seen = 0;
        var index = 0;
        var firstError = state.ErrorCount; // missing names are reported first, as the required keyword comes first
        if (instance.TryGetElement(out var element))
        {
            if (element.ValueKind != JsonValueKind.Object)
            {
                return true;
            }

            foreach (var property in element.EnumerateObject())
            {
                if (!Visit(state, new JsonPropertyView(null, property), _names.Find(property), index++, depth, evaluated, ref seen))
                {
                    valid = false;
                    if (!state.CollectsErrors)
                    {
                        return false;
                    }
                }
            }
        }
        else if (instance.Dictionary is Dictionary<string, JsonElement> dictionary)
        {
            if (!state.CollectsErrors && evaluated is null && _patterns.Length == 0)
            {
                return IsValid(state, dictionary, depth);
            }

            var name = -1;
            foreach (var pair in dictionary)
            {
                name = _names.Find(pair.Key.AsSpan(), _following[name + 1]);
                if (!Visit(state, new JsonPropertyView(pair.Key, pair.Value), name, index++, depth, evaluated, ref seen))
                {
                    valid = false;
                    if (!state.CollectsErrors)
                    {
                        return false;
                    }
                }
            }
        }
        else
        {
            // Other dictionaries: every view has its name as a string.
            foreach (var view in instance)
            {
                if (!Visit(state, view, _names.Find(view.Name.AsSpan()), index++, depth, evaluated, ref seen))
                {
                    valid = false;
                    if (!state.CollectsErrors)
                    {
                        return false;
                    }
                }
            }
        }

        return CheckRequired(state, instance, seen, firstError) && valid;
    }

    private bool Visit(EvaluationState state, in JsonPropertyView property, int name, int index, int depth, EvaluatedSet? evaluated, ref ulong seen)
    {
        var valid = true;
        var named = false;
        if (name >= 0)
        {
            if (name < MaskBits)
            {
                seen |= 1UL << name;
            }

            if (_schemas[name] is { } schema)
            {
                named = true;
                if (!EvaluateProperty(schema, state, property, depth))
                {
                    valid = false;
                    if (!state.CollectsErrors)
                    {
                        return false;
                    }
                }
            }
        }

        if (_patterns.Length > 0)
        {
            var outcome = VisitPatterns(state, property, depth);
            named |= outcome != PatternVisit.NoMatch;
            if (outcome == PatternVisit.Failed)
            {
                valid = false;
                if (!state.CollectsErrors)
                {
                    return false;
                }
            }
        }

        if (!named && _additional is not null)
        {
            named = true;
            if (_additional.Boolean == false)
            {
                valid = false;
                if (!state.CollectsErrors)
                {
                    return false;
                }

                // Reported at the property itself, so that its pointer (escaped) names it whatever characters it has.
                state.PushPath(property);
                state.AddError(NodeLocation, "additionalProperties", $"property {ValueText.Name(property.Name)} is not allowed; {_allowed}; remove it");
                state.PopPath();
            }
            else if (!EvaluateProperty(_additional, state, property, depth))
            {
                valid = false;
            }
        }

        if (named)
        {
            evaluated?.Mark(index);
        }
        else if (!Json.JsonDepth.Fits(property.Value, depth + 1, state.MaxDepth))
        {
            // No subschema looks at the value, but its nesting is still limited.
            valid = false;
            state.PushPath(property);
            state.AddError(NodeLocation, Name, EvaluationState.TooDeep(state.MaxDepth));
            state.PopPath();
        }

        return valid;
    }

    // What additionalProperties: false leaves allowed: the declared names and the names patternProperties matches.
    private static string AllowedText(PropertyName[] names, SchemaRegex[] patterns)
    {
        var declared = ValueText.Names(names.Select(n => n.Text));
        var matching = ValueText.Names(patterns.Select(p => p.Source));
        return (names.Length, patterns.Length) switch
        {
            (0, 0) => "no properties are allowed",
            (_, 0) => $"the allowed properties are {declared}",
            (0, _) => $"the allowed property names are those matching {matching}",
            _ => $"the allowed properties are {declared} and names matching {matching}",
        };
    }

    private PatternVisit VisitPatterns(EvaluationState state, in JsonPropertyView property, int depth)
    {
        var outcome = PatternVisit.NoMatch;
        Span<char> scratch = stackalloc char[128];
        var name = property.GetNameChars(scratch, out var rented);
        try
        {
            for (var j = 0; j < _patterns.Length; j++)
            {
                switch (_patterns[j].Match(state, name))
                {
                    case RegexOutcome.Timeout:
                        // A timeout counts as a match, so additionalProperties does not apply too, and fails the value.
                        outcome = PatternVisit.Failed;
                        state.AddError(NodeLocation, "patternProperties", SchemaRegex.TimeoutMessage(state, $"the property name pattern {ValueText.Quote(_patterns[j].Source)}"));
                        break;
                    case RegexOutcome.Match:
                        if (!EvaluateProperty(_patternSchemas[j], state, property, depth))
                        {
                            outcome = PatternVisit.Failed;
                        }
                        else if (outcome == PatternVisit.NoMatch)
                        {
                            outcome = PatternVisit.Matched;
                        }

                        break;
                }

                if (outcome == PatternVisit.Failed && !state.CollectsErrors)
                {
                    return outcome;
                }
            }

            return outcome;
        }
        finally
        {
            Json.JsonStrings.Return(rented);
        }
    }

    private bool CheckRequired(EvaluationState state, in JsonProperties instance, ulong seen, int firstError)
    {
        if ((seen & _requiredMask) == _requiredMask && _requiredCount <= MaskBits)
        {
            return true;
        }

        var valid = true;
        for (var i = 0; i < _requiredCount; i++)
        {
            var present = i < MaskBits ? (seen & (1UL << i)) != 0 : instance.TryGetProperty(_names[i], out _);
            if (!present)
            {
                valid = false;
                if (!state.CollectsErrors)
                {
                    return false;
                }

                state.AddError(NodeLocation, "required", $"missing required property {ValueText.Name(_names[i])}", firstError++);
            }
        }

        return valid;
    }

    private enum PatternVisit
    {
        NoMatch,
        Matched,
        Failed,
    }
}
