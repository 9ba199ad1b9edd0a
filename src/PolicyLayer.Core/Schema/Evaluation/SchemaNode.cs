using System.Runtime.CompilerServices;
using System.Text.Json;
using PolicyLayer.Schema.Keywords;

namespace PolicyLayer.Schema.Evaluation;

/// <summary>One compiled (sub)schema: a boolean schema or a list of keywords evaluated in order.</summary>
/// <remarks>
/// When its keywords are set, a node sorts them by the kind of instance they can say anything about, so that
/// evaluating a string runs only the keywords that apply to strings (and <c>type</c> becomes a mask test). The order
/// of the keywords within a kind is kept, annotation-dependent ones last.
/// </remarks>
internal sealed class SchemaNode
{
    // Indexed by JsonValueKind (Undefined = 0 … Null = 7).
    private const int KindCount = 8;

    private Keyword[] _keywords = [];
    private Keyword[][] _byKind = EmptyPlan();
    // Per-kind facts, one bit per JsonValueKind, kept in the node itself: they are read for every value, and each
    // separate array meant one more object (and cache line) to fetch, which is most of a validation's cost when the
    // schema is not in the processor's cache (a server between sparse requests).
    private byte _readsRaw;                   // the kind's keywords read the value's raw text
    private TypeKeyword? _type;
    private byte _typeAllows = AllKinds;      // type allows the kind outright
    private bool _integerOnly;                // type allows integers but not every number
    private StringChecks? _stringChecks;      // the string keywords merged, when they all look only at the text
    private NumberChecks? _numberChecks;      // the number keywords merged, when they are all bounds or multipleOf
    private byte _leaf;                       // no keyword evaluates a subschema against a value of the kind
    private byte _hasKeywords;                // some keyword (besides type) applies to the kind
    private byte _opaque;                     // containers of the kind whose nesting no keyword holds to the limit

    public SchemaNode(SchemaResource resource, string location)
    {
        Resource = resource;
        Location = location;
    }

    /// <summary>The schema resource (<c>$id</c> scope) the node belongs to.</summary>
    public SchemaResource Resource { get; }

    /// <summary>Where the node is, for keyword locations in errors.</summary>
    public string Location { get; }

    /// <summary>For boolean schemas, their value; <see langword="null"/> for object schemas.</summary>
    public bool? Boolean { get; set; }

    /// <summary>The keywords, in evaluation order (annotation-dependent ones last).</summary>
    public Keyword[] Keywords
    {
        get => _keywords;
        set
        {
            _keywords = value;
            _type = value.OfType<TypeKeyword>().FirstOrDefault();
            _byKind = new Keyword[KindCount][];
            for (var kind = 0; kind < KindCount; kind++)
            {
                var type = JsonTypesOf.Kind((JsonValueKind)kind);
                _byKind[kind] = [.. value.Where(k => k != _type && (k.AppliesTo & type) != 0)];
            }

            _hasKeywords = KindsWhere(kind => _byKind[(int)kind].Length > 0);

            // A container that no keyword descends into (const, enum, uniqueItems, not, or nothing at all) still may
            // not nest deeper than the limit: such a node checks it.
            _opaque = KindsWhere(kind => kind is JsonValueKind.Object or JsonValueKind.Array && !_byKind[(int)kind].Any(k => k.CoversMembers));
            var declared = _type?.Types;
            _typeAllows = declared is { } types ? KindsWhere(kind => (types & JsonTypesOf.Kind(kind)) != 0) : AllKinds;
            _integerOnly = declared is { } allowed && (allowed & (JsonTypes.Integer | JsonTypes.Number)) == JsonTypes.Integer;

            var strings = _byKind[(int)JsonValueKind.String];
            _stringChecks = strings.Length > 0 ? StringChecks.TryCreate(strings) : null;
            var numbers = _byKind[(int)JsonValueKind.Number];
            _numberChecks = numbers.Length > 0 ? NumberChecks.TryCreate(numbers) : null;

            // Containers are never leaves; a scalar is one unless a keyword that is not merged into the checks applies.
            _leaf = KindsWhere(kind => kind is not (JsonValueKind.Object or JsonValueKind.Array or JsonValueKind.Undefined)
                && (!Has(_hasKeywords, kind)
                    || (kind == JsonValueKind.String && _stringChecks is not null)
                    || (kind == JsonValueKind.Number && _numberChecks is not null)));

            // Strings and numbers are read once for all the keywords (and the integer test) that look at their text.
            _readsRaw = KindsWhere(kind =>
                (kind == JsonValueKind.String && Has(_hasKeywords, kind))
                || (kind == JsonValueKind.Number && (Has(_hasKeywords, kind) || _integerOnly)));
        }
    }

    /// <summary>Whether a keyword of this node needs the annotations (evaluated properties/items) of its siblings.</summary>
    public bool TracksEvaluated { get; set; }

