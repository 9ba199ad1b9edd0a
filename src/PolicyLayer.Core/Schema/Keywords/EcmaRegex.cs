using System.Text;
using System.Text.RegularExpressions;
using PolicyLayer.Text;

namespace PolicyLayer.Schema.Keywords;

/// <summary>
/// Compiles JSON Schema patterns (ECMA-262 syntax) to .NET regular expressions that run in bounded time.
/// </summary>
/// <remarks>
/// Patterns run with <see cref="RegexOptions.NonBacktracking"/>, whose matching time is linear in the input, so
/// <c>(a+)+$</c> cannot blow up. The few constructs that engine cannot express (backreferences, lookarounds, atomic
/// groups) fall back to the backtracking engine with <see cref="JsonSchemaOptions.RegexTimeout"/>; a match that
/// times out makes the instance invalid. ECMA-262 meanings that differ from .NET are translated: <c>\d</c>,
/// <c>\w</c>, <c>\s</c> and their negations use the ECMA-262 (ASCII or ECMA whitespace) sets, inside classes too,
/// <c>\b</c> and <c>\B</c> look at ASCII word characters (as lookarounds, so such patterns backtrack), <c>$</c>
/// matches only at the very end, and <c>.</c> excludes every ECMA-262 line terminator.
/// </remarks>
internal static class EcmaRegex
{
    private const string Digit = "0-9";
    private const string Word = "a-zA-Z0-9_";
    private const string Space = @"\t\n\v\f\r \u00a0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000\ufeff";

    // The complements of the three sets, as ranges, for \D, \W and \S inside a class: there .NET would read them
    // with its own Unicode meaning ([^\W_] would admit 'é'), and a negated class cannot be nested in a class.
    private const string NotDigit = @"\u0000-/:-\uffff";
    private const string NotWord = @"\u0000-/:-@\[-\^`{-\uffff";
    private const string NotSpace = @"\u0000-\u0008\u000e-\u001f!-\u009f\u00a1-\u167f\u1681-\u1fff\u200b-\u2027\u202a-\u202e\u2030-\u205e\u2060-\u2fff\u3001-\ufefe\uff00-\uffff";

    // ECMA-262 word boundaries look at the ASCII word characters only; .NET's \b also counts letters such as 'é'.
    private const string WordBoundary = @"(?:(?<=[" + Word + "])(?![" + Word + "])|(?<![" + Word + "])(?=[" + Word + "]))";
    private const string NotWordBoundary = @"(?:(?<=[" + Word + "])(?=[" + Word + "])|(?<![" + Word + "])(?![" + Word + "]))";

    public static bool TryCreate(string pattern, TimeSpan timeout, out SchemaRegex regex, out string error)
    {
        regex = null!;
        error = string.Empty;
        string translated;
        try
        {
            translated = Translate(pattern);
        }
        catch (ArgumentException e)
        {
            error = e.Message;
            return false;
        }

        try
        {
            // The interpreter's constructor checks the syntax cheaply. The linear-time engine's automaton is by far
            // the most expensive part of loading a policy, so it is built on the pattern's first use instead.
            var backtracking = RegexCache.Get(translated, RegexOptions.CultureInvariant, timeout);
            regex = NeedsBacktracking(translated)
                ? new SchemaRegex(pattern, backtracking)
                : new SchemaRegex(pattern, translated, backtracking);
            return true;
        }
        catch (ArgumentException e)
        {
            error = e.Message;
            return false;
        }
    }

    /// <summary>Whether a pattern is a valid ECMA-262 regular expression, checked without building or caching a matcher for it.</summary>
    public static bool IsValidSyntax(string pattern)
    {
        try
        {
            // The interpreter's constructor parses the pattern; the instance is dropped at once, never cached.
            _ = new Regex(Translate(pattern), RegexOptions.CultureInvariant);
            return true;
        }
        catch (ArgumentException)
        {
            return false;
        }
    }

    /// <summary>
    /// Whether a (translated) pattern uses a construct the linear-time engine cannot run: backreferences,
    /// lookarounds, atomic groups or conditionals. Escaped characters and character classes are skipped.
    /// </summary>
    internal static bool NeedsBacktracking(string pattern)
    {
        var inClass = false;
        for (var i = 0; i < pattern.Length; i++)
        {
            var c = pattern[i];
            if (c == '\\')
            {
                if (!inClass && i + 1 < pattern.Length && ((char.IsAsciiDigit(pattern[i + 1]) && pattern[i + 1] != '0') || pattern[i + 1] == 'k'))
                {
                    return true;
                }

                i++;
            }
            else if (inClass)
            {
                inClass = c != ']';
            }
            else if (c == '[')
            {
                inClass = true;
            }
            else if (c == '(' && i + 2 < pattern.Length && pattern[i + 1] == '?'
                && (pattern[i + 2] is '=' or '!' or '>' or '('
                    || (pattern[i + 2] == '<' && i + 3 < pattern.Length && pattern[i + 3] is '=' or '!')))
            {
                return true;
            }
        }

        return false;
    }

