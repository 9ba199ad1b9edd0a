using System.Text.Json;
using PolicyLayer.Schema.Evaluation;

namespace PolicyLayer.Schema.Keywords;

/// <summary>One compiled keyword of a schema object.</summary>
internal abstract class Keyword
{
    protected Keyword(string name, string nodeLocation)
    {
        Name = name;
        NodeLocation = nodeLocation;
    }

    /// <summary>The keyword's name (<c>maximum</c>).</summary>
    public string Name { get; }

    /// <summary>The location of the schema object holding the keyword.</summary>
    public string NodeLocation { get; }

    /// <summary>
    /// The kinds of instance the keyword can fail on; for any other kind it passes and annotates nothing, so a node
    /// skips it (<c>maxLength</c> says nothing about a number).
    /// </summary>
    public virtual JsonTypes AppliesTo => JsonTypes.Any;

    /// <summary>
    /// Whether the keyword holds the members of an array or object to the depth limit: it applies subschemas to every
    /// member (and checks the depth of those it has none for), or applies subschemas in place that must all accept.
    /// A node with no such keyword checks the nesting of a container itself.
    /// </summary>
    public virtual bool CoversMembers => false;

    /// <summary>The subschemas the keyword applies to the same instance (not to a property or item of it).</summary>
    public virtual IEnumerable<SchemaNode> InPlaceChildren => [];

    /// <summary>Evaluates the keyword; adds errors to <paramref name="state"/> when it collects them.</summary>
    public abstract bool Evaluate(EvaluationState state, in JsonProperties instance, int depth, EvaluatedSet? evaluated);

    /// <summary>
    /// The fast path: whether an element satisfies the keyword, when no errors are collected and no annotations are
    /// tracked. Keywords on the hot path override it to work on <paramref name="value"/> directly.
    /// </summary>
    public virtual bool IsValid(EvaluationState state, in InstanceValue value, int depth) =>
        Evaluate(state, new JsonProperties(value.Element), depth, null);

    /// <summary>Records an error and returns <see langword="false"/>. Call as <c>state.CollectsErrors &amp;&amp; Fail(...)</c>
    /// so the message is only built when it is wanted.</summary>
    protected bool Fail(EvaluationState state, string message)
    {
        state.AddError(NodeLocation, Name, message);
        return false;
    }

    /// <summary>Evaluates a subschema against a property value, tracking the instance path when errors are collected.</summary>
    protected static bool EvaluateProperty(SchemaNode node, EvaluationState state, in JsonPropertyView property, int depth)
    {
        if (!state.CollectsErrors)
        {
            return node.IsValid(state, property.Value, depth + 1);
        }

        if (node.IsValidScalarQuietly(state, property.Value, depth + 1))
        {
            return true;
        }

        state.PushPath(property);
        var valid = node.Evaluate(state, new JsonProperties(property.Value), depth + 1, null);
        state.PopPath();
        return valid;
    }

    /// <summary>Evaluates a subschema against an array item.</summary>
    protected static bool EvaluateItem(SchemaNode node, EvaluationState state, JsonElement item, int index, int depth)
    {
        if (!state.CollectsErrors)
        {
            return node.IsValid(state, item, depth + 1);
        }

        if (node.IsValidScalarQuietly(state, item, depth + 1))
        {
            return true;
        }

        state.PushPath(index);
        var valid = node.Evaluate(state, new JsonProperties(item), depth + 1, null);
        state.PopPath();
        return valid;
    }

    /// <summary>Evaluates a subschema without recording its errors (to test alternatives).</summary>
    protected static bool Test(SchemaNode node, EvaluationState state, in JsonProperties instance, int depth, EvaluatedSet? evaluated)
    {
        if (!state.CollectsErrors)
        {
            return node.Evaluate(state, instance, depth, evaluated);
        }

        var previous = state.SwapErrors(collect: false, errors: null);
        try
        {
            return node.Evaluate(state, instance, depth, evaluated);
        }
        finally
        {
            state.RestoreErrors(previous);
        }
    }

    /// <summary>
    /// Evaluates a subschema collecting its first <paramref name="limit"/> errors into a separate list (the evaluation
    /// stops at the next one); <paramref name="more"/> says whether there were more.
    /// </summary>
    protected static List<SchemaValidationError> Explain(SchemaNode node, EvaluationState state, in JsonProperties instance, int depth, int limit, out bool more)
    {
        var errors = new List<SchemaValidationError>();
        var previous = state.SwapErrors(collect: true, errors, limit);
        try
        {
            node.Evaluate(state, instance, depth, null);
            more = state.ErrorsOmitted;
        }
        finally
        {
            state.RestoreErrors(previous);
        }

        return errors;
    }
}