    /// <summary>Evaluates the node against an instance.</summary>
    public bool Evaluate(EvaluationState state, in JsonProperties instance, int depth, EvaluatedSet? evaluated)
    {
        if (Boolean is bool constant)
        {
            if (!constant)
            {
                state.AddError(Location, string.Empty, "no value is allowed here (the schema is false)");
                return false;
            }

            if (FitsDepth(state, instance, depth))
            {
                return true;
            }

            state.AddError(Location, string.Empty, EvaluationState.TooDeep(state.MaxDepth));
            return false;
        }

        if (depth > state.MaxDepth || (Has(_opaque, instance.RootKind) && !FitsDepth(state, instance, depth)))
        {
            state.AddError(Location, string.Empty, EvaluationState.TooDeep(state.MaxDepth));
            return false;
        }

        if (!state.Enter())
        {
            state.Exit();
            if (state.OverBudget)
            {
                state.AddErrorOnce(Location, string.Empty, EvaluationState.TooManySteps);
            }
            else
            {
                state.AddError(Location, "$ref", EvaluationState.UnboundedRecursion);
            }

            return false;
        }

        // No try/finally: an exception abandons the whole evaluation, and renting the state resets it.
        var pushed = state.TrackDynamicScope && state.PushResource(Resource);
        var valid = EvaluateKeywords(state, instance, depth, evaluated);
        state.PopResource(pushed);
        state.Exit();
        return valid;
    }

    /// <summary>The fast path for an element: no errors, no annotations; falls back to <see cref="Evaluate"/> when those are needed.</summary>
    public bool IsValid(EvaluationState state, JsonElement element, int depth)
    {
        if (Boolean is bool constant)
        {
            return constant && Json.JsonDepth.Fits(element, depth, state.MaxDepth);
        }

        var kind = element.ValueKind;
        return IsValid(state, new InstanceValue(element, kind, Has(_readsRaw, kind) ? Json.JsonRaw.Utf8(element) : default), depth);
    }

    /// <summary>
    /// The fast path for a property value or an item enumerated from a document (so never <see cref="JsonValueKind.Undefined"/>).
    /// </summary>
    /// <remarks>
    /// The raw text is read once and the kind taken from its first byte: asking the element for its kind and then for its
    /// text looks the value up in the document twice.
    /// </remarks>
    public bool IsValidMember(EvaluationState state, JsonElement element, int depth)
    {
        if (Boolean is bool constant)
        {
            return constant && Json.JsonDepth.Fits(element, depth, state.MaxDepth);
        }

        var raw = Json.JsonRaw.Utf8(element);
        return IsValid(state, new InstanceValue(element, KindOf(raw[0]), raw), depth);
    }

    /// <summary>The fast path for a value already read (an in-place applicator passes its own).</summary>
    public bool IsValid(EvaluationState state, in InstanceValue value, int depth)
    {
        if (Boolean is bool constant)
        {
            return constant && Json.JsonDepth.Fits(value.Element, depth, state.MaxDepth);
        }

        if (TracksEvaluated || state.CollectsErrors)
        {
            return EvaluateElement(state, value.Element, depth);
        }

        if (depth > state.MaxDepth)
        {
            return false;
        }

        if (Has(_leaf, value.Kind))
        {
            // No subschema runs, so the dynamic scope is never read: one step of the budget is all there is to account.
            return state.TryLeafStep() && IsValidByTypeAndKeywords(state, value, depth);
        }

        if (!state.Enter())
        {
            state.Exit();
            return false;
        }

        var pushed = state.TrackDynamicScope && state.PushResource(Resource);
        var valid = IsValidByTypeAndKeywords(state, value, depth);
        state.PopResource(pushed);
        state.Exit();
        return valid && (!Has(_opaque, value.Kind) || Json.JsonDepth.Fits(value.Element, depth, state.MaxDepth));
    }

    // Whether an instance (an element, or a dictionary whose values stand one level down) nests within the limit.
    [MethodImpl(MethodImplOptions.NoInlining)]
    private static bool FitsDepth(EvaluationState state, in JsonProperties instance, int depth)
    {
        if (instance.TryGetElement(out var element))
        {
            return Json.JsonDepth.Fits(element, depth, state.MaxDepth);
        }

        foreach (var property in instance)
        {
            if (!Json.JsonDepth.Fits(property.Value, depth + 1, state.MaxDepth))
            {
                return false;
            }
        }

        return true;
    }

    /// <summary>
    /// While collecting errors: whether a string, number, boolean or null satisfies the node, checked on the fast
    /// path so that the many valid leaves of an invalid value cost no more than when checking validity. Containers
    /// answer <see langword="false"/> (they are evaluated with errors directly, so no work is repeated level after level).
    /// </summary>
    public bool IsValidScalarQuietly(EvaluationState state, JsonElement element, int depth)
    {
        if (Boolean is not null || TracksEvaluated)
        {
            return false;
        }

        var kind = element.ValueKind;
        if (kind is JsonValueKind.Object or JsonValueKind.Array)
        {
            return false;
        }

        // A scalar's check adds no error and no path segment while collection is paused, so pausing it is all there
        // is to undo (SwapErrors would save and restore the whole error scope, at every leaf of the instance).
        var collecting = state.PauseErrors();
        var valid = IsValid(state, new InstanceValue(element, kind, Has(_readsRaw, kind) ? Json.JsonRaw.Utf8(element) : default), depth);
        state.ResumeErrors(collecting);
        return valid;
    }

