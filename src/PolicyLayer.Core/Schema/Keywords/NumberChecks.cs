using PolicyLayer.Json;

namespace PolicyLayer.Schema.Keywords;

/// <summary>
/// The keywords of a node that look only at a number (<c>minimum</c>, <c>maximum</c>, the exclusive bounds,
/// <c>multipleOf</c>), checked by the fast path in one call that reads the number once for every bound.
/// </summary>
/// <remarks>Only the outcome is decided here: errors still come from the keywords.</remarks>
internal sealed class NumberChecks
{
    private readonly BoundKeyword[] _bounds;
    private readonly MultipleOfKeyword[] _multiples;

    private NumberChecks(BoundKeyword[] bounds, MultipleOfKeyword[] multiples)
    {
        _bounds = bounds;
        _multiples = multiples;
    }

    /// <summary>The merged checks of a node's number keywords, or <see langword="null"/> when one of them is of another kind.</summary>
    public static NumberChecks? TryCreate(Keyword[] keywords) =>
        keywords.All(k => k is BoundKeyword or MultipleOfKeyword)
            ? new NumberChecks([.. keywords.OfType<BoundKeyword>()], [.. keywords.OfType<MultipleOfKeyword>()])
            : null;

    /// <summary>Whether a number, given as its raw text, satisfies every keyword.</summary>
    public bool IsValid(ReadOnlySpan<byte> raw)
    {
        var isShort = ShortDecimal.TryParse(raw, out var number);
        foreach (var bound in _bounds)
        {
            if (!bound.Accepts(raw, isShort, number))
            {
                return false;
            }
        }

        foreach (var multiple in _multiples)
        {
            if (!multiple.Accepts(raw))
            {
                return false;
            }
        }

        return true;
    }
}
