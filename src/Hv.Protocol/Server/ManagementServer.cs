using Hv.Protocol.Crypto;
using Hv.Protocol.Wire;

namespace Hv.Protocol.Server
{
    /// <summary>
    /// The host side of the management protocol. Feed it the bytes that arrive (<see cref="Receive(byte[], int, int)"/>
    /// or per byte); it decodes frames, authenticates them, calls <see cref="HostControl"/>, and writes the
    /// response frame to the <see cref="ByteSink"/>. One session at a time: a Handshake starts a pending session
    /// that replaces the current one when its first authenticated frame arrives (so an unauthenticated Handshake
    /// cannot cut off a working client). Refused frames execute nothing, get one uniform
    /// <see cref="ErrorCode.AuthFailed"/> refusal, and are counted. All buffers are allocated in the
    /// constructor; handling a frame allocates nothing. Never throws on any input.
    /// </summary>
    public sealed class ManagementServer
    {
        private readonly HostControl _host;
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

        private readonly HostInfoResult _hostInfo = new HostInfoResult();
        private readonly CreateVmRequest _createVm = new CreateVmRequest();
        private readonly VmDetails _vmDetails = new VmDetails();
        private readonly VmCounters _counters = new VmCounters();
        private readonly ConsoleReadResult _console = new ConsoleReadResult();
        private readonly VmListWriter _vmList = new VmListWriter();
        private readonly TemplateListWriter _templateList = new TemplateListWriter();

        private Session _responseSession;
        private int _responseOpcode;
        private uint _responseRequestId;
        private int _bodyStart;

        private long _authFailures;
        private long _requests;
        private long _handshakes;
        private long _sendFailures;

