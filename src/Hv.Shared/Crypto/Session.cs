namespace Hv.Crypto
{
    /// <summary>
    /// One authenticated session: the nonces, the session key and the per-direction sequence numbers.
    ///   session key = HMAC-SHA256(host key, "hv-session" || cnonce || snonce)
    ///   frame MAC   = HMAC-SHA256(session key, cnonce || snonce || direction || seq (u64 LE) || content)[0..16)
    /// Used by both the server and the client; allocates only in the constructor. Inside the secure channel
    /// (SECURE-CHANNEL.md, TCP) every record is already authenticated, encrypted and sequenced under keys from a
    /// handshake keyed by the host key, so a frame MAC would only repeat that check: such a session has
    /// <see cref="MacBytes"/> 0 (frames carry no MAC, the sequence numbers are still checked); on a bare line it is 16.
    /// </summary>
    public sealed class Session
    {
        /// <summary>The frame MAC's length on a bare line (HMAC-SHA256 truncated).</summary>
        public const int FrameMacBytes = 16;

        /// <summary>Direction byte of frames the client sends.</summary>
        public const byte ClientToServer = 0x43; // 'C'

        /// <summary>Direction byte of frames the server sends.</summary>
        public const byte ServerToClient = 0x53; // 'S'

        // "hv-session" as bytes (the image has no Encoding).
        private static readonly byte[] Label = { 0x68, 0x76, 0x2D, 0x73, 0x65, 0x73, 0x73, 0x69, 0x6F, 0x6E };

        private readonly HmacSha256 _keyMac = new HmacSha256();
        private readonly HmacSha256 _sessionMac = new HmacSha256();
        private readonly byte[] _clientNonce = new byte[16];
        private readonly byte[] _serverNonce = new byte[16];
        private readonly byte[] _sessionKey = new byte[32];
        private readonly byte[] _scratch = new byte[32];
        private bool _established;
        private int _macBytes = FrameMacBytes;

        /// <summary>Highest sequence number accepted from the peer (frames must exceed it).</summary>
        public ulong LastReceived;

        /// <summary>Sequence number of the last frame sent (the next one is one more).</summary>
        public ulong LastSent;

        public bool Established { get { return _established; } }

        /// <summary>Bytes of MAC at the end of each authenticated frame: 16, or 0 in an authenticated channel.</summary>
        public int MacBytes { get { return _macBytes; } }

        /// <summary>For a session inside a channel that authenticates every byte itself (the secure channel): no frame MACs.</summary>
        public void UseChannelAuthentication()
        {
            _macBytes = 0;
        }

        public byte[] ClientNonce { get { return _clientNonce; } }
        public byte[] ServerNonce { get { return _serverNonce; } }

        /// <summary>Sets the 32-byte host key (clears any session).</summary>
        public void SetHostKey(byte[] key, int offset)
        {
            _keyMac.SetKey(key, offset, 32);
            Clear();
        }

        /// <summary>Derives the session key from the nonces and resets both sequence numbers to 0.</summary>
        public void Start(byte[] clientNonce, int clientOffset, byte[] serverNonce, int serverOffset)
        {
            for (int i = 0; i < 16; i++)
            {
                _clientNonce[i] = clientNonce[clientOffset + i];
                _serverNonce[i] = serverNonce[serverOffset + i];
            }
            _keyMac.Begin();
            _keyMac.Update(Label, 0, Label.Length);
            _keyMac.Update(_clientNonce, 0, 16);
            _keyMac.Update(_serverNonce, 0, 16);
            _keyMac.Finish(_sessionKey, 0);
            _sessionMac.SetKey(_sessionKey, 0, 32);
            for (int i = 0; i < 32; i++)
            {
                _sessionKey[i] = 0;
            }
            LastReceived = 0;
            LastSent = 0;
            _established = true;
        }

        /// <summary>Ends the session (frames will no longer verify).</summary>
        public void Clear()
        {
            _sessionMac.ClearKey();
            _established = false;
            LastReceived = 0;
            LastSent = 0;
        }

        /// <summary>Writes the <see cref="MacBytes"/>-byte MAC of content[offset..+count) at mac[macOffset].</summary>
        public void ComputeMac(byte direction, ulong sequence, byte[] content, int offset, int count, byte[] mac, int macOffset)
        {
            if (_macBytes == 0)
            {
                return;
            }
            Digest(direction, sequence, content, offset, count);
            for (int i = 0; i < 16; i++)
            {
                mac[macOffset + i] = _scratch[i];
            }
        }

        /// <summary>Constant-time check of a <see cref="MacBytes"/>-byte MAC. False if no session is established.</summary>
        public bool CheckMac(byte direction, ulong sequence, byte[] content, int offset, int count, byte[] mac, int macOffset)
        {
            if (!_established)
            {
                return false;
            }
            if (_macBytes == 0)
            {
                return true;
            }
            Digest(direction, sequence, content, offset, count);
            return FixedTime.AreEqual(_scratch, 0, mac, macOffset, 16);
        }

        private void Digest(byte direction, ulong sequence, byte[] content, int offset, int count)
        {
            _sessionMac.Begin();
            _sessionMac.Update(_clientNonce, 0, 16);
            _sessionMac.Update(_serverNonce, 0, 16);
            _sessionMac.Update(direction);
            for (int i = 0; i < 8; i++)
            {
                _sessionMac.Update((byte)(sequence >> (8 * i)));
            }
            _sessionMac.Update(content, offset, count);
            _sessionMac.Finish(_scratch, 0);
        }
    }
}
