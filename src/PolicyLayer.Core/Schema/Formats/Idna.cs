using System.Globalization;

namespace PolicyLayer.Schema.Formats;

/// <summary>Punycode decoding and the IDNA2008 rules a decoded label must follow.</summary>
internal static class Idna
{
    private const int Base = 36;
    private const int TMin = 1;
    private const int TMax = 26;

    public static bool IsValidALabel(ReadOnlySpan<char> encoded)
    {
        Span<int> buffer = stackalloc int[64];
        return TryDecode(encoded, buffer, out var length) && IsValidULabel(buffer[..length]);
    }

    private static bool TryDecode(ReadOnlySpan<char> input, Span<int> output, out int length)
    {
        length = 0;
        var delimiter = input.LastIndexOf('-');
        if (delimiter > 0)
        {
            foreach (var c in input[..delimiter])
            {
                if (length >= output.Length)
                {
                    return false;
                }

                output[length++] = c;
            }
        }

        long n = 128;
        long i = 0;
        var bias = 72;
        var position = delimiter > 0 ? delimiter + 1 : 0;
        if (position >= input.Length)
        {
            return false;
        }

        while (position < input.Length)
        {
            var oldI = i;
            long w = 1;
            for (var k = Base; ; k += Base)
            {
                if (position >= input.Length)
                {
                    return false;
                }

                var digit = Digit(input[position++]);
                if (digit < 0)
                {
                    return false;
                }

                i += digit * w;
                var t = k <= bias ? TMin : k >= bias + TMax ? TMax : k - bias;
                if (digit < t)
                {
                    break;
                }

                w *= Base - t;
                if (i > int.MaxValue || w > int.MaxValue)
                {
                    return false;
                }
            }

            bias = Adapt(i - oldI, length + 1, oldI == 0);
            n += i / (length + 1);
            i %= length + 1;
            if (n > 0x10FFFF || length >= output.Length)
            {
                return false;
            }

            output[(int)i..length].CopyTo(output[((int)i + 1)..]);
            output[(int)i] = (int)n;
            length++;
            i++;
        }

        return true;
    }

    private static int Digit(char c) => c switch
    {
        >= 'a' and <= 'z' => c - 'a',
        >= 'A' and <= 'Z' => c - 'A',
        >= '0' and <= '9' => c - '0' + 26,
        _ => -1,
    };

    private static int Adapt(long delta, int points, bool first)
    {
        delta = first ? delta / 700 : delta / 2;
        delta += delta / points;
        var k = 0;
        while (delta > ((Base - TMin) * TMax) / 2)
        {
            delta /= Base - TMin;
            k += Base;
        }

        return (int)(k + (((Base - TMin + 1) * delta) / (delta + 38)));
    }

    private static bool IsValidULabel(ReadOnlySpan<int> label)
    {
        if (label.Length == 0 || (label.Length >= 4 && label[2] == '-' && label[3] == '-') || IsMark(label[0]))
        {
            return false;
        }

        bool arabicIndic = false, extendedArabicIndic = false, japanese = false, katakanaDot = false;
        for (var i = 0; i < label.Length; i++)
        {
            var c = label[i];
            var previous = i > 0 ? label[i - 1] : -1;
            var next = i + 1 < label.Length ? label[i + 1] : -1;
            switch (c)
            {
                case 0x00B7 when previous != 'l' || next != 'l': // MIDDLE DOT
                case 0x0375 when !IsGreek(next): // GREEK KERAIA
                case 0x05F3 or 0x05F4 when !IsHebrew(previous): // GERESH, GERSHAYIM
                case 0x200D when !IsVirama(previous): // ZERO WIDTH JOINER
                case 0x200C when !IsVirama(previous) && !(IsJoining(previous) && IsJoining(next)): // ZERO WIDTH NON-JOINER
                case 0x0640 or 0x07FA or 0x302E or 0x302F or (>= 0x3031 and <= 0x3035) or 0x303B: // DISALLOWED exceptions
                    return false;
                case 0x30FB:
                    katakanaDot = true;
                    break;
            }

            arabicIndic |= c is >= 0x0660 and <= 0x0669;
            extendedArabicIndic |= c is >= 0x06F0 and <= 0x06F9;
            japanese |= (c is >= 0x3040 and <= 0x30FF && c != 0x30FB) || c is (>= 0x3400 and <= 0x4DBF) or (>= 0x4E00 and <= 0x9FFF) or (>= 0x20000 and <= 0x3134F);
            if (c != '-' && c is not (0x00B7 or 0x0375 or 0x05F3 or 0x05F4 or 0x200C or 0x200D or 0x30FB) && !IsLetterDigitOrMark(c))
            {
                return false;
            }
        }

        return !(arabicIndic && extendedArabicIndic) && (!katakanaDot || japanese);
    }

    private static bool IsLetterDigitOrMark(int c)
    {
        var category = CharUnicodeInfo.GetUnicodeCategory(c);
        return category is UnicodeCategory.LowercaseLetter or UnicodeCategory.OtherLetter or UnicodeCategory.ModifierLetter
            or UnicodeCategory.DecimalDigitNumber or UnicodeCategory.NonSpacingMark or UnicodeCategory.SpacingCombiningMark
            || (category == UnicodeCategory.UppercaseLetter && c < 0x80) // ASCII case is folded by the DNS
            || c is 0x00DF or 0x03C2 or 0x06FD or 0x06FE or 0x0F0B or 0x3007; // PVALID exceptions
    }

    private static bool IsMark(int c) => CharUnicodeInfo.GetUnicodeCategory(c) is UnicodeCategory.NonSpacingMark
        or UnicodeCategory.SpacingCombiningMark or UnicodeCategory.EnclosingMark;

    private static bool IsGreek(int c) => c is (>= 0x0370 and <= 0x03FF) or (>= 0x1F00 and <= 0x1FFF);

    private static bool IsHebrew(int c) => c is >= 0x0590 and <= 0x05FF;

    private static bool IsJoining(int c) => c is (>= 0x0620 and <= 0x064A) or (>= 0x066E and <= 0x06D3) or (>= 0x0710 and <= 0x074F);

    // Characters of canonical combining class 9 (virama) in the common Indic scripts.
    private static bool IsVirama(int c) => c is 0x094D or 0x09CD or 0x0A4D or 0x0ACD or 0x0B4D or 0x0BCD or 0x0C4D or 0x0CCD
        or 0x0D3B or 0x0D3C or 0x0D4D or 0x0DCA or 0x0E3A or 0x0EBA or 0x0F84 or 0x1039 or 0x103A or 0x1714 or 0x1734 or 0x17D2
        or 0x1A60 or 0x1B44 or 0x1BAA or 0x1BAB or 0x1BF2 or 0x1BF3 or 0x2D7F or 0xA806 or 0xA8C4 or 0xA953 or 0xA9C0 or 0xAAF6 or 0xABED;
}