        /// <param name="key">The 32-byte host key (copied into the MAC state; the array may be wiped after).</param>
        public ManagementServer(HostControl host, ByteSink sink, EntropySource entropy, byte[] key)
        {
            _host = host;
            _sink = sink;
            _entropy = entropy;
            _active.SetHostKey(key, 0);
            _pending.SetHostKey(key, 0);
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
            int end = offset + count;
            while (offset < end)
            {
                int consumed;
                FrameStatus status = _decoder.Feed(data, offset, end - offset, out consumed);
                offset += consumed;
                if (status == FrameStatus.FrameReady)
                {
                    OnFrame(_decoder.Buffer, _decoder.FrameLength);
                }
            }
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
            int contentLength = length - ProtocolInfo.MacBytes;
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
            Send(content + ProtocolInfo.MacBytes);
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

        /// <summary>Starts an Ok response (header + status byte); the body follows in _writer.</summary>
        private void BeginResponse(Session session, int opcode, uint requestId)
        {
            _responseSession = session;
            _responseOpcode = opcode | (int)Opcode.ResponseBit;
            _responseRequestId = requestId;
            session.LastSent++;
            _writer.Reset(_response, 0, ProtocolInfo.MaxContentBytes);
            FrameLayout.WriteHeader(_writer, _responseOpcode, requestId, session.LastSent);
            _bodyStart = _writer.Position;
            _writer.WriteByte((byte)ErrorCode.Ok);
        }

        /// <summary>Replaces whatever body was written with an error status and the host's detail text.</summary>
        private void ErrorBody(ErrorCode code)
        {
            string detail = _host.TakeErrorDetail();
            if (code == ErrorCode.Ok)
            {
                code = ErrorCode.Internal;
            }
            _writer.Truncate(_bodyStart);
            _writer.WriteByte((byte)code);
            _writer.WriteString(detail, ProtocolInfo.MaxTextBytes);
        }

        private void SendResponse()
        {
            if (_writer.Overflow)
            {
                ErrorBody(ErrorCode.Internal);
            }
            int content = _writer.Length;
            _responseSession.ComputeMac(Session.ServerToClient, _responseSession.LastSent, _response, 0, content, _response, content);
            Send(content + ProtocolInfo.MacBytes);
        }

        private void SendStatus(ErrorCode code)
        {
            if (code != ErrorCode.Ok)
            {
                ErrorBody(code);
            }
            else
            {
                _host.TakeErrorDetail();
            }
            SendResponse();
        }

        private ErrorCode BadRequest()
        {
            return _reader.Status == ReadStatus.TooLarge ? ErrorCode.TooLarge : ErrorCode.InvalidArgument;
        }

        // ---- operations ------------------------------------------------------------------------------------

        private void Dispatch(Session session, int opcode, uint requestId)
        {
            BeginResponse(session, opcode, requestId);
            switch (opcode)
            {
                case (int)Opcode.HostInfo:
                    DoHostInfo();
                    break;
                case (int)Opcode.ListTemplates:
                    DoListTemplates();
                    break;
                case (int)Opcode.CreateVm:
                    DoCreateVm();
                    break;
                case (int)Opcode.StartVm:
                case (int)Opcode.PauseVm:
                case (int)Opcode.ResumeVm:
                case (int)Opcode.RemoveVm:
                    DoSimple(opcode);
                    break;
                case (int)Opcode.StopVm:
                    DoStopVm();
                    break;
                case (int)Opcode.ListVms:
                    DoListVms();
                    break;
                case (int)Opcode.GetVm:
                    DoGetVm();
                    break;
                case (int)Opcode.ReadConsole:
                    DoReadConsole();
                    break;
                case (int)Opcode.WriteConsole:
                    DoWriteConsole();
                    break;
                case (int)Opcode.GetMetrics:
                    DoGetMetrics();
                    break;
                default:
                    SendStatus(ErrorCode.Unsupported);
                    break;
            }
        }

        // Response: version str | cpu features varint | feature names str | memory total varint |
        // memory free varint | uptime ms varint | VM count varint.
        private void DoHostInfo()
        {
            _hostInfo.Clear();
            ErrorCode code = _host.GetHostInfo(_hostInfo);
            if (code != ErrorCode.Ok)
            {
                SendStatus(code);
                return;
            }
            _hostInfo.UptimeMs = _host.UptimeMilliseconds();
            _writer.WriteString(_hostInfo.Version, ProtocolInfo.MaxTextBytes);
            _writer.WriteVarUInt(_hostInfo.CpuFeatures);
            _writer.WriteString(_hostInfo.CpuFeatureNames, ProtocolInfo.MaxTextBytes);
            _writer.WriteVarUInt(_hostInfo.MemoryTotalBytes);
            _writer.WriteVarUInt(_hostInfo.MemoryFreeBytes);
            _writer.WriteVarUInt(_hostInfo.UptimeMs);
            _writer.WriteVarUInt(_hostInfo.VmCount);
            SendStatus(ErrorCode.Ok);
        }

        // Response: count u16 | entries (see TemplateListWriter) | truncated u8.
        private void DoListTemplates()
        {
            _templateList.Begin(_writer, 1);
            ErrorCode code = _host.ListTemplates(_templateList);
            if (code == ErrorCode.Ok)
            {
                _templateList.End();
            }
            SendStatus(code);
        }

        // Request: template str | name str | memory MiB varint | vCPUs varint. Response: VM id varint.
        private void DoCreateVm()
        {
            _createVm.Clear();
            if (!_reader.ReadField(_createVm.Template, ProtocolInfo.MaxNameBytes)
                || !_reader.ReadField(_createVm.Name, ProtocolInfo.MaxNameBytes)
                || !_reader.ReadVarUInt32(out _createVm.MemoryMiB)
                || !_reader.ReadVarUInt32(out _createVm.Vcpus))
            {
                SendStatus(BadRequest());
                return;
            }
            if (_createVm.Template.Length == 0 || _createVm.Name.Length == 0
                || !_createVm.Template.IsCleanText() || !_createVm.Name.IsCleanText())
            {
                SendStatus(ErrorCode.InvalidArgument);
                return;
            }
            uint id;
            ErrorCode code = _host.CreateVm(_createVm, out id);
            if (code == ErrorCode.Ok)
            {
                _writer.WriteVarUInt(id);
            }
            SendStatus(code);
        }

        // Request: VM id varint.
        private void DoSimple(int opcode)
        {
            uint id;
            if (!_reader.ReadVarUInt32(out id))
            {
                SendStatus(BadRequest());
                return;
            }
            ErrorCode code;
            if (opcode == (int)Opcode.StartVm)
            {
                code = _host.StartVm(id);
            }
            else if (opcode == (int)Opcode.PauseVm)
            {
                code = _host.PauseVm(id);
            }
            else if (opcode == (int)Opcode.ResumeVm)
            {
                code = _host.ResumeVm(id);
            }
            else
            {
                code = _host.RemoveVm(id);
            }
            SendStatus(code);
        }

        // Request: VM id varint | flags u8 (bit 0 = force) | graceful timeout ms varint.
        private void DoStopVm()
        {
            uint id;
            byte flags;
            uint timeout;
            if (!_reader.ReadVarUInt32(out id) || !_reader.ReadByte(out flags) || !_reader.ReadVarUInt32(out timeout))
            {
                SendStatus(BadRequest());
                return;
            }
            SendStatus(_host.StopVm(id, (flags & 1) != 0, timeout));
        }

        // Request: from id varint. Response: count u16 | entries (see VmListWriter) | next id varint (0 = done).
        private void DoListVms()
        {
            uint fromId;
            if (!_reader.ReadVarUInt32(out fromId))
            {
                SendStatus(BadRequest());
                return;
            }
            _vmList.Begin(_writer, 5);
            ErrorCode code = _host.ListVms(fromId, _vmList);
            if (code == ErrorCode.Ok)
            {
                _vmList.End();
            }
            SendStatus(code);
        }

        // Request: VM id. Response: id | name | state u8 | stop reason u8 | stop detail str | exit code
        // (zigzag varint) | memory MiB | vCPUs | template str | counters block.
        private void DoGetVm()
        {
            uint id;
            if (!_reader.ReadVarUInt32(out id))
            {
                SendStatus(BadRequest());
                return;
            }
            _vmDetails.Clear();
            ErrorCode code = _host.GetVm(id, _vmDetails);
            if (code == ErrorCode.Ok)
            {
                _writer.WriteVarUInt(_vmDetails.Id);
                _writer.WriteString(_vmDetails.Name, ProtocolInfo.MaxNameBytes);
                _writer.WriteByte((byte)_vmDetails.State);
                _writer.WriteByte((byte)_vmDetails.StopReason);
                _writer.WriteString(_vmDetails.StopDetail, ProtocolInfo.MaxTextBytes);
                _writer.WriteVarInt(_vmDetails.ExitCode);
                _writer.WriteVarUInt(_vmDetails.MemoryMiB);
                _writer.WriteVarUInt(_vmDetails.Vcpus);
                _writer.WriteString(_vmDetails.Template, ProtocolInfo.MaxNameBytes);
                _vmDetails.Counters.WriteTo(_writer);
            }
            SendStatus(code);
        }

        // Request: VM id | from offset varint | max bytes varint (0 or over the limit = the limit).
        // Response: next offset varint | flags u8 (bit 0 = dropped) | data block.
        private void DoReadConsole()
        {
            uint id;
            ulong from;
            uint max;
            if (!_reader.ReadVarUInt32(out id) || !_reader.ReadVarUInt(out from) || !_reader.ReadVarUInt32(out max))
            {
                SendStatus(BadRequest());
                return;
            }
            int maxBytes = max == 0 || max > ProtocolInfo.MaxConsoleChunk ? ProtocolInfo.MaxConsoleChunk : (int)max;
            _console.Clear();
            ErrorCode code = _host.ReadConsole(id, from, maxBytes, _console);
            if (code == ErrorCode.Ok)
            {
                int count = _console.Count;
                if (count < 0)
                {
                    count = 0;
                }
                if (count > maxBytes)
                {
                    count = maxBytes;
                }
                _writer.WriteVarUInt(_console.NextOffset);
                _writer.WriteByte(_console.Dropped ? (byte)1 : (byte)0);
                _writer.WriteBlock(_console.Data, 0, count);
            }
            SendStatus(code);
        }

        // Request: VM id | data block (≤ MaxConsoleChunk). Response: accepted varint.
        private void DoWriteConsole()
        {
            uint id;
            int offset;
            int count;
            if (!_reader.ReadVarUInt32(out id) || !_reader.ReadBlock(ProtocolInfo.MaxConsoleChunk, out offset, out count))
            {
                SendStatus(BadRequest());
                return;
            }
            int accepted;
            ErrorCode code = _host.WriteConsole(id, _reader.Buffer, offset, count, out accepted);
            if (code == ErrorCode.Ok)
            {
                if (accepted < 0)
                {
                    accepted = 0;
                }
                if (accepted > count)
                {
                    accepted = count;
                }
                _writer.WriteVarUInt((ulong)accepted);
            }
            SendStatus(code);
        }

        // Request: VM id. Response: counters block.
        private void DoGetMetrics()
        {
            uint id;
            if (!_reader.ReadVarUInt32(out id))
            {
                SendStatus(BadRequest());
                return;
            }
            _counters.Clear();
            ErrorCode code = _host.GetMetrics(id, _counters);
            if (code == ErrorCode.Ok)
            {
                _counters.WriteTo(_writer);
            }
            SendStatus(code);
        }
    }
}
