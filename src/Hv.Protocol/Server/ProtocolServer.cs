using Hv.Crypto;
using Hv.Protocol.Wire;

namespace Hv.Protocol.Server
{
    /// <summary>
    /// The host's end of the management protocol. Feed it the bytes that arrive (<see cref="Receive(byte[], int, int)"/>
    /// or per byte); it decodes frames, authenticates them, looks up the <see cref="RequestHandler"/> registered for
    /// the opcode (a table indexed by opcode: an opcode without one is Unsupported), and writes the response frame to
    /// the <see cref="ByteSink"/>. One session at a time: a Handshake starts a pending session that replaces the current
    /// one when its first authenticated frame arrives (so an unauthenticated Handshake cannot cut off a working client).
    /// Refused frames execute nothing, get one uniform <see cref="ErrorCode.AuthFailed"/> refusal, and are counted. All
    /// buffers are allocated in the constructor; handling a frame allocates nothing. Never throws on any input.
    /// </summary>
    public sealed class ProtocolServer
    {
        /// <summary>Requests have opcodes below 0x80 (bit 7 marks a response).</summary>
        public const int OpcodeCount = 0x80;

        private readonly RequestHandler[] _handlers = new RequestHandler[OpcodeCount];
        private readonly ByteSink _sink;
        private readonly EntropySource _entropy;

        private readonly FrameDecoder _decoder = new FrameDecoder(ProtocolInfo.MaxFrameBytes);
        private readonly FrameEncoder _encoder = new FrameEncoder(ProtocolInfo.MaxFrameBytes);
        private readonly byte[] _response = new byte[ProtocolInfo.MaxContentBytes + ProtocolInfo.MacBytes];
        private readonly MessageWriter _writer = new MessageWriter();
        private readonly MessageReader _reader = new MessageReader();
        private readonly byte[] _serverNonce = new byte[ProtocolInfo.NonceBytes];

        private Session _active = new Session();
        private Session _pending = new Session();

        private int _bodyStart;
        private readonly int _macBytes;

        private long _authFailures;
        private long _requests;
        private long _handshakes;
        private long _sendFailures;

        /// <param name="key">The 32-byte host key (copied into the MAC state; the array may be wiped after).</param>
        /// <param name="channelAuthenticated">True inside the secure channel: frames carry no MAC (<see cref="Session.MacBytes"/>).</param>
        public ProtocolServer(ByteSink sink, EntropySource entropy, byte[] key, bool channelAuthenticated = false)
        {
            _sink = sink;
            _entropy = entropy;
            _active.SetHostKey(key, 0);
            _pending.SetHostKey(key, 0);
            if (channelAuthenticated)
            {
                _active.UseChannelAuthentication();
                _pending.UseChannelAuthentication();
            }
            _macBytes = _active.MacBytes;
        }

        /// <summary>Routes requests with <paramref name="opcode"/> to <paramref name="handler"/> (null: Unsupported again).</summary>
        public void Register(Opcode opcode, RequestHandler handler)
        {
            if ((int)opcode > (int)Opcode.Handshake && (int)opcode < OpcodeCount)
            {
                _handlers[(int)opcode] = handler;
            }
        }

        /// <summary>The handler registered for <paramref name="opcode"/>, or null.</summary>
        public RequestHandler Handler(Opcode opcode)
        {
            return (int)opcode >= 0 && (int)opcode < OpcodeCount ? _handlers[(int)opcode] : null;
        }

        /// <summary>Frames dropped by the framing layer (bad COBS, cut off, bad CRC, oversize).</summary>
        public long BadFrames { get { return _decoder.BadFrames + _decoder.OversizeFrames; } }

        /// <summary>Frames refused with AuthFailed (no or wrong MAC, replayed, reordered, unparsable header).</summary>
        public long AuthFailures { get { return _authFailures; } }

        /// <summary>Authenticated requests executed (successfully or not).</summary>
        public long Requests { get { return _requests; } }

        public long Handshakes { get { return _handshakes; } }

        /// <summary>Responses that could not be encoded (should stay 0).</summary>
        public long SendFailures { get { return _sendFailures; } }

        /// <summary>True once a client has authenticated a frame under the current session.</summary>
        public bool HasSession { get { return _active.Established; } }

        /// <summary>Ends the session and forgets any partial frame (e.g. the TCP connection closed).</summary>
        public void ResetSession()
        {
            _active.Clear();
            _pending.Clear();
            _decoder.Reset();
        }

        public void Receive(byte value)
        {
            FrameStatus status = _decoder.Push(value);
            if (status == FrameStatus.FrameReady)
            {
                OnFrame(_decoder.Buffer, _decoder.FrameLength);
            }
        }

        public void Receive(byte[] data, int offset, int count)
        {
            while (count > 0)
            {
                int taken = ReceiveFrame(data, offset, count);
                offset += taken;
                count -= taken;
            }
        }

        /// <summary>
        /// Takes bytes up to and including the end of the first whole frame among data[offset ..+count) (and answers
        /// it); returns how many it took. A caller that must bound the answers it holds (a TCP session whose peer reads
        /// slowly) feeds one frame at a time.
        /// </summary>
        public int ReceiveFrame(byte[] data, int offset, int count)
        {
            int taken = 0;
            while (taken < count)
            {
                int consumed;
                FrameStatus status = _decoder.Feed(data, offset + taken, count - taken, out consumed);
                taken += consumed;
                if (status == FrameStatus.FrameReady)
                {
                    OnFrame(_decoder.Buffer, _decoder.FrameLength);
                    break;
                }
            }
            return taken;
        }

