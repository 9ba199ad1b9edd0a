namespace PolicyLayer.Schema.Keywords;

/// <summary>
/// A fast matcher for the shape most schema patterns have: anchored at the start, a sequence of single characters,
/// classes and escapes, each with an optional quantifier (<c>^cus_[A-Za-z0-9]{8,24}$</c>, <c>^\d{4}-\d{2}-\d{2}$</c>),
/// run on ASCII text. Anything else is left to the regular expression engine.
/// </summary>
/// <remarks>
/// The pattern is accepted only when every variable repetition is followed by characters it cannot consume (its set
/// is disjoint from the sets that may come next). Then a greedy left-to-right scan is exact: giving a character back
/// could never let the rest of the pattern match. The scan reads each character once and allocates nothing, so it is
/// linear in the input like the engine it stands in for, and returns the same answer (a property test checks that).
/// </remarks>
internal sealed class DeterministicPattern
{
    private readonly Atom[] _atoms;
    private readonly bool _anchoredAtEnd;

    private DeterministicPattern(Atom[] atoms, bool anchoredAtEnd)
    {
        _atoms = atoms;
        _anchoredAtEnd = anchoredAtEnd;
    }

    /// <summary>Compiles an ECMA-262 pattern, or returns <see langword="null"/> when it is not of the supported shape.</summary>
    public static DeterministicPattern? TryCreate(string pattern)
    {
        if (pattern.Length == 0 || pattern[0] != '^')
        {
            return null; // an unanchored pattern is a search, not a scan
        }

        var atoms = new List<Atom>();
        var anchoredAtEnd = false;
        var i = 1;
        while (i < pattern.Length)
        {
            if (pattern[i] == '$')
            {
                if (i != pattern.Length - 1)
                {
                    return null;
                }

                anchoredAtEnd = true;
                break;
            }

            if (!TryReadSet(pattern, ref i, out var set) || !TryReadQuantifier(pattern, ref i, out var min, out var max))
            {
                return null;
            }

            atoms.Add(new Atom(set, min, max));
        }

        return IsDeterministic(atoms) ? new DeterministicPattern([.. atoms], anchoredAtEnd) : null;
    }

    /// <summary>Matches ASCII text (every byte below 0x80; the caller checks).</summary>
    public bool IsMatch(ReadOnlySpan<byte> ascii)
    {
        var position = 0;
        foreach (var atom in _atoms)
        {
            var count = 0;
            while (count < atom.Max && position < ascii.Length && atom.Set.Contains(ascii[position]))
            {
                count++;
                position++;
            }

            if (count < atom.Min)
            {
                return false;
            }
        }

        return !_anchoredAtEnd || position == ascii.Length;
    }

    // Every variable atom's set must be disjoint from each set that can follow it, up to the first required atom.
    private static bool IsDeterministic(List<Atom> atoms)
    {
        for (var i = 0; i < atoms.Count; i++)
        {
            if (atoms[i].Min == atoms[i].Max)
            {
                continue;
            }

            for (var j = i + 1; j < atoms.Count; j++)
            {
                if (atoms[i].Set.Overlaps(atoms[j].Set))
                {
                    return false;
                }

                if (atoms[j].Min > 0)
                {
                    break;
                }
            }
        }

        return true;
    }

    private static bool TryReadSet(string pattern, ref int i, out AsciiSet set)
    {
        set = default;
        var c = pattern[i];
        switch (c)
        {
            case '\\':
                if (i + 1 >= pattern.Length || !TryEscape(pattern[i + 1], inClass: false, ref set))
                {
                    return false;
                }

                i += 2;
                return true;
            case '[':
                return TryReadClass(pattern, ref i, out set);
            case '.':
                set = AsciiSet.Range(0, 127).Without('\n').Without('\r'); // ECMA-262 '.' excludes line terminators
                i++;
                return true;
            case '^' or '$' or '|' or '(' or ')' or '*' or '+' or '?' or '{' or '}' or ']':
                return false;
            default:
                if (c >= 128)
                {
                    return false;
                }

                set = AsciiSet.Single(c);
                i++;
                return true;
        }
    }

    private static bool TryReadClass(string pattern, ref int i, out AsciiSet set)
    {
        set = default;
        var j = i + 1;
        var negated = j < pattern.Length && pattern[j] == '^';
        if (negated)
        {
            j++;
        }

        while (j < pattern.Length && pattern[j] != ']')
        {
            if (!TryReadClassUnit(pattern, ref j, ref set, out var low))
            {
                return false;
            }

            if (low < 0 && j + 1 < pattern.Length && pattern[j] == '-' && pattern[j + 1] != ']')
            {
                return false; // a range from a class escape ([\d-x]): engines disagree on it
            }

            if (low >= 0 && j + 1 < pattern.Length && pattern[j] == '-' && pattern[j + 1] != ']')
            {
                j++;
                var upperSet = default(AsciiSet);
                if (!TryReadClassUnit(pattern, ref j, ref upperSet, out var high) || high < low)
                {
                    return false; // a range to a class escape, or a reversed range: leave it to the engine
                }

                set = set.Union(AsciiSet.Range(low, high));
            }
            else if (low >= 0)
            {
                set = set.Union(AsciiSet.Single((char)low));
            }
        }

        if (j >= pattern.Length || j == i + 1 + (negated ? 1 : 0))
        {
            return false; // unterminated, or "[]" / "[^]", whose meanings differ between engines
        }

        i = j + 1;
        if (negated)
        {
            set = AsciiSet.Range(0, 127).Except(set);
        }

        return true;
    }

