namespace Hv.Crypto
{
    /// <summary>
    /// The Poly1305 one-time authenticator of RFC 8439 §2.5: tag = ((sum of 16-byte blocks, each with a 1 byte
    /// appended, times powers of r) mod 2^130-5) + s mod 2^128. The 130-bit accumulator is five 26-bit limbs, so
    /// every product fits a ulong; the final reduction selects by mask, not by branch. Begin(key), Update...,
    /// Finish(tag); no allocation after construction.
    /// </summary>
    public sealed class Poly1305
    {
        public const int KeyBytes = 32;
        public const int TagBytes = 16;
        private const uint Mask26 = 0x3ffffff;

        private uint _r0, _r1, _r2, _r3, _r4;
        private uint _h0, _h1, _h2, _h3, _h4;
        private readonly uint[] _s = new uint[4];
        private readonly byte[] _partial = new byte[16];
        private int _partialLength;

        /// <summary>Starts a tag with the 32-byte one-time key r || s (§2.5: r is clamped).</summary>
        public void Begin(byte[] key, int offset)
        {
            // §2.5.1 clamp: r &= 0x0ffffffc0ffffffc0ffffffc0fffffff, read as 26-bit limbs.
            _r0 = ChaCha20.ReadLittleEndian(key, offset) & 0x3ffffff;
            _r1 = (ChaCha20.ReadLittleEndian(key, offset + 3) >> 2) & 0x3ffff03;
            _r2 = (ChaCha20.ReadLittleEndian(key, offset + 6) >> 4) & 0x3ffc0ff;
            _r3 = (ChaCha20.ReadLittleEndian(key, offset + 9) >> 6) & 0x3f03fff;
            _r4 = (ChaCha20.ReadLittleEndian(key, offset + 12) >> 8) & 0x00fffff;
            for (int i = 0; i < 4; i++)
            {
                _s[i] = ChaCha20.ReadLittleEndian(key, offset + 16 + 4 * i);
            }
            _h0 = _h1 = _h2 = _h3 = _h4 = 0;
            _partialLength = 0;
        }

        public void Update(byte[] data, int offset, int count)
        {
            int i = 0;
            if (_partialLength > 0)
            {
                while (i < count && _partialLength < 16)
                {
                    _partial[_partialLength++] = data[offset + i];
                    i++;
                }
                if (_partialLength < 16)
                {
                    return;
                }
                AddBlock(_partial, 0, 1u << 24);
                _partialLength = 0;
            }
            while (count - i >= 16)
            {
                AddBlock(data, offset + i, 1u << 24);
                i += 16;
            }
            while (i < count)
            {
                _partial[_partialLength++] = data[offset + i];
                i++;
            }
        }

        /// <summary>Feeds zero bytes up to the next 16-byte boundary (the AEAD's padding, §2.8).</summary>
        public void PadToBlock()
        {
            if (_partialLength > 0)
            {
                while (_partialLength < 16)
                {
                    _partial[_partialLength++] = 0;
                }
                AddBlock(_partial, 0, 1u << 24);
                _partialLength = 0;
            }
        }

        /// <summary>Writes the 16-byte tag at tag[offset] and forgets the key.</summary>
        public void Finish(byte[] tag, int offset)
        {
            if (_partialLength > 0)
            {
                // §2.5.1: the last short block gets its 0x01 byte right after the data, then zeros, and no 2^128 bit.
                _partial[_partialLength] = 1;
                for (int i = _partialLength + 1; i < 16; i++)
                {
                    _partial[i] = 0;
                }
                AddBlock(_partial, 0, 0);
                _partialLength = 0;
            }

            // Two carry passes leave every limb below 2^26 and h < 2^130; then h - p = h + 5 - 2^130 is chosen by
            // mask when it did not borrow (RFC 8439 A.3 vectors 5, 8 and 9 probe exactly these edges).
            uint h0 = _h0, h1 = _h1, h2 = _h2, h3 = _h3, h4 = _h4;
            Normalize(ref h0, ref h1, ref h2, ref h3, ref h4);
            Normalize(ref h0, ref h1, ref h2, ref h3, ref h4);
            uint c;
            uint g0 = h0 + 5; c = g0 >> 26; g0 &= Mask26;
            uint g1 = h1 + c; c = g1 >> 26; g1 &= Mask26;
            uint g2 = h2 + c; c = g2 >> 26; g2 &= Mask26;
            uint g3 = h3 + c; c = g3 >> 26; g3 &= Mask26;
            uint g4 = h4 + c - (1u << 26);
            uint useG = (g4 >> 31) - 1; // all ones if g4 did not go negative, i.e. h >= p
            h0 = (h0 & ~useG) | (g0 & useG);
            h1 = (h1 & ~useG) | (g1 & useG);
            h2 = (h2 & ~useG) | (g2 & useG);
            h3 = (h3 & ~useG) | (g3 & useG);
            h4 = (h4 & ~useG) | (g4 & useG);

            // h mod 2^128 as four words, plus s with carries (§2.5.1: the top bits past 128 are dropped).
            uint w0 = h0 | (h1 << 26);
            uint w1 = (h1 >> 6) | (h2 << 20);
            uint w2 = (h2 >> 12) | (h3 << 14);
            uint w3 = (h3 >> 18) | (h4 << 8);
            ulong f = (ulong)w0 + _s[0];
            ChaCha20.WriteLittleEndian(tag, offset, (uint)f);
            f = (ulong)w1 + _s[1] + (f >> 32);
            ChaCha20.WriteLittleEndian(tag, offset + 4, (uint)f);
            f = (ulong)w2 + _s[2] + (f >> 32);
            ChaCha20.WriteLittleEndian(tag, offset + 8, (uint)f);
            f = (ulong)w3 + _s[3] + (f >> 32);
            ChaCha20.WriteLittleEndian(tag, offset + 12, (uint)f);

            _r0 = _r1 = _r2 = _r3 = _r4 = 0;
            _h0 = _h1 = _h2 = _h3 = _h4 = 0;
            for (int i = 0; i < 4; i++)
            {
                _s[i] = 0;
            }
        }

