namespace PolicyLayer.Json;

/// <summary>
/// An everyday JSON number (no exponent, at most 19 significant digits, at most 28 after the point) held exactly as a
/// significand and a count of fractional digits, so that it compares without <see cref="decimal"/> arithmetic.
/// </summary>
/// <remarks>
/// The value is <c>±Significand × 10^-Scale</c>. Numbers outside that form are declined by <see cref="TryParse"/> and
/// the caller takes the exact digit-by-digit path (<see cref="JsonNumber.Compare(ReadOnlySpan{byte}, ReadOnlySpan{byte})"/>).
/// </remarks>
internal readonly struct ShortDecimal
{
    // A ulong holds any 19-digit significand; a decimal takes a scale of at most 28.
    private const int MaxSignificantDigits = 19;
    private const int MaxScale = 28;

    // Aligning scales multiplies a significand (below 10^19) by at most 10^19: the product stays below 10^38 < 2^128.
    private const int MaxAlignment = 19;

    private ShortDecimal(ulong significand, int scale, bool negative)
    {
        Significand = significand;
        Scale = scale;
        Negative = negative && significand != 0;
    }

    /// <summary>The digits without the point (leading zeros dropped).</summary>
    public ulong Significand { get; }

    /// <summary>The number of digits after the point, trailing zeros included (<c>1.50</c> has scale 2).</summary>
    public int Scale { get; }

    /// <summary>Whether the value is below zero (negative zero is zero).</summary>
    public bool Negative { get; }

    /// <summary>Reads the raw text of a JSON number when it has the short form; <see langword="false"/> otherwise.</summary>
    public static bool TryParse(ReadOnlySpan<byte> raw, out ShortDecimal number)
    {
        number = default;
        var i = 0;
        var negative = false;
        if (raw.Length > 0 && raw[0] == (byte)'-')
        {
            negative = true;
            i = 1;
        }

        ulong significand = 0;
        var digits = 0;  // significant digits so far (leading zeros excluded)
        var scale = -1;  // digits after the point; -1 before the point
        for (; i < raw.Length; i++)
        {
            var digit = (uint)(raw[i] - '0');
            if (digit <= 9)
            {
                if (significand != 0 || digit != 0)
                {
                    if (++digits > MaxSignificantDigits)
                    {
                        return false;
                    }

                    significand = (significand * 10) + digit;
                }

                if (scale >= 0 && ++scale > MaxScale)
                {
                    return false;
                }
            }
            else if (raw[i] == (byte)'.' && scale < 0)
            {
                scale = 0;
            }
            else
            {
                return false; // an exponent (or text System.Text.Json would not have accepted)
            }
        }

        number = new ShortDecimal(significand, Math.Max(scale, 0), negative);
        return true;
    }

    /// <summary>Compares two numbers exactly.</summary>
    /// <returns>Negative, zero or positive as <paramref name="a"/> is less than, equal to or greater than <paramref name="b"/>.</returns>
    public static int Compare(in ShortDecimal a, in ShortDecimal b)
    {
        var signA = a.Significand == 0 ? 0 : a.Negative ? -1 : 1;
        var signB = b.Significand == 0 ? 0 : b.Negative ? -1 : 1;
        if (signA != signB || signA == 0)
        {
            return signA.CompareTo(signB);
        }

        var magnitude = CompareMagnitude(a, b);
        return signA < 0 ? -magnitude : magnitude;
    }

    /// <summary>The same value as a <see cref="decimal"/> (exact: a decimal holds 28 digits and a scale up to 28).</summary>
    public decimal ToDecimal() =>
        new((int)(uint)Significand, (int)(uint)(Significand >> 32), 0, Negative, (byte)Scale);

    // Both non-zero. The one with fewer fractional digits is scaled up to the other's; a shift past MaxAlignment makes
    // it at least 10^20, larger than any significand, so it is the larger without computing the product.
    private static int CompareMagnitude(in ShortDecimal a, in ShortDecimal b)
    {
        var shift = b.Scale - a.Scale;
        if (shift == 0)
        {
            return a.Significand.CompareTo(b.Significand);
        }

        if (shift > 0)
        {
            return shift > MaxAlignment ? 1 : ((UInt128)a.Significand * Pow10(shift)).CompareTo(b.Significand);
        }

        return -shift > MaxAlignment ? -1 : ((UInt128)a.Significand).CompareTo((UInt128)b.Significand * Pow10(-shift));
    }

    private static ulong Pow10(int exponent) => PowersOfTen[exponent];

    // An array, not a span over constant data: net8.0 builds that span anew, allocating, on every call.
    private static readonly ulong[] PowersOfTen =
    [
        1, 10, 100, 1_000, 10_000, 100_000, 1_000_000, 10_000_000, 100_000_000, 1_000_000_000, 10_000_000_000,
        100_000_000_000, 1_000_000_000_000, 10_000_000_000_000, 100_000_000_000_000, 1_000_000_000_000_000,
        10_000_000_000_000_000, 100_000_000_000_000_000, 1_000_000_000_000_000_000, 10_000_000_000_000_000_000,
    ];
}
