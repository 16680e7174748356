namespace Hv.Crypto
{
    /// <summary>
    /// The secure channel's record layer (SECURE-CHANNEL.md): ChaCha20-Poly1305 with one key and IV per
    /// direction and an implicit 64-bit sequence number in the nonce, so a replayed, reordered, dropped or
    /// altered record fails its tag. Any failure kills the session for good. Records are sealed and opened in
    /// place in the caller's buffer; no allocation after construction.
    ///
    ///   record = type u8 | length u16 big-endian | ciphertext[length] | tag[16]      (aad = type | length)
    ///   nonce  = IV XOR (0x00000000 | sequence u64 big-endian)
    /// </summary>
    public sealed class RecordLayer
    {
        public const int HeaderBytes = 3;
        public const int TagBytes = ChaCha20Poly1305.TagBytes;
        public const int OverheadBytes = HeaderBytes + TagBytes;
        public const int MaxPlaintextBytes = 16384;
        public const int MaxRecordBytes = MaxPlaintextBytes + OverheadBytes;

        /// <summary>Bytes of key material per direction: the 32-byte key then the 12-byte IV.</summary>
        public const int KeyMaterialBytes = ChaCha20Poly1305.KeyBytes + ChaCha20Poly1305.NonceBytes;

        /// <summary>Application data.</summary>
        public const byte Data = 0x17;

        /// <summary>The authenticated end of a direction: a stream that stops without it was truncated.</summary>
        public const byte Close = 0x15;

        private readonly ChaCha20Poly1305 _sendAead = new ChaCha20Poly1305();
        private readonly ChaCha20Poly1305 _receiveAead = new ChaCha20Poly1305();
        private readonly byte[] _sendIv = new byte[ChaCha20Poly1305.NonceBytes];
        private readonly byte[] _receiveIv = new byte[ChaCha20Poly1305.NonceBytes];
        private readonly byte[] _nonce = new byte[ChaCha20Poly1305.NonceBytes];
        private ulong _sendSequence;
        private ulong _receiveSequence;
        private bool _live;
        private bool _sendClosed;
        private bool _receiveClosed;

        /// <summary>True between Start and the first failure or Clear.</summary>
        public bool IsLive { get { return _live; } }

        /// <summary>Records sealed and opened so far (the next sequence numbers).</summary>
        public ulong SentRecords { get { return _sendSequence; } }
        public ulong ReceivedRecords { get { return _receiveSequence; } }

        /// <summary>
        /// Installs fresh keys (32-byte key then 12-byte IV per direction) and sets both sequences to 0. The
        /// handshake calls this; each session must have its own keys.
        /// </summary>
        public void Start(byte[] sendKeyMaterial, int sendOffset, byte[] receiveKeyMaterial, int receiveOffset)
        {
            _sendAead.SetKey(sendKeyMaterial, sendOffset);
            _receiveAead.SetKey(receiveKeyMaterial, receiveOffset);
            for (int i = 0; i < ChaCha20Poly1305.NonceBytes; i++)
            {
                _sendIv[i] = sendKeyMaterial[sendOffset + ChaCha20Poly1305.KeyBytes + i];
                _receiveIv[i] = receiveKeyMaterial[receiveOffset + ChaCha20Poly1305.KeyBytes + i];
            }
            _sendSequence = 0;
            _receiveSequence = 0;
            _sendClosed = false;
            _receiveClosed = false;
            _live = true;
        }

        /// <summary>Forgets the keys; every later call fails with SessionDead until the next Start.</summary>
        public void Clear()
        {
            _sendAead.Clear();
            _receiveAead.Clear();
            for (int i = 0; i < ChaCha20Poly1305.NonceBytes; i++)
            {
                _sendIv[i] = 0;
                _receiveIv[i] = 0;
            }
            _live = false;
        }

        /// <summary>
        /// Total size of the record whose header starts at buffer[offset], for a stream reader that must know
        /// how many bytes to collect: 0 if fewer than 3 bytes are available yet, -1 if the header can never be
        /// valid (the reader should then drop the session).
        /// </summary>
        public static int RecordBytes(byte[] buffer, int offset, int available)
        {
            if (available < HeaderBytes)
            {
                return 0;
            }
            byte type = buffer[offset];
            int length = (buffer[offset + 1] << 8) | buffer[offset + 2];
            if ((type != Data && type != Close) || length > MaxPlaintextBytes || (type == Close && length != 0))
            {
                return -1;
            }
            return length + OverheadBytes;
        }

        /// <summary>
        /// Seals the plaintext at buffer[offset + HeaderBytes ..+plaintextCount) in place: writes the header before
        /// it and the tag after it, so the record is buffer[offset ..+recordBytes).
        /// </summary>
        public SecureChannelStatus Seal(byte[] buffer, int offset, int plaintextCount, out int recordBytes)
        {
            return SealRecord(Data, buffer, offset, plaintextCount, out recordBytes);
        }

        /// <summary>Seals the Close record (19 bytes at buffer[offset]); nothing can be sealed after it.</summary>
        public SecureChannelStatus SealClose(byte[] buffer, int offset, out int recordBytes)
        {
            SecureChannelStatus status = SealRecord(Close, buffer, offset, 0, out recordBytes);
            if (status == SecureChannelStatus.Ok)
            {
                _sendClosed = true;
            }
            return status;
        }

        /// <summary>
        /// Opens the one record buffer[offset ..+count) in place. Ok gives its type (Data or Close) and the
        /// plaintext's place in the buffer. Any other status kills the session.
        /// </summary>
        public SecureChannelStatus Open(byte[] buffer, int offset, int count, out byte type, out int plaintextOffset,
                                        out int plaintextCount)
        {
            type = 0;
            plaintextOffset = offset + HeaderBytes;
            plaintextCount = 0;
            if (!_live)
            {
                return SecureChannelStatus.SessionDead;
            }
            if (_receiveClosed)
            {
                return Fail(SecureChannelStatus.Closed);
            }
            if (_receiveSequence == ulong.MaxValue)
            {
                return Fail(SecureChannelStatus.SequenceExhausted);
            }
            if (count < OverheadBytes || RecordBytes(buffer, offset, count) != count)
            {
                return Fail(SecureChannelStatus.BadRecord);
            }
            int length = count - OverheadBytes;
            MakeNonce(_receiveIv, _receiveSequence);
            if (!_receiveAead.Open(_nonce, 0, buffer, offset, HeaderBytes, buffer, offset + HeaderBytes, length,
                                   buffer, offset + HeaderBytes + length))
            {
                return Fail(SecureChannelStatus.RecordRejected);
            }
            _receiveSequence++;
            type = buffer[offset];
            plaintextCount = length;
            if (type == Close)
            {
                _receiveClosed = true;
            }
            return SecureChannelStatus.Ok;
        }

        private SecureChannelStatus SealRecord(byte type, byte[] buffer, int offset, int plaintextCount, out int recordBytes)
        {
            recordBytes = 0;
            if (!_live)
            {
                return SecureChannelStatus.SessionDead;
            }
            if (_sendClosed)
            {
                return SecureChannelStatus.Closed;
            }
            if (plaintextCount < 0 || plaintextCount > MaxPlaintextBytes)
            {
                return SecureChannelStatus.TooLarge;
            }
            if (_sendSequence == ulong.MaxValue)
            {
                return Fail(SecureChannelStatus.SequenceExhausted);
            }
            buffer[offset] = type;
            buffer[offset + 1] = (byte)(plaintextCount >> 8);
            buffer[offset + 2] = (byte)plaintextCount;
            MakeNonce(_sendIv, _sendSequence);
            _sendAead.Seal(_nonce, 0, buffer, offset, HeaderBytes, buffer, offset + HeaderBytes, plaintextCount,
                           buffer, offset + HeaderBytes + plaintextCount);
            _sendSequence++;
            recordBytes = plaintextCount + OverheadBytes;
            return SecureChannelStatus.Ok;
        }

        private void MakeNonce(byte[] iv, ulong sequence)
        {
            for (int i = 0; i < 4; i++)
            {
                _nonce[i] = iv[i];
            }
            for (int i = 0; i < 8; i++)
            {
                _nonce[4 + i] = (byte)(iv[4 + i] ^ (byte)(sequence >> (56 - 8 * i)));
            }
        }

        private SecureChannelStatus Fail(SecureChannelStatus status)
        {
            Clear();
            return status;
        }
    }
}
