namespace Hv.Crypto
{
    /// <summary>
    /// The X25519 function of RFC 7748 §5: the u-coordinate of k * (u, v) on Curve25519 by the constant-time
    /// Montgomery ladder (255 steps, conditional swaps by mask, the same field operations for every bit).
    /// All field elements are allocated in the constructor; an instance is not shared between threads.
    /// </summary>
    public sealed class X25519
    {
        public const int KeyBytes = 32;

        // (A - 2) / 4 for A = 486662 (RFC 7748 §5).
        private const long A24 = 121665;

        private readonly Field25519 _field = new Field25519();
        private readonly byte[] _scalar = new byte[KeyBytes];
        private readonly byte[] _basePoint = new byte[KeyBytes];
        private readonly long[] _x1 = new long[Field25519.Limbs];
        private readonly long[] _x2 = new long[Field25519.Limbs];
        private readonly long[] _z2 = new long[Field25519.Limbs];
        private readonly long[] _x3 = new long[Field25519.Limbs];
        private readonly long[] _z3 = new long[Field25519.Limbs];
        private readonly long[] _a = new long[Field25519.Limbs];
        private readonly long[] _aa = new long[Field25519.Limbs];
        private readonly long[] _b = new long[Field25519.Limbs];
        private readonly long[] _bb = new long[Field25519.Limbs];
        private readonly long[] _e = new long[Field25519.Limbs];
        private readonly long[] _c = new long[Field25519.Limbs];
        private readonly long[] _d = new long[Field25519.Limbs];
        private readonly long[] _t0 = new long[Field25519.Limbs];
        private readonly long[] _t1 = new long[Field25519.Limbs];
        private readonly long[] _t2 = new long[Field25519.Limbs];
        private readonly long[] _t3 = new long[Field25519.Limbs];

        public X25519()
        {
            _basePoint[0] = 9;
        }

        /// <summary>Writes the public key X25519(secret, 9) at output[outputOffset] (RFC 7748 §6.1).</summary>
        public void PublicKey(byte[] output, int outputOffset, byte[] secret, int secretOffset)
        {
            Compute(output, outputOffset, secret, secretOffset, _basePoint, 0);
        }

        /// <summary>
        /// Writes X25519(scalar, u) at output[outputOffset]. The scalar is clamped on a private copy (§5); u is
        /// taken modulo 2^255 and non-canonical values are reduced, as §5 requires. The caller checks for the
        /// all-zero output of low-order points where it matters (§6.1).
        /// </summary>
        public void Compute(byte[] output, int outputOffset, byte[] scalar, int scalarOffset, byte[] u, int uOffset)
        {
            for (int i = 0; i < KeyBytes; i++)
            {
                _scalar[i] = scalar[scalarOffset + i];
            }
            _scalar[0] &= 248;
            _scalar[31] &= 127;
            _scalar[31] |= 64;

            Field25519 f = _field;
            Field25519.FromBytes(_x1, u, uOffset);
            Field25519.One(_x2);
            Field25519.Zero(_z2);
            Field25519.Copy(_x3, _x1);
            Field25519.One(_z3);
            long swap = 0;
            for (int t = 254; t >= 0; t--)
            {
                long bit = (_scalar[t >> 3] >> (t & 7)) & 1;
                swap ^= bit;
                Field25519.ConditionalSwap(_x2, _x3, swap);
                Field25519.ConditionalSwap(_z2, _z3, swap);
                swap = bit;

                Field25519.Add(_a, _x2, _z2);           // A = x2 + z2
                f.Square(_aa, _a);                      // AA = A^2
                Field25519.Sub(_b, _x2, _z2);           // B = x2 - z2
                f.Square(_bb, _b);                      // BB = B^2
                Field25519.Sub(_e, _aa, _bb);           // E = AA - BB
                Field25519.Add(_c, _x3, _z3);           // C = x3 + z3
                Field25519.Sub(_d, _x3, _z3);           // D = x3 - z3
                f.Mul(_d, _d, _a);                      // DA = D * A
                f.Mul(_c, _c, _b);                      // CB = C * B
                Field25519.Add(_t0, _d, _c);
                f.Square(_x3, _t0);                     // x3 = (DA + CB)^2
                Field25519.Sub(_t0, _d, _c);
                f.Square(_t0, _t0);
                f.Mul(_z3, _x1, _t0);                   // z3 = x1 * (DA - CB)^2
                f.Mul(_x2, _aa, _bb);                   // x2 = AA * BB
                Field25519.MulSmall(_t0, _e, A24);
                Field25519.Add(_t0, _aa, _t0);
                f.Mul(_z2, _e, _t0);                    // z2 = E * (AA + a24 * E)
            }
            Field25519.ConditionalSwap(_x2, _x3, swap);
            Field25519.ConditionalSwap(_z2, _z3, swap);

            f.Invert(_t0, _z2, _t1, _t2, _t3, _a);
            f.Mul(_x2, _x2, _t0);
            f.ToBytes(output, outputOffset, _x2);

            for (int i = 0; i < KeyBytes; i++)
            {
                _scalar[i] = 0;
            }
        }
    }
}
