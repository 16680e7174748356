namespace Hv.Core.Devices.Time
{
    /// <summary>
    /// value × multiplier / divisor without overflow (a 128-bit product, then long division): converts between the
    /// guest's TSC ticks (GHz) and a device's clock (the PIT's 1.193182 MHz, the PM timer's 3.579545 MHz) exactly,
    /// however long the VM has run. No floating point, no allocation.
    /// </summary>
    public static class TickMath
    {
        /// <summary>floor(value × multiplier / divisor); saturates at ulong.MaxValue; a zero divisor yields ulong.MaxValue.</summary>
        public static ulong MulDiv(ulong value, ulong multiplier, ulong divisor)
        {
            if (divisor == 0)
            {
                return ulong.MaxValue;
            }
            Multiply(value, multiplier, out ulong high, out ulong low);
            if (high >= divisor)
            {
                return ulong.MaxValue; // the quotient does not fit in 64 bits
            }
            // Restoring division of the 128-bit product, one bit at a time (high < divisor keeps the remainder small).
            ulong remainder = high;
            ulong quotient = 0;
            for (int bit = 63; bit >= 0; bit--)
            {
                bool carry = (remainder >> 63) != 0;
                remainder = (remainder << 1) | ((low >> bit) & 1);
                quotient <<= 1;
                if (carry || remainder >= divisor)
                {
                    remainder -= divisor;
                    quotient |= 1;
                }
            }
            return quotient;
        }

        /// <summary>ceil(value × multiplier / divisor): the first TSC at or after a device-clock instant.</summary>
        public static ulong MulDivUp(ulong value, ulong multiplier, ulong divisor)
        {
            ulong floor = MulDiv(value, multiplier, divisor);
            if (floor == ulong.MaxValue)
            {
                return floor;
            }
            Multiply(floor, divisor, out ulong backHigh, out ulong backLow);
            Multiply(value, multiplier, out ulong high, out ulong low);
            return backHigh == high && backLow == low ? floor : floor + 1;
        }

        private static void Multiply(ulong a, ulong b, out ulong high, out ulong low)
        {
            ulong aLow = a & 0xFFFFFFFFu, aHigh = a >> 32;
            ulong bLow = b & 0xFFFFFFFFu, bHigh = b >> 32;
            ulong lowLow = aLow * bLow;
            ulong highLow = aHigh * bLow;
            ulong lowHigh = aLow * bHigh;
            ulong highHigh = aHigh * bHigh;
            ulong middle = (lowLow >> 32) + (highLow & 0xFFFFFFFFu) + (lowHigh & 0xFFFFFFFFu);
            low = (lowLow & 0xFFFFFFFFu) | (middle << 32);
            high = highHigh + (highLow >> 32) + (lowHigh >> 32) + (middle >> 32);
        }
    }
}