    // \u{1F600}, the code point escape of ECMA-262's Unicode mode; i is at the 'u'. A code point beyond the BMP becomes
    // its surrogate pair, as one unit outside a class (inside one, .NET sees two UTF-16 units).
    private static void AppendCodePoint(StringBuilder builder, string pattern, ref int i, bool inClass)
    {
        var close = pattern.IndexOf('}', i);
        if (close < 0 || !int.TryParse(pattern.AsSpan(i + 2, close - i - 2), System.Globalization.NumberStyles.AllowHexSpecifier, System.Globalization.CultureInfo.InvariantCulture, out var codePoint)
            || codePoint > 0x10FFFF)
        {
            throw new ArgumentException("a \\u{...} escape needs one to six hexadecimal digits up to 10FFFF and a closing '}'");
        }

        i = close;
        if (codePoint <= 0xFFFF)
        {
            builder.Append(@"\u").Append(codePoint.ToString("X4", System.Globalization.CultureInfo.InvariantCulture));
            return;
        }

        var text = char.ConvertFromUtf32(codePoint);
        if (inClass)
        {
            throw new ArgumentException($"a character class cannot hold the code point \\u{{{codePoint:X}}} beyond U+FFFF here; write it outside the class as an alternative");
        }

        builder.Append("(?:").Append(@"\u").Append(((int)text[0]).ToString("X4", System.Globalization.CultureInfo.InvariantCulture))
            .Append(@"\u").Append(((int)text[1]).ToString("X4", System.Globalization.CultureInfo.InvariantCulture)).Append(')');
    }

    // ECMA-262 spells General_Category values in full (\p{Letter}); .NET only knows the short aliases (\p{L}).
    private static readonly Dictionary<string, string> Categories = new(StringComparer.Ordinal)
    {
        ["Letter"] = "L", ["Cased_Letter"] = "L", ["Uppercase_Letter"] = "Lu", ["Lowercase_Letter"] = "Ll", ["Titlecase_Letter"] = "Lt",
        ["Modifier_Letter"] = "Lm", ["Other_Letter"] = "Lo", ["Mark"] = "M", ["Nonspacing_Mark"] = "Mn", ["Spacing_Mark"] = "Mc",
        ["Enclosing_Mark"] = "Me", ["Number"] = "N", ["Decimal_Number"] = "Nd", ["digit"] = "Nd", ["Letter_Number"] = "Nl",
        ["Other_Number"] = "No", ["Punctuation"] = "P", ["Connector_Punctuation"] = "Pc", ["Dash_Punctuation"] = "Pd",
        ["Open_Punctuation"] = "Ps", ["Close_Punctuation"] = "Pe", ["Initial_Punctuation"] = "Pi", ["Final_Punctuation"] = "Pf",
        ["Other_Punctuation"] = "Po", ["Symbol"] = "S", ["Math_Symbol"] = "Sm", ["Currency_Symbol"] = "Sc", ["Modifier_Symbol"] = "Sk",
        ["Other_Symbol"] = "So", ["Separator"] = "Z", ["Space_Separator"] = "Zs", ["Line_Separator"] = "Zl",
        ["Paragraph_Separator"] = "Zp", ["Other"] = "C", ["Control"] = "Cc", ["Format"] = "Cf", ["Surrogate"] = "Cs",
        ["Private_Use"] = "Co", ["Unassigned"] = "Cn",
    };

    private static string UnicodeProperty(string name)
    {
        var value = name.StartsWith("General_Category=", StringComparison.Ordinal) ? name["General_Category=".Length..]
            : name.StartsWith("gc=", StringComparison.Ordinal) ? name[3..]
            : name;
        return Categories.TryGetValue(value, out var alias) ? alias : value;
    }

    internal static string Translate(string pattern) => Translate(pattern, nativeWordBoundaries: false);

