using Hv.Crypto;

namespace Hv.Protocol.Server
{
    /// <summary>Where a <see cref="SecureStreamSession"/> is.</summary>
    public enum SecureStreamState
    {
        /// <summary>Waiting for the ClientHello.</summary>
        AwaitingHello,
        /// <summary>ServerHello queued; waiting for the ClientFinished.</summary>
        AwaitingFinished,
        /// <summary>Keys agreed: records carry the management protocol.</summary>
        Open,
        /// <summary>The client sent its Close record and ours is queued: close the stream once the output is sent.</summary>
        Closed,
        /// <summary>Handshake or record refused (wrong key, tampered, replayed, bad header): drop the stream now.</summary>
        Failed,
    }

    /// <summary>
    /// One management session over a byte stream (a TCP connection): the server's side of the secure channel
    /// (SECURE-CHANNEL.md) around a <see cref="ProtocolServer"/> of its own, so each session has its own handshake, keys,
    /// sequence numbers and protocol session, while the handlers (and what they share: the hypervisor, transfers)
    /// are registered from the one adapter. The stream's owner moves bytes: it reads at most <see cref="InputRoom"/>
    /// bytes into <see cref="InputBuffer"/> at <see cref="InputEnd"/> and calls <see cref="InputArrived"/>, and sends
    /// <see cref="OutputBuffer"/>[<see cref="OutputStart"/> ..+<see cref="OutputPending"/>), reporting it with
    /// <see cref="OutputSent"/>. Input is taken only while the output has room for a whole answer, so a client that
    /// does not read cannot make the session hold more than its fixed buffers. Nothing allocates after construction.
    /// </summary>
    public sealed class SecureStreamSession : ByteSink
    {
        // The largest server write is one encoded frame (a response) or the ServerHello.
        private const int LargestWrite = Wire.ProtocolInfo.MaxEncodedBytes;
        private const int OutputCapacity = 4 * (LargestWrite + RecordLayer.OverheadBytes);

        private readonly ProtocolServer _server;
        private readonly EntropySource _entropy;
        private readonly byte[] _key = new byte[HostKey.Bytes];
        private readonly byte[] _ephemeral = new byte[SecureHandshake.EphemeralSecretBytes];
        private readonly SecureHandshake _handshake = new SecureHandshake();
        private readonly RecordLayer _records = new RecordLayer();
        private readonly byte[] _input = new byte[RecordLayer.MaxRecordBytes];
        private readonly byte[] _output = new byte[OutputCapacity];
        private int _inputEnd;
        private int _plainOffset, _plainCount;
        private int _outputStart, _outputEnd;
        private SecureStreamState _state;
        private SecureChannelStatus _failure;

        /// <param name="key">The 32-byte host key (copied).</param>
        public SecureStreamSession(EntropySource entropy, byte[] key)
        {
            _entropy = entropy;
            for (int i = 0; i < HostKey.Bytes; i++) _key[i] = key[i];
            _server = new ProtocolServer(this, entropy, key, channelAuthenticated: true);
        }

        /// <summary>This session's protocol server: register the handlers with it.</summary>
        public ProtocolServer Server { get { return _server; } }

        public SecureStreamState State { get { return _state; } }

        /// <summary>Why the session failed (Ok while it has not).</summary>
        public SecureChannelStatus Failure { get { return _failure; } }

        public byte[] InputBuffer { get { return _input; } }
        public int InputEnd { get { return _inputEnd; } }
        public byte[] OutputBuffer { get { return _output; } }
        public int OutputStart { get { return _outputStart; } }
        public int OutputPending { get { return _outputEnd - _outputStart; } }

        /// <summary>Starts over for a new connection: no keys, no partial input or output, a fresh protocol session.</summary>
        public void Reset()
        {
            _handshake.Reset();
            _records.Clear();
            _server.ResetSession();
            _inputEnd = 0;
            _plainOffset = 0;
            _plainCount = 0;
            _outputStart = 0;
            _outputEnd = 0;
            _state = SecureStreamState.AwaitingHello;
            _failure = SecureChannelStatus.Ok;
        }

        /// <summary>
        /// How many more bytes the session takes now: exactly what completes the handshake message or record it is
        /// collecting (so it never reads past one), 0 while it still holds plaintext it could not answer yet.
        /// </summary>
        public int InputRoom
        {
            get
            {
                if (_plainCount > 0) return 0;
                switch (_state)
                {
                    case SecureStreamState.AwaitingHello: return SecureHandshake.ClientHelloBytes - _inputEnd;
                    case SecureStreamState.AwaitingFinished: return SecureHandshake.ClientFinishedBytes - _inputEnd;
                    case SecureStreamState.Open:
                        int whole = RecordLayer.RecordBytes(_input, 0, _inputEnd);
                        return whole > 0 ? whole - _inputEnd : RecordLayer.HeaderBytes - _inputEnd;
                    default: return 0;
                }
            }
        }

        /// <summary>The owner put <paramref name="count"/> bytes at InputBuffer[InputEnd]; the session acts on them.</summary>
        public void InputArrived(int count)
        {
            if (count <= 0 || count > InputRoom) return;
            _inputEnd += count;
            Step();
        }

