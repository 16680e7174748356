namespace Hv.Core.Net
{
    /// <summary>Sequence-number comparisons modulo 2^32 (RFC 9293 §3.4: a < b when 0 < b - a < 2^31).</summary>
    public static class TcpSequence
    {
        public static bool Less(uint a, uint b)
        {
            return (int)(a - b) < 0;
        }

        public static bool LessOrEqual(uint a, uint b)
        {
            return (int)(a - b) <= 0;
        }

        public static bool Greater(uint a, uint b)
        {
            return (int)(a - b) > 0;
        }

        /// <summary>True if start ≤ x &lt; start + length.</summary>
        public static bool InWindow(uint x, uint start, uint length)
        {
            return x - start < length;
        }
    }
}