    // One unit of a class: a character (low = its code) or a class escape such as \d (added to set, low = -1).
    private static bool TryReadClassUnit(string pattern, ref int j, ref AsciiSet set, out int low)
    {
        low = -1;
        var c = pattern[j];
        if (c == '\\')
        {
            if (j + 1 >= pattern.Length)
            {
                return false;
            }

            var escaped = pattern[j + 1];
            j += 2;
            var single = default(AsciiSet);
            if (!TryEscape(escaped, inClass: true, ref single))
            {
                return false;
            }

            if (single.IsSingle(out var code))
            {
                low = code;
            }
            else
            {
                set = set.Union(single);
            }

            return true;
        }

        if (c >= 128 || c == '[')
        {
            return false;
        }

        low = c;
        j++;
        return true;
    }

    private static bool TryEscape(char escaped, bool inClass, ref AsciiSet set)
    {
        var digits = AsciiSet.Range('0', '9');
        var word = digits.Union(AsciiSet.Range('a', 'z')).Union(AsciiSet.Range('A', 'Z')).Union(AsciiSet.Single('_'));
        var space = AsciiSet.Range('\t', '\r').Union(AsciiSet.Single(' '));
        switch (escaped)
        {
            case 'd': set = digits; return true;
            case 'w': set = word; return true;
            case 's': set = space; return true;
            case 'D' when !inClass: set = AsciiSet.Range(0, 127).Except(digits); return true;
            case 'W' when !inClass: set = AsciiSet.Range(0, 127).Except(word); return true;
            case 'S' when !inClass: set = AsciiSet.Range(0, 127).Except(space); return true;
            case 't': set = AsciiSet.Single('\t'); return true;
            case 'n': set = AsciiSet.Single('\n'); return true;
            case 'r': set = AsciiSet.Single('\r'); return true;
            case 'f': set = AsciiSet.Single('\f'); return true;
            case 'v': set = AsciiSet.Single('\v'); return true;
            case '-' when inClass: set = AsciiSet.Single('-'); return true;
            default:
                // Escaped punctuation stands for itself; letters and digits are escapes with other meanings (\b, \1, \u...).
                if (escaped < 128 && !char.IsAsciiLetterOrDigit(escaped) && escaped != '_')
                {
                    set = AsciiSet.Single(escaped);
                    return true;
                }

                return false;
        }
    }

    private static bool TryReadQuantifier(string pattern, ref int i, out int min, out int max)
    {
        min = 1;
        max = 1;
        if (i >= pattern.Length)
        {
            return true;
        }

        switch (pattern[i])
        {
            case '?': min = 0; i++; break;
            case '*': min = 0; max = int.MaxValue; i++; break;
            case '+': max = int.MaxValue; i++; break;
            case '{':
                var close = pattern.IndexOf('}', i);
                if (close < 0 || !TryReadBounds(pattern.AsSpan(i + 1, close - i - 1), out min, out max))
                {
                    return false;
                }

                i = close + 1;
                break;
            default:
                return true;
        }

        // A second quantifier (a lazy '?', or "a**") changes nothing for matching but is not worth supporting.
        return i >= pattern.Length || pattern[i] is not ('?' or '*' or '+' or '{');
    }

    private static bool TryReadBounds(ReadOnlySpan<char> text, out int min, out int max)
    {
        max = 0;
        var comma = text.IndexOf(',');
        var minText = comma < 0 ? text : text[..comma];
        if (!TryReadCount(minText, out min))
        {
            return false;
        }

        if (comma < 0)
        {
            max = min;
            return true;
        }

        var maxText = text[(comma + 1)..];
        if (maxText.Length == 0)
        {
            max = int.MaxValue;
            return true;
        }

        return TryReadCount(maxText, out max) && max >= min;
    }

    private static bool TryReadCount(ReadOnlySpan<char> text, out int value)
    {
        value = 0;
        if (text.Length is 0 or > 6)
        {
            return false;
        }

        foreach (var c in text)
        {
            if (!char.IsAsciiDigit(c))
            {
                return false;
            }

            value = (value * 10) + (c - '0');
        }

        return true;
    }

    private readonly record struct Atom(AsciiSet Set, int Min, int Max);
}

/// <summary>A set of ASCII characters as a 128-bit mask.</summary>
internal readonly record struct AsciiSet(ulong Low, ulong High)
{
    public static AsciiSet Single(char c) => c < 64 ? new(1UL << c, 0) : new(0, 1UL << (c - 64));

    public static AsciiSet Range(int from, int to)
    {
        var set = default(AsciiSet);
        for (var c = from; c <= to; c++)
        {
            set = set.Union(Single((char)c));
        }

        return set;
    }

    public bool Contains(byte c) => c < 64 ? (Low & (1UL << c)) != 0 : c < 128 && (High & (1UL << (c - 64))) != 0;

    public AsciiSet Union(AsciiSet other) => new(Low | other.Low, High | other.High);

    public AsciiSet Except(AsciiSet other) => new(Low & ~other.Low, High & ~other.High);

    public AsciiSet Without(char c) => Except(Single(c));

    public bool Overlaps(AsciiSet other) => (Low & other.Low) != 0 || (High & other.High) != 0;

    public bool IsSingle(out int code)
    {
        var count = System.Numerics.BitOperations.PopCount(Low) + System.Numerics.BitOperations.PopCount(High);
        code = Low != 0 ? System.Numerics.BitOperations.TrailingZeroCount(Low) : 64 + System.Numerics.BitOperations.TrailingZeroCount(High);
        return count == 1;
    }
}
