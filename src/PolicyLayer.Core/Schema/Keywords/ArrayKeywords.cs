using System.Text.Json;
using PolicyLayer.Json;
using PolicyLayer.Schema.Evaluation;

namespace PolicyLayer.Schema.Keywords;

/// <summary><c>prefixItems</c> (and the array form of <c>items</c> before 2020-12): one schema per leading item.</summary>
internal sealed class PrefixItemsKeyword(string name, string nodeLocation, SchemaNode[] schemas) : Keyword(name, nodeLocation)
{
    public override JsonTypes AppliesTo => JsonTypes.Array;

    public int Length => schemas.Length;

    public override bool IsValid(EvaluationState state, in InstanceValue value, int depth)
    {
        var index = 0;
        foreach (var item in value.Element.EnumerateArray())
        {
            if (index >= schemas.Length)
            {
                break;
            }

            if (!schemas[index++].IsValidMember(state, item, depth + 1))
            {
                return false;
            }
        }

        return true;
    }

    public override bool Evaluate(EvaluationState state, in JsonProperties instance, int depth, EvaluatedSet? evaluated)
    {
        if (!instance.TryGetElement(out var array) || array.ValueKind != JsonValueKind.Array)
        {
            return true;
        }

        var valid = true;
        var index = 0;
        foreach (var item in array.EnumerateArray())
        {
            if (index >= schemas.Length)
            {
                break;
            }

            if (!EvaluateItem(schemas[index], state, item, index, depth))
            {
                valid = false;
                if (!state.CollectsErrors)
                {
                    return false;
                }
            }

            evaluated?.Mark(index);
            index++;
        }

        return valid;
    }
}

/// <summary><c>items</c> (schema form), <c>additionalItems</c>: one schema for every item from a start index.</summary>
internal sealed class ItemsKeyword(string name, string nodeLocation, SchemaNode schema, int startIndex) : Keyword(name, nodeLocation)
{
    public override JsonTypes AppliesTo => JsonTypes.Array;

    // From a start index only beside prefixItems (or the array form of items) for the items before it.
    public override bool CoversMembers => true;

    public override bool IsValid(EvaluationState state, in InstanceValue value, int depth)
    {
        var index = 0;
        foreach (var item in value.Element.EnumerateArray())
        {
            if (index++ >= startIndex && !schema.IsValidMember(state, item, depth + 1))
            {
                return false;
            }
        }

        return true;
    }

    public override bool Evaluate(EvaluationState state, in JsonProperties instance, int depth, EvaluatedSet? evaluated)
    {
        if (!instance.TryGetElement(out var array) || array.ValueKind != JsonValueKind.Array)
        {
            return true;
        }

        var valid = true;
        var index = 0;
        foreach (var item in array.EnumerateArray())
        {
            if (index >= startIndex)
            {
                if (!EvaluateItem(schema, state, item, index, depth))
                {
                    valid = false;
                    if (!state.CollectsErrors)
                    {
                        return false;
                    }
                }

                evaluated?.Mark(index);
            }

            index++;
        }

        return valid;
    }
}

/// <summary><c>contains</c> with <c>minContains</c> and <c>maxContains</c>.</summary>
internal sealed class ContainsKeyword(string nodeLocation, SchemaNode schema, long minContains, long maxContains) : Keyword("contains", nodeLocation)
{
    public override JsonTypes AppliesTo => JsonTypes.Array;

    public override bool Evaluate(EvaluationState state, in JsonProperties instance, int depth, EvaluatedSet? evaluated)
    {
        if (!instance.TryGetElement(out var array) || array.ValueKind != JsonValueKind.Array)
        {
            return true;
        }

        long matches = 0;
        var index = 0;
        foreach (var item in array.EnumerateArray())
        {
            if (Test(schema, state, new JsonProperties(item), depth + 1, null))
            {
                matches++;
                evaluated?.Mark(index);
            }

            index++;
        }

        if (matches >= minContains && matches <= maxContains)
        {
            return true;
        }

        if (!state.CollectsErrors)
        {
            return false;
        }

        if (matches < minContains)
        {
            return Fail(state, minContains == 1
                ? "no item matches the 'contains' schema; add one that does"
                : $"{matches} items match the 'contains' schema, fewer than minContains {minContains}");
        }

        return Fail(state, $"{matches} items match the 'contains' schema, more than maxContains {maxContains}");
    }
}

/// <summary><c>minItems</c> and <c>maxItems</c>.</summary>
internal sealed class ItemCountKeyword(string name, string nodeLocation, long limit, bool isMinimum) : Keyword(name, nodeLocation)
{
    public override JsonTypes AppliesTo => JsonTypes.Array;

