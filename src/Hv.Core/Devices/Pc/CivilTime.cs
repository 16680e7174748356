namespace Hv.Core.Devices.Pc
{
    /// <summary>
    /// Seconds since 1970-01-01 00:00 UTC ↔ calendar fields (proleptic Gregorian), for the CMOS clock. Days are
    /// counted in 400-year eras of 146097 days, which makes the leap-year rule a matter of division.
    /// </summary>
    public struct CivilTime
    {
        public int Year, Month, Day, Hour, Minute, Second;
        /// <summary>1 = Sunday .. 7 = Saturday, as the MC146818's day-of-week register counts.</summary>
        public int DayOfWeek;

        public static CivilTime FromUnixSeconds(ulong seconds)
        {
            CivilTime t;
            long days = (long)(seconds / 86400);
            long rest = (long)(seconds % 86400);
            t.Hour = (int)(rest / 3600);
            t.Minute = (int)(rest / 60 % 60);
            t.Second = (int)(rest % 60);
            t.DayOfWeek = (int)((days + 4) % 7) + 1; // 1970-01-01 was a Thursday
            long z = days + 719468; // days since 0000-03-01
            long era = z / 146097;
            long dayOfEra = z - era * 146097;
            long yearOfEra = (dayOfEra - dayOfEra / 1460 + dayOfEra / 36524 - dayOfEra / 146096) / 365;
            long dayOfYear = dayOfEra - (365 * yearOfEra + yearOfEra / 4 - yearOfEra / 100);
            long monthIndex = (5 * dayOfYear + 2) / 153; // 0 = March
            t.Day = (int)(dayOfYear - (153 * monthIndex + 2) / 5 + 1);
            t.Month = (int)(monthIndex < 10 ? monthIndex + 3 : monthIndex - 9);
            t.Year = (int)(yearOfEra + era * 400 + (t.Month <= 2 ? 1 : 0));
            return t;
        }

        /// <summary>The inverse; fields out of range are clamped into it first (a guest can write any byte).</summary>
        public ulong ToUnixSeconds()
        {
            int year = Clamp(Year, 1970, 9999), month = Clamp(Month, 1, 12), day = Clamp(Day, 1, 31);
            long y = month <= 2 ? year - 1 : year;
            long era = y / 400;
            long yearOfEra = y - era * 400;
            long monthIndex = month > 2 ? month - 3 : month + 9;
            long dayOfYear = (153 * monthIndex + 2) / 5 + day - 1;
            long dayOfEra = yearOfEra * 365 + yearOfEra / 4 - yearOfEra / 100 + dayOfYear;
            long days = era * 146097 + dayOfEra - 719468;
            if (days < 0)
            {
                days = 0;
            }
            return (ulong)days * 86400 + (ulong)(Clamp(Hour, 0, 23) * 3600 + Clamp(Minute, 0, 59) * 60 + Clamp(Second, 0, 59));
        }

        private static int Clamp(int value, int low, int high)
        {
            return value < low ? low : value > high ? high : value;
        }
    }
}
