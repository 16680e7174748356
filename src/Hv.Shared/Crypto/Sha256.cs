namespace Hv.Crypto
{
    /// <summary>
    /// SHA-256 (FIPS 180-4 §6.2) in portable C#: the image has no BCL crypto. Incremental (Reset, Update...,
    /// Finish) and reusable; all state is allocated in the constructor.
    /// </summary>
    public sealed class Sha256
    {
        public const int HashBytes = 32;
        public const int BlockBytes = 64;

        // FIPS 180-4 §4.2.2: first 32 bits of the fractional parts of the cube roots of the first 64 primes.
        private static readonly uint[] K =
        {
            0x428a2f98u, 0x71374491u, 0xb5c0fbcfu, 0xe9b5dba5u, 0x3956c25bu, 0x59f111f1u, 0x923f82a4u, 0xab1c5ed5u,
            0xd807aa98u, 0x12835b01u, 0x243185beu, 0x550c7dc3u, 0x72be5d74u, 0x80deb1feu, 0x9bdc06a7u, 0xc19bf174u,
            0xe49b69c1u, 0xefbe4786u, 0x0fc19dc6u, 0x240ca1ccu, 0x2de92c6fu, 0x4a7484aau, 0x5cb0a9dcu, 0x76f988dau,
            0x983e5152u, 0xa831c66du, 0xb00327c8u, 0xbf597fc7u, 0xc6e00bf3u, 0xd5a79147u, 0x06ca6351u, 0x14292967u,
            0x27b70a85u, 0x2e1b2138u, 0x4d2c6dfcu, 0x53380d13u, 0x650a7354u, 0x766a0abbu, 0x81c2c92eu, 0x92722c85u,
            0xa2bfe8a1u, 0xa81a664bu, 0xc24b8b70u, 0xc76c51a3u, 0xd192e819u, 0xd6990624u, 0xf40e3585u, 0x106aa070u,
            0x19a4c116u, 0x1e376c08u, 0x2748774cu, 0x34b0bcb5u, 0x391c0cb3u, 0x4ed8aa4au, 0x5b9cca4fu, 0x682e6ff3u,
            0x748f82eeu, 0x78a5636fu, 0x84c87814u, 0x8cc70208u, 0x90befffau, 0xa4506cebu, 0xbef9a3f7u, 0xc67178f2u,
        };

        private readonly uint[] _h = new uint[8];
        private readonly uint[] _w = new uint[64];
        private readonly byte[] _block = new byte[BlockBytes];
        private int _blockLength;
        private ulong _totalBytes;

        public Sha256()
        {
            Reset();
        }

        /// <summary>Gives back the hash and its buffers (a hash made for one job).</summary>
        public void Free()
        {
            Owned.Free(_h);
            Owned.Free(_w);
            Owned.Free(_block);
            Owned.Free(this);
        }

        public void Reset()
        {
            // FIPS 180-4 §5.3.3.
            _h[0] = 0x6a09e667u;
            _h[1] = 0xbb67ae85u;
            _h[2] = 0x3c6ef372u;
            _h[3] = 0xa54ff53au;
            _h[4] = 0x510e527fu;
            _h[5] = 0x9b05688cu;
            _h[6] = 0x1f83d9abu;
            _h[7] = 0x5be0cd19u;
            _blockLength = 0;
            _totalBytes = 0;
        }

        /// <summary>Copies the chaining value out (only meaningful on a block boundary; HMAC uses it).</summary>
        public void SaveState(uint[] state)
        {
            for (int i = 0; i < 8; i++)
            {
                state[i] = _h[i];
            }
        }

        /// <summary>Resumes from a chaining value saved after <paramref name="totalBytes"/> (a multiple of 64).</summary>
        public void LoadState(uint[] state, ulong totalBytes)
        {
            for (int i = 0; i < 8; i++)
            {
                _h[i] = state[i];
            }
            _blockLength = 0;
            _totalBytes = totalBytes;
        }

        public void Update(byte value)
        {
            _block[_blockLength++] = value;
            _totalBytes++;
            if (_blockLength == BlockBytes)
            {
                Compress(_block, 0);
                _blockLength = 0;
            }
        }

        public void Update(byte[] data, int offset, int count)
        {
            _totalBytes += (ulong)count;
            int i = 0;
            if (_blockLength > 0)
            {
                while (i < count && _blockLength < BlockBytes)
                {
                    _block[_blockLength++] = data[offset + i];
                    i++;
                }
                if (_blockLength < BlockBytes)
                {
                    return;
                }
                Compress(_block, 0);
                _blockLength = 0;
            }
            while (count - i >= BlockBytes)
            {
                Compress(data, offset + i);
                i += BlockBytes;
            }
            while (i < count)
            {
                _block[_blockLength++] = data[offset + i];
                i++;
            }
        }

        /// <summary>Pads, writes the 32-byte digest at output[offset], and resets for the next message.</summary>
        public void Finish(byte[] output, int offset)
        {
            ulong bitLength = _totalBytes * 8;
            // §5.1.1: a 1 bit, zeros to 56 mod 64, then the 64-bit big-endian bit length.
            _block[_blockLength++] = 0x80;
            if (_blockLength > 56)
            {
                while (_blockLength < BlockBytes)
                {
                    _block[_blockLength++] = 0;
                }
                Compress(_block, 0);
                _blockLength = 0;
            }
            while (_blockLength < 56)
            {
                _block[_blockLength++] = 0;
            }
            for (int i = 0; i < 8; i++)
            {
                _block[56 + i] = (byte)(bitLength >> (56 - 8 * i));
            }
            Compress(_block, 0);
            for (int i = 0; i < 8; i++)
            {
                uint h = _h[i];
                output[offset + 4 * i] = (byte)(h >> 24);
                output[offset + 4 * i + 1] = (byte)(h >> 16);
                output[offset + 4 * i + 2] = (byte)(h >> 8);
                output[offset + 4 * i + 3] = (byte)h;
            }
            Reset();
        }

        private static uint Rotr(uint x, int n)
        {
            return (x >> n) | (x << (32 - n));
        }

        // §6.2.2, one 512-bit block.
        private void Compress(byte[] data, int offset)
        {
            uint[] w = _w;
            for (int t = 0; t < 16; t++)
            {
                int p = offset + 4 * t;
                w[t] = ((uint)data[p] << 24) | ((uint)data[p + 1] << 16) | ((uint)data[p + 2] << 8) | data[p + 3];
            }
            for (int t = 16; t < 64; t++)
            {
                uint x = w[t - 15];
                uint y = w[t - 2];
                uint s0 = Rotr(x, 7) ^ Rotr(x, 18) ^ (x >> 3);
                uint s1 = Rotr(y, 17) ^ Rotr(y, 19) ^ (y >> 10);
                w[t] = unchecked(w[t - 16] + s0 + w[t - 7] + s1);
            }
            uint a = _h[0];
            uint b = _h[1];
            uint c = _h[2];
            uint d = _h[3];
            uint e = _h[4];
            uint f = _h[5];
            uint g = _h[6];
            uint h = _h[7];
            for (int t = 0; t < 64; t++)
            {
                uint s1 = Rotr(e, 6) ^ Rotr(e, 11) ^ Rotr(e, 25);
                uint ch = (e & f) ^ (~e & g);
                uint t1 = unchecked(h + s1 + ch + K[t] + w[t]);
                uint s0 = Rotr(a, 2) ^ Rotr(a, 13) ^ Rotr(a, 22);
                uint maj = (a & b) ^ (a & c) ^ (b & c);
                uint t2 = unchecked(s0 + maj);
                h = g;
                g = f;
                f = e;
                e = unchecked(d + t1);
                d = c;
                c = b;
                b = a;
                a = unchecked(t1 + t2);
            }
            _h[0] = unchecked(_h[0] + a);
            _h[1] = unchecked(_h[1] + b);
            _h[2] = unchecked(_h[2] + c);
            _h[3] = unchecked(_h[3] + d);
            _h[4] = unchecked(_h[4] + e);
            _h[5] = unchecked(_h[5] + f);
            _h[6] = unchecked(_h[6] + g);
            _h[7] = unchecked(_h[7] + h);
        }
    }
}