    public override bool IsValid(EvaluationState state, in InstanceValue value, int depth)
    {
        var count = value.Element.GetArrayLength();
        return isMinimum ? count >= limit : count <= limit;
    }

    public override bool Evaluate(EvaluationState state, in JsonProperties instance, int depth, EvaluatedSet? evaluated)
    {
        if (!instance.TryGetElement(out var array) || array.ValueKind != JsonValueKind.Array)
        {
            return true;
        }

        var count = array.GetArrayLength();
        if (isMinimum ? count >= limit : count <= limit)
        {
            return true;
        }

        return state.CollectsErrors && Fail(state, isMinimum
            ? $"the array has {count} items, fewer than the minimum {limit}"
            : $"the array has {count} items, more than the maximum {limit}");
    }
}

/// <summary><c>uniqueItems</c>.</summary>
/// <remarks>
/// Each item is hashed once (a hash that agrees with JSON equality) and the hashes sorted, so equal items are found in
/// n log n time; comparing every pair took hours on a one-megabyte array. Items nested deeper than
/// <see cref="JsonSchemaOptions.MaxInstanceDepth"/> make the array invalid, as they do everywhere else.
/// </remarks>
internal sealed class UniqueItemsKeyword(string nodeLocation) : Keyword("uniqueItems", nodeLocation)
{
    public override JsonTypes AppliesTo => JsonTypes.Array;

    public override bool Evaluate(EvaluationState state, in JsonProperties instance, int depth, EvaluatedSet? evaluated)
    {
        if (!instance.TryGetElement(out var array) || array.ValueKind != JsonValueKind.Array)
        {
            return true;
        }

        var count = array.GetArrayLength();
        if (count < 2)
        {
            return true;
        }

        // Sorted by hash with the items' indexes alongside: equal items end up next to each other.
        var hashes = System.Buffers.ArrayPool<UInt128>.Shared.Rent(count);
        var indexes = System.Buffers.ArrayPool<int>.Shared.Rent(count);
        try
        {
            var index = 0;
            foreach (var item in array.EnumerateArray())
            {
                if (!JsonHash.TryCompute(item, depth + 1, state.MaxDepth, out hashes[index]))
                {
                    return state.CollectsErrors && Fail(state, $"item {index} is nested deeper than {state.MaxDepth} levels; flatten it");
                }

                indexes[index] = index;
                index++;
            }

            var keys = hashes.AsSpan(0, count);
            var order = indexes.AsSpan(0, count);
            keys.Sort(order);
            return FindEqual(keys, order) is not var (first, second)
                || (state.CollectsErrors && Fail(state, $"items {first} and {second} are equal; array items must be unique"));
        }
        finally
        {
            System.Buffers.ArrayPool<UInt128>.Shared.Return(hashes);
            System.Buffers.ArrayPool<int>.Shared.Return(indexes);
        }
    }

    // The pair an item-by-item scan reports: the earliest item that has an equal one, with the first item equal to it.
    // Within a run of equal hashes the sort left the indexes in any order, so each run's two smallest are picked.
    private static (int First, int Second)? FindEqual(ReadOnlySpan<UInt128> keys, ReadOnlySpan<int> order)
    {
        (int First, int Second)? found = null;
        for (var start = 0; start < keys.Length;)
        {
            var (first, second) = (order[start], int.MaxValue);
            var end = start + 1;
            for (; end < keys.Length && keys[end] == keys[start]; end++)
            {
                var index = order[end];
                (first, second) = index < first ? (index, first) : (first, Math.Min(second, index));
            }

            if (second != int.MaxValue && (found is not { } best || first < best.First))
            {
                found = (first, second);
            }

            start = end;
        }

        return found;
    }
}

/// <summary><c>unevaluatedItems</c>: applies to items no other keyword evaluated.</summary>
internal sealed class UnevaluatedItemsKeyword(string nodeLocation, SchemaNode schema) : Keyword("unevaluatedItems", nodeLocation)
{
    public override JsonTypes AppliesTo => JsonTypes.Array;

    // The items others evaluated were accepted by a subschema, which checked them.
    public override bool CoversMembers => true;

    public override bool Evaluate(EvaluationState state, in JsonProperties instance, int depth, EvaluatedSet? evaluated)
    {
        if (evaluated is null || !instance.TryGetElement(out var array) || array.ValueKind != JsonValueKind.Array)
        {
            return true;
        }

        var valid = true;
        var index = 0;
        foreach (var item in array.EnumerateArray())
        {
            if (!evaluated.IsMarked(index))
            {
                if (!EvaluateItem(schema, state, item, index, depth))
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
