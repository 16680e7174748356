namespace Hv.Crypto
{
    /// <summary>
    /// HKDF with HMAC-SHA256 (RFC 5869): Extract(salt, IKM) = HMAC(salt, IKM) is the pseudorandom key; Expand(PRK,
    /// info, L) = T(1) | T(2) | ... cut to L bytes, T(i) = HMAC(PRK, T(i-1) | info | i). No allocation after
    /// construction.
    /// </summary>
    public sealed class HkdfSha256
    {
        public const int HashBytes = Sha256.HashBytes;

        /// <summary>RFC 5869 §2.3: L is at most 255 * HashLen.</summary>
        public const int MaxOutputBytes = 255 * HashBytes;

        private readonly HmacSha256 _mac = new HmacSha256();
        private readonly byte[] _block = new byte[HashBytes];

        /// <summary>
        /// Writes the 32-byte PRK at prk[prkOffset]. An empty salt is the same as 32 zero bytes (§2.2), which
        /// HMAC's zero padding of short keys gives by itself.
        /// </summary>
        public void Extract(byte[] salt, int saltOffset, int saltCount, byte[] ikm, int ikmOffset, int ikmCount,
                            byte[] prk, int prkOffset)
        {
            _mac.SetKey(salt, saltOffset, saltCount);
            _mac.Update(ikm, ikmOffset, ikmCount);
            _mac.Finish(prk, prkOffset);
            _mac.ClearKey();
        }

        /// <summary>Writes length bytes of output keying material at okm[okmOffset]; false if length is over 8160.</summary>
        public bool Expand(byte[] prk, int prkOffset, int prkCount, byte[] info, int infoOffset, int infoCount,
                           byte[] okm, int okmOffset, int length)
        {
            if (length < 0 || length > MaxOutputBytes)
            {
                return false;
            }
            _mac.SetKey(prk, prkOffset, prkCount);
            int done = 0;
            for (int i = 1; done < length; i++)
            {
                if (i > 1)
                {
                    _mac.Update(_block, 0, HashBytes);
                }
                _mac.Update(info, infoOffset, infoCount);
                _mac.Update((byte)i);
                _mac.Finish(_block, 0);
                int n = length - done < HashBytes ? length - done : HashBytes;
                for (int k = 0; k < n; k++)
                {
                    okm[okmOffset + done + k] = _block[k];
                }
                done += n;
            }
            for (int k = 0; k < HashBytes; k++)
            {
                _block[k] = 0;
            }
            _mac.ClearKey();
            return true;
        }
    }
}