    // The rare paths below are kept out of line: inlined into the loops over properties and items, their temporaries
    // would enlarge (and have to be cleared in) every caller's frame.
    [MethodImpl(MethodImplOptions.NoInlining)]
    private bool EvaluateElement(EvaluationState state, JsonElement element, int depth) =>
        Evaluate(state, new JsonProperties(element), depth, null);

    // Passed in place by a node that did not need the text.
    [MethodImpl(MethodImplOptions.NoInlining)]
    private bool IsValidByKeywordsReadingText(EvaluationState state, JsonElement element, JsonValueKind kind, int depth) =>
        IsValidByKeywords(state, new InstanceValue(element, kind, Json.JsonRaw.Utf8(element)), depth);

    // The type, then the keywords that apply to the value's kind.
    private bool IsValidByTypeAndKeywords(EvaluationState state, in InstanceValue value, int depth) =>
        (Has(_typeAllows, value.Kind) || (_integerOnly && value.Kind == JsonValueKind.Number && Json.JsonNumbers.IsInteger(value.RawText)))
        && IsValidByKeywords(state, value, depth);

    private bool IsValidByKeywords(EvaluationState state, in InstanceValue value, int depth)
    {
        if (!Has(_hasKeywords, value.Kind))
        {
            return true;
        }

        if (value.Raw.IsEmpty && Has(_readsRaw, value.Kind))
        {
            return IsValidByKeywordsReadingText(state, value.Element, value.Kind, depth);
        }

        if (value.Kind == JsonValueKind.String && _stringChecks is not null)
        {
            return _stringChecks.IsValid(state, value, depth);
        }

        if (value.Kind == JsonValueKind.Number && _numberChecks is not null)
        {
            return _numberChecks.IsValid(value.Raw);
        }

        foreach (var keyword in _byKind[(int)value.Kind])
        {
            if (!keyword.IsValid(state, value, depth))
            {
                return false;
            }
        }

        return true;
    }

    // The first byte of a value's JSON text (System.Text.Json validated it) says what kind of value it is. A table
    // rather than a switch: consecutive values are of different kinds, and a chain of branches would mispredict.
    private static JsonValueKind KindOf(byte first) => (JsonValueKind)KindByFirstByte[first];

    private static ReadOnlySpan<byte> KindByFirstByte =>
    [
        0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
        0, 0, 3, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 4, 0, 0, 4, 4, 4, 4, 4, 4, 4, 4, 4, 4, 0, 0, 0, 0, 0, 0, // '"' string, '-' and digits number
        0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 2, 0, 0, 0, 0, // '[' array
        0, 0, 0, 0, 0, 0, 6, 0, 0, 0, 0, 0, 0, 0, 7, 0, 0, 0, 0, 0, 5, 0, 0, 0, 0, 0, 0, 1, 0, 0, 0, 0, // 'f' false, 'n' null, 't' true, '{' object
        0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
        0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
        0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
        0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
    ];

    private const byte AllKinds = byte.MaxValue;

    private static byte Bit(JsonValueKind kind) => (byte)(1 << (int)kind);

    private static bool Has(byte kinds, JsonValueKind kind) => (kinds & (1 << (int)kind)) != 0;

    private static byte KindsWhere(Func<JsonValueKind, bool> holds)
    {
        byte kinds = 0;
        for (var kind = 0; kind < KindCount; kind++)
        {
            kinds |= holds((JsonValueKind)kind) ? Bit((JsonValueKind)kind) : (byte)0;
        }

        return kinds;
    }

    private static Keyword[][] EmptyPlan()
    {
        var plan = new Keyword[KindCount][];
        Array.Fill(plan, []);
        return plan;
    }

    private bool EvaluateKeywords(EvaluationState state, in JsonProperties instance, int depth, EvaluatedSet? evaluated)
    {
        var kind = instance.RootKind;
        var valid = true;
        if (_type is not null && !_type.Accepts(kind, instance))
        {
            if (!state.CollectsErrors)
            {
                return false;
            }

            _type.Evaluate(state, instance, depth, evaluated);
            valid = false;
        }

        var keywords = _byKind[(int)kind];
        if (keywords.Length == 0)
        {
            return valid;
        }

        // A node with unevaluated* sees only its own subschemas' annotations; it passes them up when it succeeds.
        var own = TracksEvaluated ? EvaluatedSet.For(instance) : evaluated;
        foreach (var keyword in keywords)
        {
            if (!keyword.Evaluate(state, instance, depth, own))
            {
                valid = false;
                if (!state.CollectsErrors)
                {
                    return false;
                }
            }
        }

        if (valid && TracksEvaluated && evaluated is not null)
        {
            evaluated.MergeFrom(own!);
        }

        return valid;
    }
}
