namespace Hv.Crypto
{
    /// <summary>
    /// AEAD_CHACHA20_POLY1305 of RFC 8439 §2.8: the Poly1305 key is the first 32 bytes of ChaCha20 block 0 (§2.6),
    /// the data is encrypted from block 1, and the tag covers aad | pad16 | ciphertext | pad16 | len(aad) u64 LE |
    /// len(ciphertext) u64 LE. Encrypts and decrypts in place; Open checks the tag (in constant time) before it
    /// touches the data. No allocation after construction.
    /// </summary>
    public sealed class ChaCha20Poly1305
    {
        public const int KeyBytes = ChaCha20.KeyBytes;
        public const int NonceBytes = ChaCha20.NonceBytes;
        public const int TagBytes = Poly1305.TagBytes;

        private readonly ChaCha20 _cipher = new ChaCha20();
        private readonly Poly1305 _mac = new Poly1305();
        private readonly byte[] _oneTimeKey = new byte[ChaCha20.BlockBytes];
        private readonly byte[] _lengths = new byte[16];
        private readonly byte[] _expectedTag = new byte[TagBytes];

        public void SetKey(byte[] key, int offset)
        {
            _cipher.SetKey(key, offset);
        }

        public void Clear()
        {
            _cipher.Clear();
            for (int i = 0; i < _expectedTag.Length; i++)
            {
                _expectedTag[i] = 0;
            }
        }

        /// <summary>Encrypts data[offset..+count) in place and writes the 16-byte tag at tag[tagOffset].</summary>
        public void Seal(byte[] nonce, int nonceOffset, byte[] aad, int aadOffset, int aadCount,
                         byte[] data, int offset, int count, byte[] tag, int tagOffset)
        {
            _cipher.SetNonce(nonce, nonceOffset);
            _cipher.Xor(1, data, offset, count);
            ComputeTag(aad, aadOffset, aadCount, data, offset, count, tag, tagOffset);
        }

        /// <summary>
        /// Checks the tag of ciphertext data[offset..+count) and, only if it verifies, decrypts it in place.
        /// False (data untouched) for a wrong key, nonce, aad, ciphertext or tag.
        /// </summary>
        public bool Open(byte[] nonce, int nonceOffset, byte[] aad, int aadOffset, int aadCount,
                         byte[] data, int offset, int count, byte[] tag, int tagOffset)
        {
            _cipher.SetNonce(nonce, nonceOffset);
            ComputeTag(aad, aadOffset, aadCount, data, offset, count, _expectedTag, 0);
            if (!FixedTime.AreEqual(_expectedTag, 0, tag, tagOffset, TagBytes))
            {
                return false;
            }
            _cipher.Xor(1, data, offset, count);
            return true;
        }

        // §2.8: Poly1305 keyed by block 0 (nonce already set) over the padded aad, ciphertext and both lengths.
        private void ComputeTag(byte[] aad, int aadOffset, int aadCount, byte[] cipherText, int offset, int count,
                                byte[] tag, int tagOffset)
        {
            _cipher.Block(0, _oneTimeKey, 0);
            _mac.Begin(_oneTimeKey, 0);
            for (int i = 0; i < _oneTimeKey.Length; i++)
            {
                _oneTimeKey[i] = 0;
            }
            _mac.Update(aad, aadOffset, aadCount);
            _mac.PadToBlock();
            _mac.Update(cipherText, offset, count);
            _mac.PadToBlock();
            ChaCha20.WriteLittleEndian(_lengths, 0, (uint)aadCount);
            ChaCha20.WriteLittleEndian(_lengths, 4, 0);
            ChaCha20.WriteLittleEndian(_lengths, 8, (uint)count);
            ChaCha20.WriteLittleEndian(_lengths, 12, 0);
            _mac.Update(_lengths, 0, 16);
            _mac.Finish(tag, tagOffset);
        }
    }
}
