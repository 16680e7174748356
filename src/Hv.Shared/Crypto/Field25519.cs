namespace Hv.Crypto
{
    /// <summary>
    /// Arithmetic modulo p = 2^255 - 19 for <see cref="X25519"/>. An element is ten signed limbs (long[10]) in
    /// radix 2^25.5: limb i holds bits from ceil(25.5 i), alternately 26 and 25 bits wide. Products of limbs
    /// fit a long with room for sums, and 2^255 = 19 (mod p) folds the high half of a product back. No branch
    /// and no array index depends on the values, so the time is the same for every input (RFC 7748 §7).
    /// Each instance owns its scratch space; not shared between threads.
    /// </summary>
    public sealed class Field25519
    {
        public const int Limbs = 10;

        private readonly long[] _product = new long[Limbs];

        private static int Width(int limb)
        {
            return (limb & 1) == 0 ? 26 : 25;
        }

        public static void Zero(long[] h)
        {
            for (int i = 0; i < Limbs; i++)
            {
                h[i] = 0;
            }
        }

        public static void One(long[] h)
        {
            Zero(h);
            h[0] = 1;
        }

        public static void Copy(long[] h, long[] f)
        {
            for (int i = 0; i < Limbs; i++)
            {
                h[i] = f[i];
            }
        }

        /// <summary>Reads 32 little-endian bytes, ignoring the top bit (RFC 7748 §5); values ≥ p are kept as is.</summary>
        public static void FromBytes(long[] h, byte[] s, int offset)
        {
            long bits = 0;
            int bitCount = 0;
            int next = 0;
            for (int i = 0; i < Limbs; i++)
            {
                while (bitCount < Width(i))
                {
                    bits |= (long)s[offset + next++] << bitCount;
                    bitCount += 8;
                }
                h[i] = bits & ((1L << Width(i)) - 1);
                bits >>= Width(i);
                bitCount -= Width(i);
            }
        }

        /// <summary>Writes the canonical (fully reduced) 32-byte little-endian form of f.</summary>
        public void ToBytes(byte[] s, int offset, long[] f)
        {
            long[] h = _product;
            Copy(h, f);
            // Two carry passes make every limb non-negative and in range, so 0 <= h < 2^255.
            Carry(h);
            Carry(h);
            // q = floor((h + 19) / 2^255) is 1 exactly when h >= p; subtract q*p as h + 19q - q*2^255.
            long q = (h[0] + 19) >> 26;
            for (int i = 1; i < Limbs; i++)
            {
                q = (h[i] + q) >> Width(i);
            }
            h[0] += 19 * q;
            for (int i = 0; i < Limbs - 1; i++)
            {
                long c = h[i] >> Width(i);
                h[i] -= c << Width(i);
                h[i + 1] += c;
            }
            h[Limbs - 1] &= (1L << 25) - 1;
            long bits = 0;
            int bitCount = 0;
            int next = 0;
            for (int i = 0; i < Limbs; i++)
            {
                bits |= h[i] << bitCount;
                bitCount += Width(i);
                while (bitCount >= 8)
                {
                    s[offset + next++] = (byte)bits;
                    bits >>= 8;
                    bitCount -= 8;
                }
            }
            s[offset + next] = (byte)bits; // the last 7 bits (255 = 31 * 8 + 7)
        }

        public static void Add(long[] h, long[] f, long[] g)
        {
            for (int i = 0; i < Limbs; i++)
            {
                h[i] = f[i] + g[i];
            }
        }

        public static void Sub(long[] h, long[] f, long[] g)
        {
            for (int i = 0; i < Limbs; i++)
            {
                h[i] = f[i] - g[i];
            }
        }

        /// <summary>
        /// h = f * g mod p, carried. Inputs are carried results or sums/differences of two (limbs below 2^27 in
        /// absolute value): each term is at most 2^27 * 38 * 2^27 and ten of them stay below 2^63.
        /// </summary>
        public void Mul(long[] h, long[] f, long[] g)
        {
            long[] t = _product;
            for (int k = 0; k < Limbs; k++)
            {
                long sum = 0;
                for (int i = 0; i < Limbs; i++)
                {
                    int j = k - i;
                    long gj;
                    if (j >= 0)
                    {
                        gj = g[j];
                    }
                    else
                    {
                        // Limbs i and j with i + j = k + 10 land 255 bits above limb k: 2^255 = 19 (mod p).
                        j += Limbs;
                        gj = 19 * g[j];
                    }
                    // Two odd limbs each sit half a bit above 25.5 i: their product is twice the even position.
                    sum += (i & j & 1) != 0 ? f[i] * (2 * gj) : f[i] * gj;
                }
                t[k] = sum;
            }
            Copy(h, t);
            Carry(h);
        }

        public void Square(long[] h, long[] f)
        {
            Mul(h, f, f);
        }

        /// <summary>h = f * n mod p for a small constant n (below 2^17), carried.</summary>
        public static void MulSmall(long[] h, long[] f, long n)
        {
            for (int i = 0; i < Limbs; i++)
            {
                h[i] = f[i] * n;
            }
            Carry(h);
        }

        /// <summary>Swaps f and g when bit is 1, leaves them when 0, by mask (RFC 7748 §5 cswap).</summary>
        public static void ConditionalSwap(long[] f, long[] g, long bit)
        {
            long mask = -bit;
            for (int i = 0; i < Limbs; i++)
            {
                long x = mask & (f[i] ^ g[i]);
                f[i] ^= x;
                g[i] ^= x;
            }
        }

        /// <summary>h = f^(p-2) = 1/f (0 for 0), by a fixed chain of squarings and multiplications.</summary>
        public void Invert(long[] h, long[] f, long[] t0, long[] t1, long[] t2, long[] t3)
        {
            Square(t0, f);                       // 2
            SquareTimes(t1, t0, 2);              // 8
            Mul(t1, t1, f);                      // 9
            Mul(t0, t0, t1);                     // 11
            Square(t2, t0);                      // 22
            Mul(t1, t1, t2);                     // 2^5 - 1
            SquareTimes(t2, t1, 5);
            Mul(t1, t2, t1);                     // 2^10 - 1
            SquareTimes(t2, t1, 10);
            Mul(t2, t2, t1);                     // 2^20 - 1
            SquareTimes(t3, t2, 20);
            Mul(t2, t3, t2);                     // 2^40 - 1
            SquareTimes(t2, t2, 10);
            Mul(t1, t2, t1);                     // 2^50 - 1
            SquareTimes(t2, t1, 50);
            Mul(t2, t2, t1);                     // 2^100 - 1
            SquareTimes(t3, t2, 100);
            Mul(t2, t3, t2);                     // 2^200 - 1
            SquareTimes(t2, t2, 50);
            Mul(t1, t2, t1);                     // 2^250 - 1
            SquareTimes(t1, t1, 5);              // 2^255 - 2^5
            Mul(h, t1, t0);                      // 2^255 - 21 = p - 2
        }

        private void SquareTimes(long[] h, long[] f, int times)
        {
            Square(h, f);
            for (int i = 1; i < times; i++)
            {
                Square(h, h);
            }
        }

        // Carries each limb into the next (arithmetic shifts round towards minus infinity, so limbs end up in
        // [0, 2^width)), folds the carry out of the top limb into limb 0 times 19, and carries limb 0 once more.
        private static void Carry(long[] h)
        {
            for (int i = 0; i < Limbs; i++)
            {
                long c = h[i] >> Width(i);
                h[i] -= c << Width(i);
                if (i + 1 < Limbs)
                {
                    h[i + 1] += c;
                }
                else
                {
                    h[0] += 19 * c;
                }
            }
            long c0 = h[0] >> 26;
            h[0] -= c0 << 26;
            h[1] += c0;
        }
    }
}
