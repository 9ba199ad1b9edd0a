using System.Buffers;
using PolicyLayer.Json;
using PolicyLayer.Schema.Evaluation;

namespace PolicyLayer.Schema.Keywords;

/// <summary>
/// The keywords of a node that look only at a string's text (<c>minLength</c>, <c>maxLength</c>, <c>pattern</c>,
/// <c>enum</c>, a string <c>const</c>), checked by the fast path in one call.
/// </summary>
/// <remarks>
/// Each keyword on its own would look for escapes and test for ASCII again; here the text is examined once, and the
/// keywords are not called one by one. Text with escapes (rare in arguments) goes to the keywords themselves, so the
/// decoding stays in one place. Only the outcome is decided here: errors still come from the keywords.
/// </remarks>
internal sealed class StringChecks
{
    private static readonly SearchValues<byte> EscapeOrNonAscii = SearchValues.Create([(byte)'\\', .. Enumerable.Range(0x80, 0x80).Select(b => (byte)b)]);

    private readonly Keyword[] _keywords;
    private readonly long _minLength;
    private readonly long _maxLength;
    private readonly bool _checksLength;
    private readonly SchemaRegex[] _patterns;
    private readonly NameTable[] _allowed;   // enum and const: the text must be in each table

    private StringChecks(Keyword[] keywords, long minLength, long maxLength, SchemaRegex[] patterns, NameTable[] allowed)
    {
        _keywords = keywords;
        _minLength = minLength;
        _maxLength = maxLength;
        _checksLength = minLength > 0 || maxLength < long.MaxValue;
        _patterns = patterns;
        _allowed = allowed;
    }

    /// <summary>The merged checks of a node's string keywords, or <see langword="null"/> when one of them is of another kind.</summary>
    public static StringChecks? TryCreate(Keyword[] keywords)
    {
        long minLength = 0;
        var maxLength = long.MaxValue;
        var patterns = new List<SchemaRegex>();
        var allowed = new List<NameTable>();
        foreach (var keyword in keywords)
        {
            switch (keyword)
            {
                case LengthKeyword { IsMinimum: true } length:
                    minLength = Math.Max(minLength, length.Limit);
                    break;
                case LengthKeyword length:
                    maxLength = Math.Min(maxLength, length.Limit);
                    break;
                case PatternKeyword pattern:
                    patterns.Add(pattern.Regex);
                    break;
                case EnumKeyword values:
                    allowed.Add(values.Strings);
                    break;
                case ConstKeyword { Text: { } text }:
                    allowed.Add(text);
                    break;
                default:
                    return null;
            }
        }

        return new StringChecks(keywords, minLength, maxLength, [.. patterns], [.. allowed]);
    }

    /// <summary>Whether a string, given with its raw text (quoted), satisfies every keyword.</summary>
    public bool IsValid(EvaluationState state, in InstanceValue value, int depth)
    {
        // One scan answers both questions for the usual text: no escapes and all ASCII.
        var content = value.StringContent;
        var ascii = content.IndexOfAny(EscapeOrNonAscii) < 0;
        if (!ascii && content.IndexOf((byte)'\\') >= 0)
        {
            return IsValidByKeywords(state, value, depth);
        }

        if (_checksLength)
        {
            long length = ascii ? content.Length : JsonStrings.CodePointLength(value.Element, value.Raw);
            if (length < _minLength || length > _maxLength)
            {
                return false;
            }
        }

        foreach (var table in _allowed)
        {
            if (table.Find(content) < 0)
            {
                return false;
            }
        }

        foreach (var pattern in _patterns)
        {
            var outcome = ascii ? pattern.MatchPlainAscii(state, value.Element, content) : pattern.Match(state, value.Element, value.Raw);
            if (outcome != RegexOutcome.Match)
            {
                return false;
            }
        }

        return true;
    }

    private bool IsValidByKeywords(EvaluationState state, in InstanceValue value, int depth)
    {
        foreach (var keyword in _keywords)
        {
            if (!keyword.IsValid(state, value, depth))
            {
                return false;
            }
        }

        return true;
    }
}