        private void OnFrame(byte[] frame, int length)
        {
            _reader.Reset(frame, 0, length);
            byte version;
            int opcode;
            uint requestId;
            ulong sequence;
            if (!FrameLayout.ReadHeader(_reader, out version, out opcode, out requestId, out sequence))
            {
                Refuse(0);
                return;
            }
            if (opcode == (int)Opcode.Handshake)
            {
                OnHandshake(version, requestId, frame, _reader.Position, length);
                return;
            }
            int contentLength = length - _macBytes;
            if (version != ProtocolInfo.Version || contentLength < _reader.Position)
            {
                Refuse(requestId);
                return;
            }
            // Strictly increasing per direction: a replayed or reordered frame fails here, before any MAC.
            Session session = null;
            if (_active.Established && sequence > _active.LastReceived
                && _active.CheckMac(Session.ClientToServer, sequence, frame, 0, contentLength, frame, contentLength))
            {
                session = _active;
            }
            else if (_pending.Established && sequence > _pending.LastReceived
                && _pending.CheckMac(Session.ClientToServer, sequence, frame, 0, contentLength, frame, contentLength))
            {
                // The client proved the key under the new session: it replaces the old one.
                Session old = _active;
                _active = _pending;
                _pending = old;
                _pending.Clear();
                session = _active;
            }
            if (session == null)
            {
                Refuse(requestId);
                return;
            }
            session.LastReceived = sequence;
            _requests++;
            _reader.Reset(frame, _reader.Position, contentLength - _reader.Position);
            Dispatch(session, opcode, requestId);
        }

        // ---- handshake -------------------------------------------------------------------------------------

        // Request body: client nonce (16 raw bytes).
        // Response body: error u8 | server version u8 | server nonce (16) | max content varint, then MAC
        // (direction S, sequence 0) under the new session: the server's proof that it knows the key.
        private void OnHandshake(byte version, uint requestId, byte[] frame, int bodyStart, int length)
        {
            _handshakes++;
            int nonceOffset;
            _reader.Reset(frame, bodyStart, length - bodyStart);
            if (version != ProtocolInfo.Version || !_reader.ReadRaw(ProtocolInfo.NonceBytes, out nonceOffset))
            {
                // No session can be keyed: answer unauthenticated so the client can say what went wrong.
                _writer.Reset(_response, 0, ProtocolInfo.MaxContentBytes);
                FrameLayout.WriteHeader(_writer, FrameLayout.HandshakeResponseOpcode, requestId, 0);
                _writer.WriteByte(version != ProtocolInfo.Version ? (byte)ErrorCode.Unsupported : (byte)ErrorCode.InvalidArgument);
                _writer.WriteByte(ProtocolInfo.Version);
                for (int i = 0; i < ProtocolInfo.NonceBytes + ProtocolInfo.MacBytes; i++)
                {
                    _writer.WriteByte(0);
                }
                Send(_writer.Length);
                return;
            }
            _entropy.Fill(_serverNonce, 0, ProtocolInfo.NonceBytes);
            _pending.Start(frame, nonceOffset, _serverNonce, 0);
            _writer.Reset(_response, 0, ProtocolInfo.MaxContentBytes);
            FrameLayout.WriteHeader(_writer, FrameLayout.HandshakeResponseOpcode, requestId, 0);
            _writer.WriteByte((byte)ErrorCode.Ok);
            _writer.WriteByte(ProtocolInfo.Version);
            _writer.WriteRaw(_serverNonce, 0, ProtocolInfo.NonceBytes);
            _writer.WriteVarUInt(ProtocolInfo.MaxContentBytes);
            int content = _writer.Length;
            _pending.ComputeMac(Session.ServerToClient, 0, _response, 0, content, _response, content);
            Send(content + _macBytes);
        }

        // ---- responses -------------------------------------------------------------------------------------

        private void Refuse(uint requestId)
        {
            _authFailures++;
            _writer.Reset(_response, 0, ProtocolInfo.MaxContentBytes);
            FrameLayout.WriteHeader(_writer, FrameLayout.RefusedOpcode, requestId, 0);
            _writer.WriteByte((byte)ErrorCode.AuthFailed);
            Send(_writer.Length);
        }

        private void Send(int length)
        {
            int n = _encoder.Encode(_response, 0, length);
            if (n < 0)
            {
                _sendFailures++;
                return;
            }
            _sink.Write(_encoder.Output, 0, n);
        }

        // ---- requests ---------------------------------------------------------------------------------------

        // Header and Ok status, then the handler writes the body; an error replaces the body with its status and detail.
        private void Dispatch(Session session, int opcode, uint requestId)
        {
            session.LastSent++;
            _writer.Reset(_response, 0, ProtocolInfo.MaxContentBytes);
            FrameLayout.WriteHeader(_writer, opcode | (int)Opcode.ResponseBit, requestId, session.LastSent);
            _bodyStart = _writer.Position;
            _writer.WriteByte((byte)ErrorCode.Ok);

            RequestHandler handler = opcode < OpcodeCount ? _handlers[opcode] : null;
            Reply reply = handler != null ? handler.Handle(_reader, _writer)
                : new Reply(ErrorCode.Unsupported, "this host does not support that request");
            if (!reply.IsOk)
            {
                ErrorBody(reply.Status, reply.Detail);
            }
            else if (_writer.Overflow)
            {
                ErrorBody(ErrorCode.Internal, null);
            }
            int content = _writer.Length;
            session.ComputeMac(Session.ServerToClient, session.LastSent, _response, 0, content, _response, content);
            Send(content + _macBytes);
        }

        private void ErrorBody(ErrorCode code, string detail)
        {
            _writer.Truncate(_bodyStart);
            _writer.WriteByte((byte)code);
            _writer.WriteString(detail, ProtocolInfo.MaxTextBytes);
        }
    }
}
