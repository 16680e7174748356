using Hv.Crypto;
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
        private readonly SnapshotListWriter _snapshotList = new SnapshotListWriter();
        private readonly VmIdList _ids = new VmIdList();
        private readonly Utf8Field _name = new Utf8Field(ProtocolInfo.MaxNameBytes);
        private readonly TemplateUploadRequest _upload = new TemplateUploadRequest();
        private readonly ExportChunk _export = new ExportChunk();

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
                case (int)Opcode.CreateVms:
                    DoCreateVms();
                    break;
                case (int)Opcode.ForkVm:
                case (int)Opcode.CheckpointVm:
                    DoIdAndName(opcode);
                    break;
                case (int)Opcode.ListSnapshots:
                    DoListSnapshots();
                    break;
                case (int)Opcode.RestoreSnapshot:
                case (int)Opcode.RemoveSnapshot:
                    DoSnapshot(opcode);
                    break;
                case (int)Opcode.BeginTemplateUpload:
                    DoBeginTemplateUpload();
                    break;
                case (int)Opcode.UploadTemplateChunk:
                case (int)Opcode.WriteImport:
                    DoWriteChunk(opcode);
                    break;
                case (int)Opcode.CommitTemplateUpload:
                case (int)Opcode.EndExport:
                case (int)Opcode.AbortImport:
                    DoTransferId(opcode);
                    break;
                case (int)Opcode.RemoveTemplate:
                    DoRemoveTemplate();
                    break;
                case (int)Opcode.BeginExport:
                    DoBeginExport();
                    break;
                case (int)Opcode.ReadExport:
                    DoReadExport();
                    break;
                case (int)Opcode.BeginImport:
                    DoBeginImport();
                    break;
                case (int)Opcode.CommitImport:
                    DoCommitImport();
                    break;
                default:
                    SendStatus(ErrorCode.Unsupported);
                    break;
            }
        }

        // Response: version str | cpu features varint | feature names str | memory total varint |
        // memory free varint | uptime ms varint | VM count varint | memory shared varint (appended).
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
            _writer.WriteVarUInt(_hostInfo.MemorySharedBytes);
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

        // ---- templates, clones, snapshots, transfers -------------------------------------------------------

        /// <summary>A name field that is present, 1..64 bytes, clean UTF-8 (empty allowed with <paramref name="allowEmpty"/>).</summary>
        private static bool GoodName(Utf8Field name, bool allowEmpty)
        {
            return (allowEmpty || name.Length > 0) && name.IsCleanText();
        }

        // Request: template str | base name str | memory MiB varint | vCPUs varint | count varint (1..MaxVmsPerCreate).
        // Response: count varint | count × VM id varint, in name order (base-1 .. base-count).
        private void DoCreateVms()
        {
            _createVm.Clear();
            uint count;
            if (!_reader.ReadField(_createVm.Template, ProtocolInfo.MaxNameBytes)
                || !_reader.ReadField(_createVm.Name, ProtocolInfo.MaxNameBytes)
                || !_reader.ReadVarUInt32(out _createVm.MemoryMiB)
                || !_reader.ReadVarUInt32(out _createVm.Vcpus)
                || !_reader.ReadVarUInt32(out count))
            {
                SendStatus(BadRequest());
                return;
            }
            if (!GoodName(_createVm.Template, false) || !GoodName(_createVm.Name, false) || count == 0)
            {
                SendStatus(ErrorCode.InvalidArgument);
                return;
            }
            if (count > ProtocolInfo.MaxVmsPerCreate
                || _createVm.Name.Length + VmNames.SuffixBytes(count) > ProtocolInfo.MaxNameBytes)
            {
                SendStatus(ErrorCode.TooLarge);
                return;
            }
            _ids.Clear();
            ErrorCode code = _host.CreateVms(_createVm, count, _ids);
            if (code == ErrorCode.Ok)
            {
                _writer.WriteVarUInt((ulong)_ids.Count);
                for (int i = 0; i < _ids.Count; i++)
                {
                    _writer.WriteVarUInt(_ids.Get(i));
                }
            }
            SendStatus(code);
        }

        // ForkVm, CheckpointVm. Request: VM id varint | name str. Response: new VM id / snapshot id varint.
        private void DoIdAndName(int opcode)
        {
            uint id;
            if (!_reader.ReadVarUInt32(out id) || !_reader.ReadField(_name, ProtocolInfo.MaxNameBytes))
            {
                SendStatus(BadRequest());
                return;
            }
            if (!GoodName(_name, false))
            {
                SendStatus(ErrorCode.InvalidArgument);
                return;
            }
            uint result;
            ErrorCode code = opcode == (int)Opcode.ForkVm ? _host.ForkVm(id, _name, out result) : _host.CheckpointVm(id, _name, out result);
            if (code == ErrorCode.Ok)
            {
                _writer.WriteVarUInt(result);
            }
            SendStatus(code);
        }

        // Request: VM id varint | from snapshot id varint (0 = start).
        // Response: host uptime ms varint | count u16 | entries (see SnapshotListWriter) | next id varint (0 = done).
        private void DoListSnapshots()
        {
            uint id;
            uint fromId;
            if (!_reader.ReadVarUInt32(out id) || !_reader.ReadVarUInt32(out fromId))
            {
                SendStatus(BadRequest());
                return;
            }
            _writer.WriteVarUInt(_host.UptimeMilliseconds());
            _snapshotList.Begin(_writer, 5);
            ErrorCode code = _host.ListSnapshots(id, fromId, _snapshotList);
            if (code == ErrorCode.Ok)
            {
                _snapshotList.End();
            }
            SendStatus(code);
        }

        // RestoreSnapshot, RemoveSnapshot. Request: VM id varint | snapshot id varint.
        private void DoSnapshot(int opcode)
        {
            uint id;
            uint snapshot;
            if (!_reader.ReadVarUInt32(out id) || !_reader.ReadVarUInt32(out snapshot))
            {
                SendStatus(BadRequest());
                return;
            }
            SendStatus(opcode == (int)Opcode.RestoreSnapshot ? _host.RestoreSnapshot(id, snapshot) : _host.RemoveSnapshot(id, snapshot));
        }

        // Request: name str | entry mode u8 | memory MiB varint | total bytes varint | SHA-256 (32 raw bytes) |
        // command line str (≤ MaxCommandLineBytes). Response: upload id varint | next offset varint.
        private void DoBeginTemplateUpload()
        {
            _upload.Clear();
            byte mode;
            int digest;
            if (!_reader.ReadField(_upload.Name, ProtocolInfo.MaxNameBytes)
                || !_reader.ReadByte(out mode)
                || !_reader.ReadVarUInt32(out _upload.MemoryMiB)
                || !_reader.ReadVarUInt(out _upload.TotalBytes)
                || !_reader.ReadRaw(ProtocolInfo.Sha256Bytes, out digest)
                || !_reader.ReadField(_upload.CommandLine, ProtocolInfo.MaxCommandLineBytes))
            {
                SendStatus(BadRequest());
                return;
            }
            if (!GoodName(_upload.Name, false) || !_upload.CommandLine.IsCleanText() || mode > (byte)GuestEntryMode.Multiboot
                || _upload.TotalBytes == 0)
            {
                SendStatus(ErrorCode.InvalidArgument);
                return;
            }
            if (_upload.TotalBytes > ProtocolInfo.MaxTransferBytes)
            {
                SendStatus(ErrorCode.TooLarge);
                return;
            }
            _upload.EntryMode = (GuestEntryMode)mode;
            byte[] frame = _reader.Buffer;
            for (int i = 0; i < ProtocolInfo.Sha256Bytes; i++)
            {
                _upload.Sha256[i] = frame[digest + i];
            }
            uint uploadId;
            ulong next;
            ErrorCode code = _host.BeginTemplateUpload(_upload, out uploadId, out next);
            if (code == ErrorCode.Ok)
            {
                _writer.WriteVarUInt(uploadId);
                _writer.WriteVarUInt(next);
            }
            SendStatus(code);
        }

        // UploadTemplateChunk, WriteImport. Request: transfer id varint | offset varint | data block (≤ MaxTransferChunk).
        // Response: next offset varint (the offset the host wants next).
        private void DoWriteChunk(int opcode)
        {
            uint id;
            ulong offset;
            int dataOffset;
            int count;
            if (!_reader.ReadVarUInt32(out id) || !_reader.ReadVarUInt(out offset)
                || !_reader.ReadBlock(ProtocolInfo.MaxTransferChunk, out dataOffset, out count))
            {
                SendStatus(BadRequest());
                return;
            }
            if (offset > ProtocolInfo.MaxTransferBytes)
            {
                SendStatus(ErrorCode.TooLarge);
                return;
            }
            ulong next;
            ErrorCode code = opcode == (int)Opcode.UploadTemplateChunk
                ? _host.UploadTemplateChunk(id, offset, _reader.Buffer, dataOffset, count, out next)
                : _host.WriteImport(id, offset, _reader.Buffer, dataOffset, count, out next);
            if (code == ErrorCode.Ok)
            {
                _writer.WriteVarUInt(next);
            }
            SendStatus(code);
        }

        // CommitTemplateUpload, EndExport, AbortImport. Request: transfer id varint.
        private void DoTransferId(int opcode)
        {
            uint id;
            if (!_reader.ReadVarUInt32(out id))
            {
                SendStatus(BadRequest());
                return;
            }
            ErrorCode code;
            if (opcode == (int)Opcode.CommitTemplateUpload)
            {
                code = _host.CommitTemplateUpload(id);
            }
            else if (opcode == (int)Opcode.EndExport)
            {
                code = _host.EndExport(id);
            }
            else
            {
                code = _host.AbortImport(id);
            }
            SendStatus(code);
        }

        // Request: name str.
        private void DoRemoveTemplate()
        {
            if (!_reader.ReadField(_name, ProtocolInfo.MaxNameBytes))
            {
                SendStatus(BadRequest());
                return;
            }
            if (!GoodName(_name, false))
            {
                SendStatus(ErrorCode.InvalidArgument);
                return;
            }
            SendStatus(_host.RemoveTemplate(_name));
        }

        // Request: VM id varint. Response: export id varint | total bytes varint.
        private void DoBeginExport()
        {
            uint id;
            if (!_reader.ReadVarUInt32(out id))
            {
                SendStatus(BadRequest());
                return;
            }
            uint exportId;
            ulong total;
            ErrorCode code = _host.BeginExport(id, out exportId, out total);
            if (code == ErrorCode.Ok)
            {
                _writer.WriteVarUInt(exportId);
                _writer.WriteVarUInt(total);
            }
            SendStatus(code);
        }

        // Request: export id varint | offset varint | max bytes varint (0 or over the limit = MaxTransferChunk).
        // Response: data block (empty at the end).
        private void DoReadExport()
        {
            uint id;
            ulong offset;
            uint max;
            if (!_reader.ReadVarUInt32(out id) || !_reader.ReadVarUInt(out offset) || !_reader.ReadVarUInt32(out max))
            {
                SendStatus(BadRequest());
                return;
            }
            int maxBytes = max == 0 || max > ProtocolInfo.MaxTransferChunk ? ProtocolInfo.MaxTransferChunk : (int)max;
            _export.Clear();
            ErrorCode code = _host.ReadExport(id, offset, maxBytes, _export);
            if (code == ErrorCode.Ok)
            {
                int count = _export.Count;
                if (count < 0)
                {
                    count = 0;
                }
                if (count > maxBytes)
                {
                    count = maxBytes;
                }
                _writer.WriteBlock(_export.Data, 0, count);
            }
            SendStatus(code);
        }

        // Request: name str (empty = the name recorded in the image) | total bytes varint. Response: import id varint.
        private void DoBeginImport()
        {
            ulong total;
            if (!_reader.ReadField(_name, ProtocolInfo.MaxNameBytes) || !_reader.ReadVarUInt(out total))
            {
                SendStatus(BadRequest());
                return;
            }
            if (!GoodName(_name, true) || total == 0)
            {
                SendStatus(ErrorCode.InvalidArgument);
                return;
            }
            if (total > ProtocolInfo.MaxTransferBytes)
            {
                SendStatus(ErrorCode.TooLarge);
                return;
            }
            uint importId;
            ErrorCode code = _host.BeginImport(_name, total, out importId);
            if (code == ErrorCode.Ok)
            {
                _writer.WriteVarUInt(importId);
            }
            SendStatus(code);
        }

        // Request: import id varint. Response: VM id varint.
        private void DoCommitImport()
        {
            uint id;
            if (!_reader.ReadVarUInt32(out id))
            {
                SendStatus(BadRequest());
                return;
            }
            uint vmId;
            ErrorCode code = _host.CommitImport(id, out vmId);
            if (code == ErrorCode.Ok)
            {
                _writer.WriteVarUInt(vmId);
            }
            SendStatus(code);
        }
    }
}
