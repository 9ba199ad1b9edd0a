namespace PolicyLayer.Json;

/// <summary>
/// A JSON number taken apart without converting it: sign, the digits before and after the point, and the exponent.
/// Its value is exact whatever its size or precision.
/// </summary>
/// <remarks>
/// The value is <c>0.d₁d₂…dₙ × 10^Scale</c> where d₁ is the first non-zero digit; zero has no significant digits.
/// Exponents are held as <see cref="long"/> and clamped, so absurd exponents (<c>1e999999999999</c>) cannot overflow.
/// </remarks>
internal readonly ref struct JsonNumber
{
    private const long ExponentClamp = long.MaxValue / 4;

    private readonly ReadOnlySpan<byte> _integer;
    private readonly ReadOnlySpan<byte> _fraction;
    private readonly int _first; // index of the first non-zero digit in integer+fraction, -1 for zero
    private readonly int _last;  // index of the last non-zero digit

    private JsonNumber(bool negative, ReadOnlySpan<byte> integer, ReadOnlySpan<byte> fraction, long exponent)
    {
        _integer = integer;
        _fraction = fraction;
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
        Scale = _first < 0 ? 0 : integer.Length - _first + exponent;
    }

    /// <summary>Whether the value is below zero (negative zero is zero).</summary>
    public bool Negative { get; }

    /// <summary>Whether the value is zero.</summary>
    public bool IsZero => _first < 0;

    /// <summary>The decimal exponent of the first significant digit: the value is 0.ddd × 10^Scale.</summary>
    public long Scale { get; }

    /// <summary>The number of significant digits (trailing zeros excluded).</summary>
    public int DigitCount => _first < 0 ? 0 : _last - _first + 1;

    /// <summary>The k-th significant digit as a value 0–9, or 0 past the end.</summary>
    public int Digit(int k) => k < DigitCount ? DigitAt(_integer, _fraction, _first + k) - '0' : 0;

    /// <summary>Whether the value has no fractional part.</summary>
    public bool IsInteger => _first < 0 || DigitCount <= Scale;

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

        long exponent = 0;
        if (i < raw.Length && (raw[i] == (byte)'e' || raw[i] == (byte)'E'))
        {
            i++;
            var exponentNegative = false;
            if (i < raw.Length && (raw[i] == (byte)'+' || raw[i] == (byte)'-'))
            {
                exponentNegative = raw[i] == (byte)'-';
                i++;
            }

            while (i < raw.Length && IsDigit(raw[i]))
            {
                if (exponent < ExponentClamp)
                {
                    exponent = (exponent * 10) + (raw[i] - '0');
                }

                i++;
            }

            if (exponentNegative)
            {
                exponent = -exponent;
            }
        }

        return new JsonNumber(negative, integer, fraction, exponent);
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
        if (a.Scale != b.Scale)
        {
            return a.Scale.CompareTo(b.Scale);
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

    private static byte DigitAt(ReadOnlySpan<byte> integer, ReadOnlySpan<byte> fraction, int index) =>
        index < integer.Length ? integer[index] : fraction[index - integer.Length];

    private static bool IsDigit(byte b) => b is >= (byte)'0' and <= (byte)'9';
}
