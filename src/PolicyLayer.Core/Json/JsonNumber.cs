namespace PolicyLayer.Json;

/// <summary>
/// A JSON number taken apart without converting it: sign, the digits before and after the point, and the exponent.
/// Its value is exact whatever its size or precision.
/// </summary>
/// <remarks>
/// The value is <c>0.d₁d₂…dₙ × 10^Scale</c> where d₁ is the first non-zero digit; zero has no significant digits.
/// JSON puts no bound on an exponent's digits (<c>1e10000000000000000000</c> is valid), so an exponent of more than
/// <see cref="MaxExactExponentDigits"/> digits is not converted: <see cref="Scale"/> then saturates, and comparisons
/// work on the exponent's digits instead (<see cref="ScaleDifference"/>), so they stay exact whatever the exponent.
/// </remarks>
internal readonly ref struct JsonNumber
{
    // An exponent of up to 18 digits is below 10^18 and converts to a long exactly; added to a digit offset (which the
    // text's length bounds below 2^31) it still fits with room to spare.
    private const int MaxExactExponentDigits = 18;

    // Scale of a number whose exponent has more digits: beyond every exact scale (below 10^18 + 2^31), so a
    // saturated scale still orders correctly against an exact one.
    private const long SaturatedScale = long.MaxValue / 4;

    // Where ScaleDifference saturates: far beyond any difference of digit offsets (below 2^32), so a saturated
    // difference keeps its sign once offsets are added, and far below long.MaxValue / 10, so accumulating never overflows.
    private const long DifferenceLimit = 1L << 50;

    private readonly ReadOnlySpan<byte> _integer;
    private readonly ReadOnlySpan<byte> _fraction;
    private readonly ReadOnlySpan<byte> _exponent; // the exponent's digits without leading zeros (empty for zero)
    private readonly int _first; // index of the first non-zero digit in integer+fraction, -1 for zero
    private readonly int _last;  // index of the last non-zero digit
    private readonly bool _exponentNegative; // only for a non-zero exponent

    private JsonNumber(bool negative, ReadOnlySpan<byte> integer, ReadOnlySpan<byte> fraction, ReadOnlySpan<byte> exponent, bool exponentNegative)
    {
        _integer = integer;
        _fraction = fraction;
        _exponent = exponent;
        _exponentNegative = exponentNegative && !exponent.IsEmpty;
        _first = -1;
        _last = -1;
        var length = integer.Length + fraction.Length;
        for (var i = 0; i < length; i++)
        {
            if (DigitAt(integer, fraction, i) != (byte)'0')
            {
                _first = i;
                break;
            }
        }

        if (_first >= 0)
        {
            for (var i = length - 1; i >= _first; i--)
            {
                if (DigitAt(integer, fraction, i) != (byte)'0')
                {
                    _last = i;
                    break;
                }
            }
        }

        Negative = negative && _first >= 0;
        if (_first < 0)
        {
            Scale = 0;
        }
        else if (HasLongExponent)
        {
            Scale = _exponentNegative ? -SaturatedScale : SaturatedScale;
        }
        else
        {
            long value = 0;
            foreach (var digit in exponent)
            {
                value = (value * 10) + (digit - '0');
            }

            Scale = Offset + (_exponentNegative ? -value : value);
        }
    }

    /// <summary>Whether the value is below zero (negative zero is zero).</summary>
    public bool Negative { get; }

    /// <summary>Whether the value is zero.</summary>
    public bool IsZero => _first < 0;

    /// <summary>
    /// The decimal exponent of the first significant digit: the value is 0.ddd × 10^Scale. Exact unless the written
    /// exponent has more than 18 digits; then it saturates at ±(<see cref="long.MaxValue"/> / 4), which still orders
    /// it correctly against every exact scale. <see cref="ScaleDifference"/> is exact in every case.
    /// </summary>
    public long Scale { get; }

    /// <summary>The number of significant digits (trailing zeros excluded).</summary>
    public int DigitCount => _first < 0 ? 0 : _last - _first + 1;

    /// <summary>The k-th significant digit as a value 0–9, or 0 past the end.</summary>
    public int Digit(int k) => k < DigitCount ? DigitAt(_integer, _fraction, _first + k) - '0' : 0;

    /// <summary>Whether the value has no fractional part.</summary>
    /// <remarks>A saturated scale is right here too: it is far beyond any count of digits.</remarks>
    public bool IsInteger => _first < 0 || DigitCount <= Scale;

    // A non-zero number whose written exponent is too long to convert exactly.
    private bool HasLongExponent => _first >= 0 && _exponent.Length > MaxExactExponentDigits;

    // Scale minus the written exponent: where the first significant digit stands relative to the point.
    // Between -(fraction length) and the integer length, so well inside an int.
    private long Offset => (long)_integer.Length - _first;

    /// <summary>Parses the raw text of a JSON number (as System.Text.Json has validated it).</summary>
    public static JsonNumber Parse(ReadOnlySpan<byte> raw)
    {
        var negative = false;
        var i = 0;
        if (i < raw.Length && raw[i] == (byte)'-')
        {
            negative = true;
            i++;
        }

        var start = i;
        while (i < raw.Length && IsDigit(raw[i]))
        {
            i++;
        }

        var integer = raw[start..i];
        var fraction = ReadOnlySpan<byte>.Empty;
        if (i < raw.Length && raw[i] == (byte)'.')
        {
            i++;
            start = i;
            while (i < raw.Length && IsDigit(raw[i]))
            {
                i++;
            }

            fraction = raw[start..i];
        }

        var exponent = ReadOnlySpan<byte>.Empty;
        var exponentNegative = false;
        if (i < raw.Length && (raw[i] == (byte)'e' || raw[i] == (byte)'E'))
        {
            i++;
            if (i < raw.Length && (raw[i] == (byte)'+' || raw[i] == (byte)'-'))
            {
                exponentNegative = raw[i] == (byte)'-';
                i++;
            }

            // Leading zeros say nothing; without them the digit count tells whether the exponent converts exactly.
            while (i < raw.Length && raw[i] == (byte)'0')
            {
                i++;
            }

            start = i;
            while (i < raw.Length && IsDigit(raw[i]))
            {
                i++;
            }

            exponent = raw[start..i];
        }

        return new JsonNumber(negative, integer, fraction, exponent, exponentNegative);
    }

    /// <summary>
    /// <c>a.Scale - b.Scale</c>, computed from the written exponents so that it is exact even when a scale
    /// saturates; a difference beyond ±2^50 comes back as ±2^50.
    /// </summary>
    /// <remarks>
    /// Past 2^50 only the sign matters to a caller: a digit count or an offset (each below 2^31) cannot turn it, and
    /// 10^(2^50) has more factors 2 and 5 than any divisor's significand could absorb.
    /// </remarks>
    public static long ScaleDifference(in JsonNumber a, in JsonNumber b)
    {
        if (!a.HasLongExponent && !b.HasLongExponent)
        {
            return a.Scale - b.Scale; // each exact and below 2^62: no overflow
        }

        if (a.IsZero || b.IsZero)
        {
            // Zero's scale is 0 by convention; the other's, saturated, only has a sign to give.
            return Math.Clamp(a.Scale - b.Scale, -DifferenceLimit, DifferenceLimit);
        }

        return ExponentDifference(a, b) + (a.Offset - b.Offset);
    }

    /// <summary>Appends <c>Scale - 1</c>, the exponent of the number written as d.ddd×10^e, exactly.</summary>
    /// <remarks>Only for a non-zero number. Linear in the exponent's length, whatever its size.</remarks>
    public void AppendScientificExponent(System.Text.StringBuilder text)
    {
        if (!HasLongExponent)
        {
            text.Append((Scale - 1).ToString(System.Globalization.CultureInfo.InvariantCulture));
            return;
        }

        // Scale - 1 = ±E + adjustment, with |adjustment| < 2^32 and E ≥ 10^18: the sign is the exponent's and the
        // magnitude is E ± adjustment, worked out digit by digit from the right with a carry that may be negative.
        var adjustment = Offset - 1;
        var carry = _exponentNegative ? -adjustment : adjustment;
        var digits = new char[_exponent.Length + 1];
        for (var k = _exponent.Length - 1; k >= 0; k--)
        {
            var sum = _exponent[k] - '0' + carry;
            var quotient = sum >= 0 ? sum / 10 : -((9 - sum) / 10);
            digits[k + 1] = (char)('0' + (sum - (quotient * 10)));
            carry = quotient;
        }

        digits[0] = (char)('0' + carry); // 0 or 1: the magnitude is positive and has at most one more digit
        var first = digits[0] == '0' ? 1 : 0;
        while (digits[first] == '0')
        {
            first++; // a borrow can shorten the magnitude, never to nothing (E exceeds the adjustment)
        }

        if (_exponentNegative)
        {
            text.Append('-');
        }

        text.Append(digits, first, digits.Length - first);
    }

    /// <summary>Compares two numbers exactly.</summary>
    /// <returns>Negative, zero or positive as <paramref name="a"/> is less than, equal to or greater than <paramref name="b"/>.</returns>
    public static int Compare(in JsonNumber a, in JsonNumber b)
    {
        var signA = a.IsZero ? 0 : a.Negative ? -1 : 1;
        var signB = b.IsZero ? 0 : b.Negative ? -1 : 1;
        if (signA != signB)
        {
            return signA.CompareTo(signB);
        }

        if (signA == 0)
        {
            return 0;
        }

        var magnitude = CompareMagnitude(a, b);
        return signA < 0 ? -magnitude : magnitude;
    }

    /// <summary>Compares two raw JSON numbers exactly.</summary>
    public static int Compare(ReadOnlySpan<byte> a, ReadOnlySpan<byte> b) => Compare(Parse(a), Parse(b));

    private static int CompareMagnitude(in JsonNumber a, in JsonNumber b)
    {
        var scales = ScaleDifference(a, b);
        if (scales != 0)
        {
            return scales < 0 ? -1 : 1;
        }

        var count = Math.Max(a.DigitCount, b.DigitCount);
        for (var k = 0; k < count; k++)
        {
            var difference = a.Digit(k) - b.Digit(k);
            if (difference != 0)
            {
                return difference;
            }
        }

        return 0;
    }

    // The difference of the signed written exponents, saturated at ±DifferenceLimit. Called when at least one of them
    // has more than 18 digits, so at least one is 10^18 or more in magnitude.
    private static long ExponentDifference(in JsonNumber a, in JsonNumber b)
    {
        var signA = a._exponent.IsEmpty ? 0 : a._exponentNegative ? -1 : 1;
        var signB = b._exponent.IsEmpty ? 0 : b._exponentNegative ? -1 : 1;
        if (signA != signB)
        {
            // The magnitudes add up (or one is zero): at least 10^18, beyond the limit.
            return signA > signB ? DifferenceLimit : -DifferenceLimit;
        }

        var magnitude = MagnitudeDifference(a._exponent, b._exponent);
        return signA < 0 ? -magnitude : magnitude;
    }

    // x - y for unsigned decimal digit strings, saturated at ±DifferenceLimit. Reading both right-aligned from the
    // left, the running value is (x's prefix) - (y's prefix); whichever of x and y is larger has every prefix at
    // least as large, so the running value never changes sign, and once past the limit it only grows (|10v ± 9| > |v|).
    private static long MagnitudeDifference(ReadOnlySpan<byte> x, ReadOnlySpan<byte> y)
    {
        var length = Math.Max(x.Length, y.Length);
        var padX = length - x.Length;
        var padY = length - y.Length;
        long value = 0;
        for (var k = 0; k < length; k++)
        {
            var digitX = k < padX ? 0 : x[k - padX] - '0';
            var digitY = k < padY ? 0 : y[k - padY] - '0';
            value = (value * 10) + (digitX - digitY);
            if (value > DifferenceLimit)
            {
                return DifferenceLimit;
            }

            if (value < -DifferenceLimit)
            {
                return -DifferenceLimit;
            }
        }

        return value;
    }

    private static byte DigitAt(ReadOnlySpan<byte> integer, ReadOnlySpan<byte> fraction, int index) =>
        index < integer.Length ? integer[index] : fraction[index - integer.Length];

    private static bool IsDigit(byte b) => b is >= (byte)'0' and <= (byte)'9';
}
