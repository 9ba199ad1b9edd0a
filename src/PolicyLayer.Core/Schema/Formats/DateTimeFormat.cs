namespace PolicyLayer.Schema.Formats;

/// <summary>RFC 3339 full-date, full-time and date-time.</summary>
internal static class DateTimeFormat
{
    public static bool IsDate(ReadOnlySpan<char> value) => value.Length == 10 && TryDate(value, out _, out _, out _);

    public static bool IsTime(ReadOnlySpan<char> value) => TryTime(value);

    public static bool IsDateTime(ReadOnlySpan<char> value) =>
        value.Length > 11 && value[10] is 'T' or 't' && IsDate(value[..10]) && TryTime(value[11..]);

    private static bool TryDate(ReadOnlySpan<char> value, out int year, out int month, out int day)
    {
        year = month = day = 0;
        if (value[4] != '-' || value[7] != '-' || !Digits(value[..4], out year) || !Digits(value.Slice(5, 2), out month) || !Digits(value.Slice(8, 2), out day))
        {
            return false;
        }

        return month is >= 1 and <= 12 && day >= 1 && day <= DaysInMonth(year, month);
    }

    // RFC 3339 Appendix C: a leap year is divisible by 4, and not by 100 unless by 400, which makes year 0000 one
    // (DateTime starts at year 1).
    private static int DaysInMonth(int year, int month)
    {
        var leap = year % 4 == 0 && (year % 100 != 0 || year % 400 == 0);
        return month == 2 ? (leap ? 29 : 28) : DateTime.DaysInMonth(2001, month);
    }

    private static bool TryTime(ReadOnlySpan<char> value)
    {
        // time-hour ":" time-minute ":" time-second [time-secfrac] time-offset
        if (value.Length < 9 || value[2] != ':' || value[5] != ':' || !Digits(value[..2], out var hour) || !Digits(value.Slice(3, 2), out var minute)
            || !Digits(value.Slice(6, 2), out var second) || hour > 23 || minute > 59 || second > 60)
        {
            return false;
        }

        var i = 8;
        if (value[i] == '.')
        {
            var start = ++i;
            while (i < value.Length && char.IsAsciiDigit(value[i]))
            {
                i++;
            }

            if (i == start)
            {
                return false;
            }
        }

        if (i >= value.Length)
        {
            return false;
        }

        int offsetMinutes;
        if (value[i] is 'Z' or 'z')
        {
            if (i + 1 != value.Length)
            {
                return false;
            }

            offsetMinutes = 0;
        }
        else if (value[i] is '+' or '-')
        {
            var offset = value[(i + 1)..];
            if (offset.Length != 5 || offset[2] != ':' || !Digits(offset[..2], out var offsetHour) || !Digits(offset.Slice(3, 2), out var offsetMinute)
                || offsetHour > 23 || offsetMinute > 59)
            {
                return false;
            }

            offsetMinutes = (value[i] == '+' ? 1 : -1) * ((offsetHour * 60) + offsetMinute);
        }
        else
        {
            return false;
        }

        if (second == 60)
        {
            // A leap second is only ever 23:59:60 UTC.
            var utc = (((hour * 60) + minute - offsetMinutes) % 1440 + 1440) % 1440;
            return utc == (23 * 60) + 59;
        }

        return true;
    }

    private static bool Digits(ReadOnlySpan<char> text, out int value)
    {
        value = 0;
        foreach (var c in text)
        {
            if (!char.IsAsciiDigit(c))
            {
                return false;
            }

            value = (value * 10) + (c - '0');
        }

        return text.Length > 0;
    }
}
