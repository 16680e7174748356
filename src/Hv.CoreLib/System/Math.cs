using Internal.Runtime;

namespace System
{
    public static class Math
    {
        public static int Min(int a, int b) => a < b ? a : b;
        public static int Max(int a, int b) => a > b ? a : b;
        public static uint Min(uint a, uint b) => a < b ? a : b;
        public static uint Max(uint a, uint b) => a > b ? a : b;
        public static long Min(long a, long b) => a < b ? a : b;
        public static long Max(long a, long b) => a > b ? a : b;
        public static ulong Min(ulong a, ulong b) => a < b ? a : b;
        public static ulong Max(ulong a, ulong b) => a > b ? a : b;

        // Helpers ilc binds for checked conversions and multiplication; overflow is a panic on bare metal.
        private static int ConvertToInt32Checked(double v)
        {
            if (!(v > -2147483649.0 && v < 2147483648.0)) Panic.Fail("arithmetic overflow");
            return (int)v;
        }

        private static uint ConvertToUInt32Checked(double v)
        {
            if (!(v > -1.0 && v < 4294967296.0)) Panic.Fail("arithmetic overflow");
            return (uint)v;
        }

        private static long ConvertToInt64Checked(double v)
        {
            if (!(v >= -9223372036854775808.0 && v < 9223372036854775808.0)) Panic.Fail("arithmetic overflow");
            return (long)v;
        }

        private static ulong ConvertToUInt64Checked(double v)
        {
            if (!(v > -1.0 && v < 18446744073709551616.0)) Panic.Fail("arithmetic overflow");
            return ConvertToUInt64(v);
        }

        private static ulong ConvertToUInt64(double v)
        {
            const double TwoPow63 = 9223372036854775808.0;
            if (v < TwoPow63) return (ulong)(long)v;
            return (ulong)(long)(v - TwoPow63) + 0x8000000000000000UL;
        }

        private static long MultiplyChecked(long a, long b) => checked(a * b);
        private static ulong MultiplyChecked(ulong a, ulong b) => checked(a * b);

        public static double Round(double v)
        {
            double floor = (double)(long)v;
            if (floor > v) floor -= 1.0;
            double diff = v - floor;
            if (diff > 0.5 || (diff == 0.5 && ((long)floor & 1) != 0)) return floor + 1.0;
            return floor;
        }
    }

    public static class MathF
    {
        public static float Round(float v) => (float)Math.Round(v);
    }
}