    /// <summary>Translates a pattern; <paramref name="nativeWordBoundaries"/> keeps <c>\b</c> and <c>\B</c> as .NET's.</summary>
    /// <remarks>
    /// ECMA-262's word boundary needs lookarounds over ASCII word characters, which only the backtracking engine runs.
    /// The policy's <c>regex</c> operator promises linear time, so it keeps the linear-time engine's own boundary,
    /// whose word characters are every Unicode letter and digit.
    /// </remarks>
    internal static string Translate(string pattern, bool nativeWordBoundaries)
    {
        var builder = new StringBuilder(pattern.Length + 16);
        var inClass = false;
        for (var i = 0; i < pattern.Length; i++)
        {
            var c = pattern[i];
            if (c == '\\')
            {
                if (i + 1 >= pattern.Length)
                {
                    throw new ArgumentException("the pattern ends with a lone backslash");
                }

                var next = pattern[++i];
                switch (next)
                {
                    case 'd': builder.Append(inClass ? Digit : "[" + Digit + "]"); break;
                    case 'w': builder.Append(inClass ? Word : "[" + Word + "]"); break;
                    case 's': builder.Append(inClass ? Space : "[" + Space + "]"); break;
                    case 'D': builder.Append(inClass ? NotDigit : "[^" + Digit + "]"); break;
                    case 'W': builder.Append(inClass ? NotWord : "[^" + Word + "]"); break;
                    case 'S': builder.Append(inClass ? NotSpace : "[^" + Space + "]"); break;
                    case 'b' when !inClass: builder.Append(nativeWordBoundaries ? @"\b" : WordBoundary); break;
                    case 'B' when !inClass: builder.Append(nativeWordBoundaries ? @"\B" : NotWordBoundary); break;
                    case 'Z' or 'A' or 'z' or 'a' or 'e' when !inClass:
                        throw new ArgumentException($"'\\{next}' is not part of ECMA-262 regular expressions");
                    case 'p' or 'P' when i + 1 < pattern.Length && pattern[i + 1] == '{':
                        var close = pattern.IndexOf('}', i);
                        if (close < 0)
                        {
                            throw new ArgumentException("a Unicode property escape is missing its closing '}'");
                        }

                        builder.Append('\\').Append(next).Append('{').Append(UnicodeProperty(pattern[(i + 2)..close])).Append('}');
                        i = close;
                        break;
                    case 'u' when i + 1 < pattern.Length && pattern[i + 1] == '{':
                        AppendCodePoint(builder, pattern, ref i, inClass);
                        break;
                    default: builder.Append('\\').Append(next); break;
                }

                continue;
            }

            if (inClass)
            {
                if (c == ']')
                {
                    inClass = false;
                }
                else if (c == '[')
                {
                    builder.Append('\\'); // a literal '[' inside a class in ECMA-262; .NET would read '[' as subtraction syntax in places
                }

                builder.Append(c);
                continue;
            }

            switch (c)
            {
                case '[':
                    inClass = true;
                    builder.Append(c);
                    if (i + 1 < pattern.Length && pattern[i + 1] == '^')
                    {
                        builder.Append('^');
                        i++;
                    }

                    if (i + 1 < pattern.Length && pattern[i + 1] == ']')
                    {
                        // "[]" matches nothing and "[^]" anything in ECMA-262; .NET reads ']' first as a literal.
                        i++;
                        if (builder[^1] == '^')
                        {
                            builder.Length--;
                            builder.Append(@"\s\S]");
                        }
                        else
                        {
                            builder.Append(@"^\s\S]");
                        }

                        inClass = false;
                    }

                    break;
                case '$':
                    builder.Append(@"\z");
                    break;
                case '(' when i + 1 < pattern.Length && pattern[i + 1] == '?':
                    // ECMA-262 groups: (?: (?= (?! (?<= (?<! (?<name>; inline flags and comments are not ECMA-262.
                    var rest = pattern.AsSpan(i + 2);
                    if (!(rest.StartsWith(":") || rest.StartsWith("=") || rest.StartsWith("!") || rest.StartsWith("<=") || rest.StartsWith("<!")
                        || (rest.StartsWith("<") && rest.Length > 1 && char.IsLetter(rest[1]))))
                    {
                        throw new ArgumentException("'(?' must start a (?:...), lookaround or named group in ECMA-262 regular expressions");
                    }

                    builder.Append(c);
                    break;
                case var high when char.IsHighSurrogate(high) && i + 1 < pattern.Length && char.IsLowSurrogate(pattern[i + 1]):
                    // Keep a non-BMP character one unit, so that a quantifier after it repeats the whole character.
                    builder.Append("(?:").Append(high).Append(pattern[++i]).Append(')');
                    break;
                case '.':
                    builder.Append(@"[^\n\r\u2028\u2029]");
                    break;
                default:
                    builder.Append(c);
                    break;
            }
        }

        return builder.ToString();
    }
}
