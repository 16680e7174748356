namespace Hv.Crypto
{
    /// <summary>
    /// The ChaCha20 stream cipher of RFC 8439 §2.3-2.4: 256-bit key, 96-bit nonce, 32-bit block counter.
    /// SetKey, SetNonce, then Block or Xor. The rounds work on locals (no table lookups, no data-dependent
    /// branches), so the time does not depend on the key. No allocation after construction.
    /// </summary>
    public sealed class ChaCha20
    {
        public const int KeyBytes = 32;
        public const int NonceBytes = 12;
        public const int BlockBytes = 64;

        // §2.3: the state is 4 constant words ("expand 32-byte k"), 8 key words, the counter, 3 nonce words.
        private readonly uint[] _input = new uint[16];
        private readonly byte[] _keyStream = new byte[BlockBytes];

        public ChaCha20()
        {
            _input[0] = 0x61707865u;
            _input[1] = 0x3320646eu;
            _input[2] = 0x79622d32u;
            _input[3] = 0x6b206574u;
        }

        public void SetKey(byte[] key, int offset)
        {
            for (int i = 0; i < 8; i++)
            {
                _input[4 + i] = ReadLittleEndian(key, offset + 4 * i);
            }
        }

        public void SetNonce(byte[] nonce, int offset)
        {
            for (int i = 0; i < 3; i++)
            {
                _input[13 + i] = ReadLittleEndian(nonce, offset + 4 * i);
            }
        }

        /// <summary>Forgets the key and the last key-stream block.</summary>
        public void Clear()
        {
            for (int i = 4; i < 16; i++)
            {
                _input[i] = 0;
            }
            for (int i = 0; i < BlockBytes; i++)
            {
                _keyStream[i] = 0;
            }
        }

        /// <summary>§2.1: the quarter round on four words.</summary>
        public static void QuarterRound(ref uint a, ref uint b, ref uint c, ref uint d)
        {
            a += b; d ^= a; d = (d << 16) | (d >> 16);
            c += d; b ^= c; b = (b << 12) | (b >> 20);
            a += b; d ^= a; d = (d << 8) | (d >> 24);
            c += d; b ^= c; b = (b << 7) | (b >> 25);
        }

        /// <summary>§2.3: writes the 64-byte key-stream block number <paramref name="counter"/> at output[offset].</summary>
        public void Block(uint counter, byte[] output, int offset)
        {
            uint[] s = _input;
            uint x0 = s[0], x1 = s[1], x2 = s[2], x3 = s[3], x4 = s[4], x5 = s[5], x6 = s[6], x7 = s[7];
            uint x8 = s[8], x9 = s[9], x10 = s[10], x11 = s[11], x12 = counter, x13 = s[13], x14 = s[14], x15 = s[15];
            for (int round = 0; round < 10; round++)
            {
                // A column round then a diagonal round (§2.3).
                QuarterRound(ref x0, ref x4, ref x8, ref x12);
                QuarterRound(ref x1, ref x5, ref x9, ref x13);
                QuarterRound(ref x2, ref x6, ref x10, ref x14);
                QuarterRound(ref x3, ref x7, ref x11, ref x15);
                QuarterRound(ref x0, ref x5, ref x10, ref x15);
                QuarterRound(ref x1, ref x6, ref x11, ref x12);
                QuarterRound(ref x2, ref x7, ref x8, ref x13);
                QuarterRound(ref x3, ref x4, ref x9, ref x14);
            }
            WriteLittleEndian(output, offset, x0 + s[0]);
            WriteLittleEndian(output, offset + 4, x1 + s[1]);
            WriteLittleEndian(output, offset + 8, x2 + s[2]);
            WriteLittleEndian(output, offset + 12, x3 + s[3]);
            WriteLittleEndian(output, offset + 16, x4 + s[4]);
            WriteLittleEndian(output, offset + 20, x5 + s[5]);
            WriteLittleEndian(output, offset + 24, x6 + s[6]);
            WriteLittleEndian(output, offset + 28, x7 + s[7]);
            WriteLittleEndian(output, offset + 32, x8 + s[8]);
            WriteLittleEndian(output, offset + 36, x9 + s[9]);
            WriteLittleEndian(output, offset + 40, x10 + s[10]);
            WriteLittleEndian(output, offset + 44, x11 + s[11]);
            WriteLittleEndian(output, offset + 48, x12 + counter);
            WriteLittleEndian(output, offset + 52, x13 + s[13]);
            WriteLittleEndian(output, offset + 56, x14 + s[14]);
            WriteLittleEndian(output, offset + 60, x15 + s[15]);
        }

        /// <summary>
        /// §2.4: XORs data[offset..+count) in place with the key stream starting at block <paramref name="counter"/>
        /// (encryption and decryption are the same operation).
        /// </summary>
        public void Xor(uint counter, byte[] data, int offset, int count)
        {
            int done = 0;
            while (done < count)
            {
                Block(counter, _keyStream, 0);
                counter++;
                int n = count - done < BlockBytes ? count - done : BlockBytes;
                for (int i = 0; i < n; i++)
                {
                    data[offset + done + i] ^= _keyStream[i];
                }
                done += n;
            }
        }

        internal static uint ReadLittleEndian(byte[] data, int offset)
        {
            return data[offset] | ((uint)data[offset + 1] << 8) | ((uint)data[offset + 2] << 16) | ((uint)data[offset + 3] << 24);
        }

        internal static void WriteLittleEndian(byte[] data, int offset, uint value)
        {
            data[offset] = (byte)value;
            data[offset + 1] = (byte)(value >> 8);
            data[offset + 2] = (byte)(value >> 16);
            data[offset + 3] = (byte)(value >> 24);
        }
    }
}
