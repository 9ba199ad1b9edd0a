using PolicyLayer.Schema.Keywords;

namespace PolicyLayer.Schema.Evaluation;

/// <summary>One compiled (sub)schema: a boolean schema or a list of keywords evaluated in order.</summary>
internal sealed class SchemaNode
{
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
    public Keyword[] Keywords { get; set; } = [];

    /// <summary>Whether a keyword of this node needs the annotations (evaluated properties/items) of its siblings.</summary>
    public bool TracksEvaluated { get; set; }

    /// <summary>Evaluates the node against an instance.</summary>
    public bool Evaluate(EvaluationState state, in JsonProperties instance, int depth, EvaluatedSet? evaluated)
    {
        if (Boolean is bool constant)
        {
            if (!constant)
            {
                state.AddError(Location, "false", "no value is allowed here (the schema is false)");
            }

            return constant;
        }

        if (depth > state.MaxDepth)
        {
            state.AddError(Location, "maxDepth", $"the value is nested deeper than {state.MaxDepth} levels; flatten it");
            return false;
        }

        if (!state.Enter())
        {
            state.Exit();
            if (state.OverBudget)
            {
                state.AddErrorOnce(Location, string.Empty, "evaluating the value against the schema took too many steps; the value is rejected (simplify the schema or the value)");
            }
            else
            {
                state.AddError(Location, "$ref", "the schema nests too deeply or refers to itself without consuming the value (unbounded recursion); the value is rejected");
            }

            return false;
        }

        var pushed = state.PushResource(Resource);
        try
        {
            // A node with unevaluated* sees only its own subschemas' annotations; it passes them up when it succeeds.
            var own = TracksEvaluated ? EvaluatedSet.For(instance) : evaluated;
            var valid = true;
            foreach (var keyword in Keywords)
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
        finally
        {
            state.PopResource(pushed);
            state.Exit();
        }
    }
}
