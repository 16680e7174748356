namespace Hv.Crypto
{
    /// <summary>
    /// The secure channel's handshake (SECURE-CHANNEL.md): ephemeral X25519 on both sides for forward secrecy,
    /// HKDF-SHA256 keyed by the 32-byte host key, and a finished MAC from each side over the transcript that
    /// proves it knows the host key. Three fixed-size messages:
    ///
    ///   client → server   ClientHello    "HvC" 01 | client ephemeral public[32]               (36 bytes)
    ///   server → client   ServerHello    "HvS" 01 | server ephemeral public[32] | MAC_s[32]   (68 bytes)
    ///   client → server   ClientFinished MAC_c[32]                                            (32 bytes)
    ///
    /// One instance per session and role; Reset makes it reusable. The caller supplies 32 fresh random bytes for
    /// the ephemeral secret (the image's entropy source; tests pass fixed ones). No allocation after construction.
    /// </summary>
    public sealed class SecureHandshake
    {
        public const int ClientHelloBytes = 36;
        public const int ServerHelloBytes = 68;
        public const int ClientFinishedBytes = 32;
        public const int EphemeralSecretBytes = X25519.KeyBytes;

        private const int MagicBytes = 4;
        private const int HelloBytes = MagicBytes + X25519.KeyBytes;

        private enum State
        {
            Idle,
            ClientSentHello,
            ServerSentHello,
            Done,
            Failed,
        }

        // "HvC\x01", "HvS\x01": role and version, so a reflected message never parses as the other role's.
        private static readonly byte[] ClientMagic = { 0x48, 0x76, 0x43, 0x01 };
        private static readonly byte[] ServerMagic = { 0x48, 0x76, 0x53, 0x01 };

        // HKDF-Expand labels, ASCII (the image has no Encoding): "hv-sc1 server finished", "hv-sc1 client finished",
        // "hv-sc1 c2s", "hv-sc1 s2c".
        private static readonly byte[] ServerFinishedLabel =
        {
            0x68, 0x76, 0x2D, 0x73, 0x63, 0x31, 0x20, 0x73, 0x65, 0x72, 0x76, 0x65, 0x72, 0x20,
            0x66, 0x69, 0x6E, 0x69, 0x73, 0x68, 0x65, 0x64,
        };
        private static readonly byte[] ClientFinishedLabel =
        {
            0x68, 0x76, 0x2D, 0x73, 0x63, 0x31, 0x20, 0x63, 0x6C, 0x69, 0x65, 0x6E, 0x74, 0x20,
            0x66, 0x69, 0x6E, 0x69, 0x73, 0x68, 0x65, 0x64,
        };
        private static readonly byte[] ClientToServerLabel = { 0x68, 0x76, 0x2D, 0x73, 0x63, 0x31, 0x20, 0x63, 0x32, 0x73 };
        private static readonly byte[] ServerToClientLabel = { 0x68, 0x76, 0x2D, 0x73, 0x63, 0x31, 0x20, 0x73, 0x32, 0x63 };

        private readonly X25519 _x25519 = new X25519();
        private readonly HkdfSha256 _hkdf = new HkdfSha256();
        private readonly HmacSha256 _mac = new HmacSha256();
        private readonly Sha256 _sha = new Sha256();
        private readonly byte[] _secret = new byte[EphemeralSecretBytes];
        private readonly byte[] _transcript = new byte[ClientHelloBytes + ServerHelloBytes];
        private readonly byte[] _shared = new byte[X25519.KeyBytes];
        private readonly byte[] _prk = new byte[HkdfSha256.HashBytes];
        private readonly byte[] _hash = new byte[Sha256.HashBytes];
        private readonly byte[] _info = new byte[32 + Sha256.HashBytes];
        private readonly byte[] _finishedKey = new byte[HkdfSha256.HashBytes];
        private readonly byte[] _expectedMac = new byte[HmacSha256.MacBytes];
        private readonly byte[] _clientToServer = new byte[RecordLayer.KeyMaterialBytes];
        private readonly byte[] _serverToClient = new byte[RecordLayer.KeyMaterialBytes];
        private State _state;

        /// <summary>True once the handshake has succeeded and the record layer holds the session's keys.</summary>
        public bool IsDone { get { return _state == State.Done; } }

        /// <summary>Forgets everything and returns to the start (for the next session on a pooled instance).</summary>
        public void Reset()
        {
            Wipe(_secret);
            Wipe(_transcript);
            WipeKeys();
            _state = State.Idle;
        }

        /// <summary>Client, step 1: writes the ClientHello (36 bytes) at output[outputOffset].</summary>
        public SecureChannelStatus ClientHello(byte[] ephemeralSecret, int secretOffset, byte[] output, int outputOffset)
        {
            if (_state != State.Idle)
            {
                return SecureChannelStatus.WrongState;
            }
            for (int i = 0; i < EphemeralSecretBytes; i++)
            {
                _secret[i] = ephemeralSecret[secretOffset + i];
            }
            Copy(ClientMagic, 0, _transcript, 0, MagicBytes);
            _x25519.PublicKey(_transcript, MagicBytes, _secret, 0);
            Copy(_transcript, 0, output, outputOffset, ClientHelloBytes);
            _state = State.ClientSentHello;
            return SecureChannelStatus.Ok;
        }

        /// <summary>
        /// Server: reads the ClientHello, writes the ServerHello (68 bytes) at output[outputOffset]. The host key
        /// is 32 bytes at hostKey[hostKeyOffset].
        /// </summary>
        public SecureChannelStatus ServerHello(byte[] hostKey, int hostKeyOffset, byte[] ephemeralSecret, int secretOffset,
                                               byte[] clientHello, int clientHelloOffset, byte[] output, int outputOffset)
        {
            if (_state != State.Idle)
            {
                return SecureChannelStatus.WrongState;
            }
            if (!FixedTime.AreEqual(clientHello, clientHelloOffset, ClientMagic, 0, MagicBytes))
            {
                return Fail(SecureChannelStatus.BadMessage);
            }
            for (int i = 0; i < EphemeralSecretBytes; i++)
            {
                _secret[i] = ephemeralSecret[secretOffset + i];
            }
            Copy(clientHello, clientHelloOffset, _transcript, 0, ClientHelloBytes);
            Copy(ServerMagic, 0, _transcript, ClientHelloBytes, MagicBytes);
            _x25519.PublicKey(_transcript, ClientHelloBytes + MagicBytes, _secret, 0);
            if (!DeriveSecret(hostKey, hostKeyOffset, _transcript, MagicBytes))
            {
                return Fail(SecureChannelStatus.LowOrderPoint);
            }
            // MAC_s = HMAC(Expand(PRK, label | TH1), TH1), TH1 = SHA-256(ClientHello | ServerHello without MAC_s).
            Hash(ClientHelloBytes + HelloBytes);
            FinishedMac(ServerFinishedLabel, _transcript, ClientHelloBytes + HelloBytes);
            Copy(_transcript, ClientHelloBytes, output, outputOffset, ServerHelloBytes);
            _state = State.ServerSentHello;
            return SecureChannelStatus.Ok;
        }

        /// <summary>
        /// Client, step 2: checks the ServerHello and writes the ClientFinished (32 bytes) at output[outputOffset];
        /// on Ok the record layer is started. When the server's MAC does not verify (wrong host key, an impostor,
        /// an altered message) the output is 32 zero bytes, which no server accepts: sent anyway, it lets the
        /// server fail at once with AuthenticationFailed instead of waiting for a time-out.
        /// </summary>
        public SecureChannelStatus ClientFinish(byte[] hostKey, int hostKeyOffset, byte[] serverHello, int serverHelloOffset,
                                                byte[] output, int outputOffset, RecordLayer records)
        {
            for (int i = 0; i < ClientFinishedBytes; i++)
            {
                output[outputOffset + i] = 0;
            }
            if (_state != State.ClientSentHello)
            {
                return SecureChannelStatus.WrongState;
            }
            if (!FixedTime.AreEqual(serverHello, serverHelloOffset, ServerMagic, 0, MagicBytes))
            {
                return Fail(SecureChannelStatus.BadMessage);
            }
            Copy(serverHello, serverHelloOffset, _transcript, ClientHelloBytes, ServerHelloBytes);
            if (!DeriveSecret(hostKey, hostKeyOffset, _transcript, ClientHelloBytes + MagicBytes))
            {
                return Fail(SecureChannelStatus.LowOrderPoint);
            }
            Hash(ClientHelloBytes + HelloBytes);
            FinishedMac(ServerFinishedLabel, _expectedMac, 0);
            if (!FixedTime.AreEqual(_expectedMac, 0, _transcript, ClientHelloBytes + HelloBytes, HmacSha256.MacBytes))
            {
                return Fail(SecureChannelStatus.AuthenticationFailed);
            }
            // MAC_c = HMAC(Expand(PRK, label | TH2), TH2), TH2 = SHA-256(ClientHello | ServerHello).
            Hash(ClientHelloBytes + ServerHelloBytes);
            FinishedMac(ClientFinishedLabel, output, outputOffset);
            DeriveTrafficKeys();
            records.Start(_clientToServer, 0, _serverToClient, 0);
            return Succeed();
        }

        /// <summary>Server, step 2: checks the ClientFinished; on Ok the record layer is started.</summary>
        public SecureChannelStatus ServerFinish(byte[] clientFinished, int offset, RecordLayer records)
        {
            if (_state != State.ServerSentHello)
            {
                return SecureChannelStatus.WrongState;
            }
            Hash(ClientHelloBytes + ServerHelloBytes);
            FinishedMac(ClientFinishedLabel, _expectedMac, 0);
            if (!FixedTime.AreEqual(_expectedMac, 0, clientFinished, offset, HmacSha256.MacBytes))
            {
                return Fail(SecureChannelStatus.AuthenticationFailed);
            }
            DeriveTrafficKeys();
            records.Start(_serverToClient, 0, _clientToServer, 0);
            return Succeed();
        }

        // shared = X25519(secret, peer public); PRK = HKDF-Extract(salt = host key, IKM = shared). The ephemeral
        // secret is wiped at once: from here on only the PRK, which the peer's public key alone cannot rebuild.
        private bool DeriveSecret(byte[] hostKey, int hostKeyOffset, byte[] peerPublic, int peerOffset)
        {
            _x25519.Compute(_shared, 0, _secret, 0, peerPublic, peerOffset);
            Wipe(_secret);
            int nonZero = 0;
            for (int i = 0; i < X25519.KeyBytes; i++)
            {
                nonZero |= _shared[i];
            }
            _hkdf.Extract(hostKey, hostKeyOffset, HostKey.Bytes, _shared, 0, X25519.KeyBytes, _prk, 0);
            Wipe(_shared);
            return nonZero != 0;
        }

        private void Hash(int transcriptBytes)
        {
            _sha.Update(_transcript, 0, transcriptBytes);
            _sha.Finish(_hash, 0);
        }

        // HMAC(Expand(PRK, label | hash, 32), hash) written at output[offset].
        private void FinishedMac(byte[] label, byte[] output, int offset)
        {
            Expand(label, _finishedKey, HkdfSha256.HashBytes);
            _mac.SetKey(_finishedKey, 0, HkdfSha256.HashBytes);
            _mac.Update(_hash, 0, Sha256.HashBytes);
            _mac.Finish(output, offset);
            _mac.ClearKey();
            Wipe(_finishedKey);
        }

        private void DeriveTrafficKeys()
        {
            Expand(ClientToServerLabel, _clientToServer, RecordLayer.KeyMaterialBytes);
            Expand(ServerToClientLabel, _serverToClient, RecordLayer.KeyMaterialBytes);
        }

        private void Expand(byte[] label, byte[] output, int length)
        {
            Copy(label, 0, _info, 0, label.Length);
            Copy(_hash, 0, _info, label.Length, Sha256.HashBytes);
            _hkdf.Expand(_prk, 0, HkdfSha256.HashBytes, _info, 0, label.Length + Sha256.HashBytes, output, 0, length);
        }

        private SecureChannelStatus Succeed()
        {
            WipeKeys();
            _state = State.Done;
            return SecureChannelStatus.Ok;
        }

        private SecureChannelStatus Fail(SecureChannelStatus status)
        {
            Wipe(_secret);
            WipeKeys();
            _state = State.Failed;
            return status;
        }

        private void WipeKeys()
        {
            Wipe(_shared);
            Wipe(_prk);
            Wipe(_hash);
            Wipe(_finishedKey);
            Wipe(_expectedMac);
            Wipe(_clientToServer);
            Wipe(_serverToClient);
        }

        private static void Wipe(byte[] data)
        {
            for (int i = 0; i < data.Length; i++)
            {
                data[i] = 0;
            }
        }

        private static void Copy(byte[] source, int sourceOffset, byte[] destination, int destinationOffset, int count)
        {
            for (int i = 0; i < count; i++)
            {
                destination[destinationOffset + i] = source[sourceOffset + i];
            }
        }
    }
}