        // Carries h1..h4 upwards, folds the carry out of h4 into h0 (2^130 = 5 mod p) and carries h0 once.
        private static void Normalize(ref uint h0, ref uint h1, ref uint h2, ref uint h3, ref uint h4)
        {
            uint c = h1 >> 26; h1 &= Mask26; h2 += c;
            c = h2 >> 26; h2 &= Mask26; h3 += c;
            c = h3 >> 26; h3 &= Mask26; h4 += c;
            c = h4 >> 26; h4 &= Mask26; h0 += c * 5;
            c = h0 >> 26; h0 &= Mask26; h1 += c;
        }

        // h = (h + block) * r mod 2^130-5, only partly reduced (limbs may exceed 26 bits slightly).
        private void AddBlock(byte[] m, int offset, uint highBit)
        {
            uint h0 = _h0 + (ChaCha20.ReadLittleEndian(m, offset) & Mask26);
            uint h1 = _h1 + ((ChaCha20.ReadLittleEndian(m, offset + 3) >> 2) & Mask26);
            uint h2 = _h2 + ((ChaCha20.ReadLittleEndian(m, offset + 6) >> 4) & Mask26);
            uint h3 = _h3 + ((ChaCha20.ReadLittleEndian(m, offset + 9) >> 6) & Mask26);
            uint h4 = _h4 + ((ChaCha20.ReadLittleEndian(m, offset + 12) >> 8) | highBit);

            // 2^130 = 5 mod p, so a product landing at limb 5+i folds back into limb i times 5.
            uint r0 = _r0, r1 = _r1, r2 = _r2, r3 = _r3, r4 = _r4;
            uint s1 = r1 * 5, s2 = r2 * 5, s3 = r3 * 5, s4 = r4 * 5;
            ulong d0 = (ulong)h0 * r0 + (ulong)h1 * s4 + (ulong)h2 * s3 + (ulong)h3 * s2 + (ulong)h4 * s1;
            ulong d1 = (ulong)h0 * r1 + (ulong)h1 * r0 + (ulong)h2 * s4 + (ulong)h3 * s3 + (ulong)h4 * s2;
            ulong d2 = (ulong)h0 * r2 + (ulong)h1 * r1 + (ulong)h2 * r0 + (ulong)h3 * s4 + (ulong)h4 * s3;
            ulong d3 = (ulong)h0 * r3 + (ulong)h1 * r2 + (ulong)h2 * r1 + (ulong)h3 * r0 + (ulong)h4 * s4;
            ulong d4 = (ulong)h0 * r4 + (ulong)h1 * r3 + (ulong)h2 * r2 + (ulong)h3 * r1 + (ulong)h4 * r0;

            ulong carry = d0 >> 26; h0 = (uint)d0 & Mask26; d1 += carry;
            carry = d1 >> 26; h1 = (uint)d1 & Mask26; d2 += carry;
            carry = d2 >> 26; h2 = (uint)d2 & Mask26; d3 += carry;
            carry = d3 >> 26; h3 = (uint)d3 & Mask26; d4 += carry;
            carry = d4 >> 26; h4 = (uint)d4 & Mask26;
            ulong folded = h0 + carry * 5;
            h0 = (uint)folded & Mask26;
            h1 += (uint)(folded >> 26);
            _h0 = h0; _h1 = h1; _h2 = h2; _h3 = h3; _h4 = h4;
        }
    }
}