        /// <summary>The owner sent <paramref name="count"/> bytes from OutputBuffer[OutputStart]; held plaintext may now be answered.</summary>
        public void OutputSent(int count)
        {
            if (count <= 0 || count > OutputPending) return;
            _outputStart += count;
            if (_outputStart == _outputEnd)
            {
                _outputStart = 0;
                _outputEnd = 0;
            }
            Step();
        }

        // Acts on complete input until it needs more bytes or more output room.
        private void Step()
        {
            for (;;)
            {
                if (_plainCount > 0)
                {
                    if (!MakeRoom(LargestWrite + RecordLayer.OverheadBytes)) return;
                    int taken = _server.ReceiveFrame(_input, _plainOffset, _plainCount);
                    _plainOffset += taken;
                    _plainCount -= taken;
                    if (_state != SecureStreamState.Open) return;
                    continue;
                }
                if (_state == SecureStreamState.AwaitingHello && _inputEnd == SecureHandshake.ClientHelloBytes)
                {
                    OnClientHello();
                }
                else if (_state == SecureStreamState.AwaitingFinished && _inputEnd == SecureHandshake.ClientFinishedBytes)
                {
                    OnClientFinished();
                }
                else if (_state == SecureStreamState.Open && _inputEnd >= RecordLayer.HeaderBytes)
                {
                    int whole = RecordLayer.RecordBytes(_input, 0, _inputEnd);
                    if (whole < 0)
                    {
                        Fail(SecureChannelStatus.BadRecord);
                        return;
                    }
                    if (_inputEnd < whole) return;
                    OnRecord(whole);
                }
                else
                {
                    return;
                }
            }
        }

        private void OnClientHello()
        {
            _entropy.Fill(_ephemeral, 0, _ephemeral.Length);
            MakeRoom(SecureHandshake.ServerHelloBytes);
            SecureChannelStatus status = _handshake.ServerHello(_key, 0, _ephemeral, 0, _input, 0, _output, _outputEnd);
            for (int i = 0; i < _ephemeral.Length; i++) _ephemeral[i] = 0;
            _inputEnd = 0;
            if (status != SecureChannelStatus.Ok)
            {
                Fail(status);
                return;
            }
            _outputEnd += SecureHandshake.ServerHelloBytes;
            _state = SecureStreamState.AwaitingFinished;
        }

        private void OnClientFinished()
        {
            SecureChannelStatus status = _handshake.ServerFinish(_input, 0, _records);
            _inputEnd = 0;
            if (status != SecureChannelStatus.Ok)
            {
                Fail(status);
                return;
            }
            _state = SecureStreamState.Open;
        }

        private void OnRecord(int whole)
        {
            byte type;
            int offset, count;
            SecureChannelStatus status = _records.Open(_input, 0, whole, out type, out offset, out count);
            _inputEnd = 0;
            if (status != SecureChannelStatus.Ok)
            {
                Fail(status);
                return;
            }
            if (type == RecordLayer.Close)
            {
                int sealedBytes;
                MakeRoom(RecordLayer.OverheadBytes);
                if (_records.SealClose(_output, _outputEnd, out sealedBytes) == SecureChannelStatus.Ok) _outputEnd += sealedBytes;
                _state = SecureStreamState.Closed;
                return;
            }
            _plainOffset = offset;
            _plainCount = count;
        }

        /// <summary>The protocol server's answers: each write becomes one sealed record in the output.</summary>
        public override void Write(byte[] buffer, int offset, int count)
        {
            while (count > 0 && _state == SecureStreamState.Open)
            {
                int n = count < RecordLayer.MaxPlaintextBytes ? count : RecordLayer.MaxPlaintextBytes;
                if (!MakeRoom(n + RecordLayer.OverheadBytes))
                {
                    Fail(SecureChannelStatus.TooLarge); // cannot happen: Step keeps room for the largest answer
                    return;
                }
                for (int i = 0; i < n; i++) _output[_outputEnd + RecordLayer.HeaderBytes + i] = buffer[offset + i];
                int sealedBytes;
                SecureChannelStatus status = _records.Seal(_output, _outputEnd, n, out sealedBytes);
                if (status != SecureChannelStatus.Ok)
                {
                    Fail(status);
                    return;
                }
                _outputEnd += sealedBytes;
                offset += n;
                count -= n;
            }
        }

        // True when `bytes` fit after the pending output (moving it to the front if that makes them fit).
        private bool MakeRoom(int bytes)
        {
            if (_outputEnd + bytes <= _output.Length) return true;
            int pending = _outputEnd - _outputStart;
            if (pending + bytes > _output.Length) return false;
            for (int i = 0; i < pending; i++) _output[i] = _output[_outputStart + i];
            _outputStart = 0;
            _outputEnd = pending;
            return true;
        }

        // Nothing more is read or answered; what is queued is dropped with the stream.
        private void Fail(SecureChannelStatus status)
        {
            _failure = status;
            _state = SecureStreamState.Failed;
            _records.Clear();
            _server.ResetSession();
            _plainCount = 0;
            _inputEnd = 0;
            _outputStart = 0;
            _outputEnd = 0;
        }
    }
}
