namespace Hv.Crypto
{
    /// <summary>
    /// HMAC-SHA256 (RFC 2104 / FIPS 198-1) over <see cref="Sha256"/>. The key is set once: the hash states
    /// after the inner (key XOR 0x36) and outer (key XOR 0x5C) pad blocks are saved, so each MAC costs only
    /// the message blocks plus two. Begin, Update..., Finish; reusable, no allocation after construction.
    /// </summary>
    public sealed class HmacSha256
    {
        public const int MacBytes = 32;

        private readonly Sha256 _sha = new Sha256();
        private readonly uint[] _innerState = new uint[8];
        private readonly uint[] _outerState = new uint[8];
        private readonly byte[] _pad = new byte[Sha256.BlockBytes];
        private readonly byte[] _innerHash = new byte[Sha256.HashBytes];
        private bool _hasKey;

        public bool HasKey { get { return _hasKey; } }

        /// <summary>Sets the key (any length; keys over 64 bytes are hashed first, RFC 2104 §2) and Begins.</summary>
        public void SetKey(byte[] key, int offset, int count)
        {
            for (int i = 0; i < Sha256.BlockBytes; i++)
            {
                _pad[i] = 0;
            }
            if (count > Sha256.BlockBytes)
            {
                _sha.Reset();
                _sha.Update(key, offset, count);
                _sha.Finish(_pad, 0);
            }
            else
            {
                for (int i = 0; i < count; i++)
                {
                    _pad[i] = key[offset + i];
                }
            }
            for (int i = 0; i < Sha256.BlockBytes; i++)
            {
                _pad[i] ^= 0x36;
            }
            _sha.Reset();
            _sha.Update(_pad, 0, Sha256.BlockBytes);
            _sha.SaveState(_innerState);
            for (int i = 0; i < Sha256.BlockBytes; i++)
            {
                _pad[i] ^= 0x36 ^ 0x5C;
            }
            _sha.Reset();
            _sha.Update(_pad, 0, Sha256.BlockBytes);
            _sha.SaveState(_outerState);
            for (int i = 0; i < Sha256.BlockBytes; i++)
            {
                _pad[i] = 0;
            }
            _hasKey = true;
            Begin();
        }

        /// <summary>Forgets the key material.</summary>
        public void ClearKey()
        {
            for (int i = 0; i < 8; i++)
            {
                _innerState[i] = 0;
                _outerState[i] = 0;
            }
            _sha.Reset();
            _hasKey = false;
        }

        /// <summary>Starts a new MAC with the current key.</summary>
        public void Begin()
        {
            _sha.LoadState(_innerState, Sha256.BlockBytes);
        }

        public void Update(byte value)
        {
            _sha.Update(value);
        }

        public void Update(byte[] data, int offset, int count)
        {
            _sha.Update(data, offset, count);
        }

        /// <summary>Writes the 32-byte MAC at output[offset] and Begins again.</summary>
        public void Finish(byte[] output, int offset)
        {
            _sha.Finish(_innerHash, 0);
            _sha.LoadState(_outerState, Sha256.BlockBytes);
            _sha.Update(_innerHash, 0, Sha256.HashBytes);
            _sha.Finish(output, offset);
            Begin();
        }
    }

    /// <summary>Comparisons whose time does not depend on where the inputs differ.</summary>
    public static class FixedTime
    {
        /// <summary>True if a[aOffset..+count) equals b[bOffset..+count); always reads all bytes.</summary>
        public static bool AreEqual(byte[] a, int aOffset, byte[] b, int bOffset, int count)
        {
            int diff = 0;
            for (int i = 0; i < count; i++)
            {
                diff |= a[aOffset + i] ^ b[bOffset + i];
            }
            return diff == 0;
        }
    }
}
