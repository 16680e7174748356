using System;
using System.Collections.Generic;
using System.Diagnostics;
using System.Security.Cryptography;
using System.Threading;
using Hv.Crypto;
using Hv.Protocol.Wire;

namespace Hv.Protocol.Client
{
    /// <summary>
    /// The management client: one authenticated session over one <see cref="HvTransport"/>. Thread-safe: calls
    /// are serialised (one request in flight per connection). Every call has a timeout (the
    /// <c>timeoutMs</c> argument, or <see cref="DefaultTimeoutMs"/> when 0). Errors the host reports raise
    /// <see cref="HvProtocolException"/>; transport failures and timeouts raise <see cref="HvConnectionException"/>
    /// (after a timeout the session stays usable: a late answer is recognised and skipped).
    /// </summary>
    public sealed partial class HvClient : IDisposable
    {
        private readonly HvTransport _transport;
        private readonly byte[] _key = new byte[HostKey.Bytes];
        private readonly SemaphoreSlim _gate = new SemaphoreSlim(1, 1);
        private readonly Session _session = new Session();
        private readonly FrameDecoder _decoder = new FrameDecoder(ProtocolInfo.MaxFrameBytes);
        private readonly FrameEncoder _encoder = new FrameEncoder(ProtocolInfo.MaxFrameBytes);
        private readonly byte[] _request = new byte[ProtocolInfo.MaxContentBytes + ProtocolInfo.MacBytes];
        private readonly MessageWriter _writer = new MessageWriter();
        private readonly MessageReader _reader = new MessageReader();
        private readonly byte[] _rx = new byte[4096];
        private int _rxPos;
        private int _rxLen;
        private uint _lastRequestId;
        private bool _connected;
        private bool _disposed;
        private long _ignoredFrames;

        private HvClient(HvTransport transport, byte[] key)
        {
            _transport = transport ?? throw new ArgumentNullException(nameof(transport));
            if (key == null)
            {
                throw new ArgumentNullException(nameof(key));
            }
            if (key.Length != HostKey.Bytes)
            {
                throw new ArgumentException("The host key must be " + HostKey.Bytes + " bytes.", nameof(key));
            }
            Buffer.BlockCopy(key, 0, _key, 0, key.Length);
            _session.SetHostKey(_key, 0);
        }

        /// <summary>Opens the transport if needed and performs the handshake.</summary>
        public static HvClient Connect(HvTransport transport, byte[] key, int timeoutMs = 10000)
        {
            HvClient client = new HvClient(transport, key);
            if (timeoutMs > 0)
            {
                client.DefaultTimeoutMs = timeoutMs;
            }
            try
            {
                client.Reconnect(timeoutMs);
            }
            catch
            {
                client.Dispose();
                throw;
            }
            return client;
        }

        /// <summary>As <see cref="Connect(HvTransport, byte[], int)"/> with the key as 64 hex digits (separators allowed).</summary>
        public static HvClient Connect(HvTransport transport, string key, int timeoutMs = 10000)
        {
            return Connect(transport, ParseKey(key), timeoutMs);
        }

        /// <summary>Parses a host key printed by the image ("xxxxxxxx-xxxxxxxx-...", or 64 plain hex digits).</summary>
        public static byte[] ParseKey(string text)
        {
            byte[] key = new byte[HostKey.Bytes];
            if (!HostKey.TryParse(text, key))
            {
                throw new ArgumentException("A host key is 64 hex digits (32 bytes), optionally grouped with '-'.", nameof(text));
            }
            return key;
        }

        /// <summary>Formats a key the way the image prints it.</summary>
        public static string FormatKey(byte[] key)
        {
            if (key == null || key.Length != HostKey.Bytes)
            {
                throw new ArgumentException("A host key is 32 bytes.", nameof(key));
            }
            char[] chars = new char[HostKey.FormattedChars];
            HostKey.Format(key, chars, 0);
            return new string(chars);
        }

        /// <summary>A new random 32-byte key.</summary>
        public static byte[] GenerateKey()
        {
            byte[] key = new byte[HostKey.Bytes];
            using (RandomNumberGenerator rng = RandomNumberGenerator.Create())
            {
                rng.GetBytes(key);
            }
            return key;
        }

        public HvTransport Transport => _transport;

        /// <summary>Timeout of calls that pass 0 (ms).</summary>
        public int DefaultTimeoutMs { get; set; } = 10000;

        public bool IsConnected => _connected && !_disposed && _transport.IsOpen;

        /// <summary>The host's protocol version (from the handshake).</summary>
        public int ServerProtocolVersion { get; private set; }

        /// <summary>The host's largest message content (from the handshake).</summary>
        public int ServerMaxContentBytes { get; private set; }

        /// <summary>Frames received and skipped: bad CRC, not authenticated, stale answers to timed-out calls.</summary>
        public long IgnoredFrames => Interlocked.Read(ref _ignoredFrames) + _decoder.BadFrames + _decoder.OversizeFrames;

        /// <summary>Closes and reopens the transport and performs a new handshake.</summary>
        public void Reconnect(int timeoutMs = 0)
        {
            long deadline = Enter(timeoutMs);
            try
            {
                _connected = false;
                _transport.Close();
                _transport.Open();
                _decoder.Reset();
                _rxPos = 0;
                _rxLen = 0;
                Handshake(deadline, timeoutMs);
                _connected = true;
            }
            finally
            {
                _gate.Release();
            }
        }

        public void Dispose()
        {
            if (_disposed)
            {
                return;
            }
            _disposed = true;
            _connected = false;
            _transport.Dispose();
            _session.Clear();
            Array.Clear(_key, 0, _key.Length);
        }

        // ---- operations ------------------------------------------------------------------------------------

        public HostInfo GetHostInfo(int timeoutMs = 0)
        {
            return Call(Opcode.HostInfo, timeoutMs, w => { }, r =>
            {
                HostInfo info = new HostInfo { ProtocolVersion = ServerProtocolVersion };
                string version;
                string names;
                ulong features;
                ulong total;
                ulong free;
                ulong uptime;
                uint count;
                if (!(r.ReadString(ProtocolInfo.MaxTextBytes, out version) && r.ReadVarUInt(out features)
                    && r.ReadString(ProtocolInfo.MaxTextBytes, out names) && r.ReadVarUInt(out total)
                    && r.ReadVarUInt(out free) && r.ReadVarUInt(out uptime) && r.ReadVarUInt32(out count)))
                {
                    throw Malformed(Opcode.HostInfo);
                }
                info.Version = version;
                info.CpuFeatures = features;
                info.CpuFeatureNames = names;
                info.MemoryTotalBytes = total;
                info.MemoryFreeBytes = free;
                info.UptimeMs = uptime;
                info.VmCount = count;
                ulong shared;
                if (r.Remaining > 0)
                {
                    if (!r.ReadVarUInt(out shared))
                    {
                        throw Malformed(Opcode.HostInfo);
                    }
                    info.MemorySharedBytes = shared;
                }
                return info;
            });
        }

        public TemplateInfo[] ListTemplates(int timeoutMs = 0)
        {
            return Call(Opcode.ListTemplates, timeoutMs, w => { }, r =>
            {
                ushort count;
                if (!(r.ReadUInt16(out count)))
                {
                    throw Malformed(Opcode.ListTemplates);
                }
                TemplateInfo[] list = new TemplateInfo[count];
                for (int i = 0; i < count; i++)
                {
                    string name;
                    string mode;
                    uint memory;
                    uint vcpus;
                    if (!(r.ReadString(ProtocolInfo.MaxNameBytes, out name) && r.ReadVarUInt32(out memory)
                        && r.ReadVarUInt32(out vcpus) && r.ReadString(ProtocolInfo.MaxNameBytes, out mode)))
                    {
                        throw Malformed(Opcode.ListTemplates);
                    }
                    list[i] = new TemplateInfo { Name = name, MemoryMiB = memory, Vcpus = vcpus, EntryMode = mode };
                }
                bool truncated;
                if (r.Remaining > 0 && !r.ReadBool(out truncated))
                {
                    throw Malformed(Opcode.ListTemplates);
                }
                ReadExtensions(r, Opcode.ListTemplates, list.Length, (i, e) =>
                {
                    ulong flags;
                    if (e.Remaining > 0 && e.ReadVarUInt(out flags))
                    {
                        list[i].Flags = flags;
                    }
                });
                return list;
            });
        }

        /// <summary>Creates a VM; <paramref name="memoryMiB"/> / <paramref name="vcpus"/> of 0 take the template's. Returns its id.</summary>
        public uint CreateVm(string template, string name, uint memoryMiB = 0, uint vcpus = 0, int timeoutMs = 0)
        {
            CheckName(template, nameof(template));
            CheckName(name, nameof(name));
            return Call(Opcode.CreateVm, timeoutMs, w =>
            {
                w.WriteString(template, ProtocolInfo.MaxNameBytes);
                w.WriteString(name, ProtocolInfo.MaxNameBytes);
                w.WriteVarUInt(memoryMiB);
                w.WriteVarUInt(vcpus);
            }, r =>
            {
                uint id;
                if (!(r.ReadVarUInt32(out id)))
                {
                    throw Malformed(Opcode.CreateVm);
                }
                return id;
            });
        }

        public void StartVm(uint id, int timeoutMs = 0) => Simple(Opcode.StartVm, id, timeoutMs);

        /// <summary>
        /// Stops a VM: gracefully with up to <paramref name="gracefulTimeoutMs"/> for the guest, or at once
        /// with <paramref name="force"/>. The call's own timeout is extended by the graceful timeout.
        /// </summary>
        public void StopVm(uint id, bool force = false, uint gracefulTimeoutMs = 0, int timeoutMs = 0)
        {
            int effective = timeoutMs > 0 ? timeoutMs : DefaultTimeoutMs;
            long extended = (long)effective + gracefulTimeoutMs;
            effective = extended > int.MaxValue ? int.MaxValue : (int)extended;
            Call(Opcode.StopVm, effective, w =>
            {
                w.WriteVarUInt(id);
                w.WriteByte(force ? (byte)1 : (byte)0);
                w.WriteVarUInt(gracefulTimeoutMs);
            }, r => 0);
        }

        public void PauseVm(uint id, int timeoutMs = 0) => Simple(Opcode.PauseVm, id, timeoutMs);

        public void ResumeVm(uint id, int timeoutMs = 0) => Simple(Opcode.ResumeVm, id, timeoutMs);

        public void RemoveVm(uint id, int timeoutMs = 0) => Simple(Opcode.RemoveVm, id, timeoutMs);

        /// <summary>All VMs (summary fields only), in id order. Large lists take several round trips.</summary>
        public VmInfo[] ListVms(int timeoutMs = 0)
        {
            List<VmInfo> all = new List<VmInfo>();
            uint from = 0;
            for (int page = 0; page < 100000; page++)
            {
                uint pageFrom = from;
                uint next = 0;
                int added = Call(Opcode.ListVms, timeoutMs, w => w.WriteVarUInt(pageFrom), r =>
                {
                    ushort count;
                    if (!(r.ReadUInt16(out count)))
                    {
                        throw Malformed(Opcode.ListVms);
                    }
                    int first = all.Count;
                    for (int i = 0; i < count; i++)
                    {
                        all.Add(ReadVmSummary(r));
                    }
                    if (!(r.ReadVarUInt32(out next)))
                    {
                        throw Malformed(Opcode.ListVms);
                    }
                    ReadExtensions(r, Opcode.ListVms, count, (i, e) =>
                    {
                        ulong priv;
                        ulong shared;
                        if (e.Remaining > 0 && e.ReadVarUInt(out priv) && e.ReadVarUInt(out shared))
                        {
                            all[first + i].PrivatePages = priv;
                            all[first + i].SharedPages = shared;
                        }
                    });
                    return (int)count;
                });
                if (next == 0)
                {
                    return all.ToArray();
                }
                if (added == 0 && next <= pageFrom)
                {
                    throw new HvProtocolException(ErrorCode.Internal, Opcode.ListVms, "ListVms failed: the host's VM list did not advance (page from id " + pageFrom + ").");
                }
                from = next;
            }
            throw new HvProtocolException(ErrorCode.Internal, Opcode.ListVms, "ListVms failed: too many pages.");
        }

        public VmInfo GetVm(uint id, int timeoutMs = 0)
        {
            return Call(Opcode.GetVm, timeoutMs, w => w.WriteVarUInt(id), r =>
            {
                uint vmId;
                string name;
                byte state;
                byte reason;
                string detail;
                int exitCode;
                uint memory;
                uint vcpus;
                string template;
                if (!(r.ReadVarUInt32(out vmId) && r.ReadString(ProtocolInfo.MaxNameBytes, out name) && r.ReadByte(out state)
                    && r.ReadByte(out reason) && r.ReadString(ProtocolInfo.MaxTextBytes, out detail) && r.ReadVarInt32(out exitCode)
                    && r.ReadVarUInt32(out memory) && r.ReadVarUInt32(out vcpus) && r.ReadString(ProtocolInfo.MaxNameBytes, out template)))
                {
                    throw Malformed(Opcode.GetVm);
                }
                VmMetrics metrics = ReadCounters(r, Opcode.GetVm);
                return new VmInfo
                {
                    Id = vmId,
                    Name = name,
                    State = (VmState)state,
                    StopReason = (StopReason)reason,
                    StopDetail = detail,
                    ExitCode = exitCode,
                    MemoryMiB = memory,
                    Vcpus = vcpus,
                    Template = template,
                    Metrics = metrics,
                    IsSummary = false,
                    PrivatePages = metrics.PrivatePages,
                    SharedPages = metrics.SharedPages,
                };
            });
        }

        /// <summary>
        /// Console output from stream offset <paramref name="fromOffset"/>, at most <paramref name="maxBytes"/>
        /// (≤ <see cref="ProtocolInfo.MaxConsoleChunk"/>). Pass the result's NextOffset to the next call.
        /// </summary>
        public ConsoleChunk ReadConsole(uint id, ulong fromOffset, int maxBytes = ProtocolInfo.MaxConsoleChunk, int timeoutMs = 0)
        {
            if (maxBytes <= 0 || maxBytes > ProtocolInfo.MaxConsoleChunk)
            {
                maxBytes = ProtocolInfo.MaxConsoleChunk;
            }
            return Call(Opcode.ReadConsole, timeoutMs, w =>
            {
                w.WriteVarUInt(id);
                w.WriteVarUInt(fromOffset);
                w.WriteVarUInt((ulong)maxBytes);
            }, r =>
            {
                ulong next;
                byte flags;
                int offset;
                int count;
                if (!(r.ReadVarUInt(out next) && r.ReadByte(out flags) && r.ReadBlock(ProtocolInfo.MaxConsoleChunk, out offset, out count)))
                {
                    throw Malformed(Opcode.ReadConsole);
                }
                byte[] data = new byte[count];
                Buffer.BlockCopy(r.Buffer, offset, data, 0, count);
                return new ConsoleChunk { Data = data, NextOffset = next, Dropped = (flags & 1) != 0 };
            });
        }

        /// <summary>
        /// Sends console input (split into chunks of <see cref="ProtocolInfo.MaxConsoleChunk"/>). Returns the
        /// bytes the guest's input buffer accepted; fewer than given means it was full.
        /// </summary>
        public int WriteConsole(uint id, byte[] data, int timeoutMs = 0)
        {
            if (data == null)
            {
                throw new ArgumentNullException(nameof(data));
            }
            int total = 0;
            do
            {
                int start = total;
                int count = Math.Min(ProtocolInfo.MaxConsoleChunk, data.Length - start);
                uint accepted = Call(Opcode.WriteConsole, timeoutMs, w =>
                {
                    w.WriteVarUInt(id);
                    w.WriteBlock(data, start, count);
                }, r =>
                {
                    uint n;
                    if (!(r.ReadVarUInt32(out n)))
                    {
                        throw Malformed(Opcode.WriteConsole);
                    }
                    return n;
                });
                total += (int)Math.Min(accepted, (uint)count);
                if (accepted < count)
                {
                    break;
                }
            }
            while (total < data.Length);
            return total;
        }

        public VmMetrics GetMetrics(uint id, int timeoutMs = 0)
        {
            return Call(Opcode.GetMetrics, timeoutMs, w => w.WriteVarUInt(id), r => ReadCounters(r, Opcode.GetMetrics));
        }

        // ---- plumbing --------------------------------------------------------------------------------------

        private void Simple(Opcode op, uint id, int timeoutMs)
        {
            Call(op, timeoutMs, w => w.WriteVarUInt(id), r => 0);
        }

        private static void CheckName(string value, string parameter)
        {
            if (string.IsNullOrEmpty(value))
            {
                throw new ArgumentException("A name must not be empty.", parameter);
            }
            if (Utf8.ByteCount(value) > ProtocolInfo.MaxNameBytes)
            {
                throw new HvProtocolException(ErrorCode.TooLarge, Opcode.None,
                    "The " + parameter + " '" + value + "' is longer than " + ProtocolInfo.MaxNameBytes + " bytes of UTF-8.");
            }
        }

        private static VmInfo ReadVmSummary(MessageReader r)
        {
            uint id;
            string name;
            byte state;
            byte reason;
            uint memory;
            uint vcpus;
            if (!(r.ReadVarUInt32(out id) && r.ReadString(ProtocolInfo.MaxNameBytes, out name) && r.ReadByte(out state)
                && r.ReadByte(out reason) && r.ReadVarUInt32(out memory) && r.ReadVarUInt32(out vcpus)))
            {
                throw Malformed(Opcode.ListVms);
            }
            return new VmInfo
            {
                Id = id,
                Name = name,
                State = (VmState)state,
                StopReason = (StopReason)reason,
                MemoryMiB = memory,
                Vcpus = vcpus,
                IsSummary = true,
            };
        }

        private static VmMetrics ReadCounters(MessageReader r, Opcode op)
        {
            uint count;
            if (!(r.ReadVarUInt32(out count) && count <= ProtocolInfo.MaxCounters))
            {
                throw Malformed(op);
            }
            VmMetrics metrics = new VmMetrics();
            for (int i = 0; i < (int)count; i++)
            {
                ulong value;
                if (!(r.ReadVarUInt(out value)))
                {
                    throw Malformed(op);
                }
                metrics.Set(i, value);
            }
            return metrics;
        }

        /// <summary>
        /// Reads a list's entry-extension trailer if the host sent one (PROTOCOL.md): count (= <paramref name="entries"/>),
        /// then one length-prefixed block per entry, handed to <paramref name="read"/> as its own reader.
        /// </summary>
        private static void ReadExtensions(MessageReader r, Opcode op, int entries, Action<int, MessageReader> read)
        {
            if (r.Remaining == 0)
            {
                return;
            }
            uint count;
            if (!r.ReadVarUInt32(out count) || count != (uint)entries)
            {
                throw Malformed(op);
            }
            MessageReader block = new MessageReader();
            for (int i = 0; i < entries; i++)
            {
                int offset;
                int length;
                if (!r.ReadBlock(ProtocolInfo.MaxContentBytes, out offset, out length))
                {
                    throw Malformed(op);
                }
                block.Reset(r.Buffer, offset, length);
                read(i, block);
            }
        }

        private static HvProtocolException Malformed(Opcode op)
        {
            return new HvProtocolException(ErrorCode.Internal, op, op + " failed: the host sent a malformed response.");
        }

        private long Enter(int timeoutMs)
        {
            if (_disposed)
            {
                throw new ObjectDisposedException(nameof(HvClient));
            }
            int timeout = timeoutMs > 0 ? timeoutMs : DefaultTimeoutMs;
            long deadline = Stopwatch.GetTimestamp() + (long)timeout * Stopwatch.Frequency / 1000;
            if (!_gate.Wait(timeout))
            {
                throw new HvConnectionException("Timed out after " + timeout + " ms waiting for another call on " + _transport.Description + " to finish.", true);
            }
            return deadline;
        }

        private static int RemainingMs(long deadline)
        {
            long ticks = deadline - Stopwatch.GetTimestamp();
            if (ticks <= 0)
            {
                return 0;
            }
            long ms = ticks * 1000 / Stopwatch.Frequency;
            return ms > int.MaxValue ? int.MaxValue : (int)Math.Max(1, ms);
        }

        private T Call<T>(Opcode op, int timeoutMs, Action<MessageWriter> write, Func<MessageReader, T> read)
        {
            long deadline = Enter(timeoutMs);
            try
            {
                if (!IsConnected)
                {
                    throw new HvConnectionException("Not connected to " + _transport.Description + "; call Reconnect().");
                }
                uint requestId = NextRequestId();
                ulong sequence = _session.LastSent + 1;
                _session.LastSent = sequence;
                _writer.Reset(_request, 0, ProtocolInfo.MaxContentBytes);
                FrameLayout.WriteHeader(_writer, (int)op, requestId, sequence);
                write(_writer);
                if (_writer.Overflow)
                {
                    throw new HvProtocolException(ErrorCode.TooLarge, op, op + " failed: the request is larger than " + ProtocolInfo.MaxContentBytes + " bytes.");
                }
                int content = _writer.Length;
                _session.ComputeMac(Session.ClientToServer, sequence, _request, 0, content, _request, content);
                Send(content + ProtocolInfo.MacBytes);
                MessageReader reader = AwaitResponse(op, requestId, deadline, timeoutMs);
                return read(reader);
            }
            finally
            {
                _gate.Release();
            }
        }

        private uint NextRequestId()
        {
            _lastRequestId++;
            if (_lastRequestId == 0)
            {
                _lastRequestId = 1;
            }
            return _lastRequestId;
        }

        private void Send(int length)
        {
            int n = _encoder.Encode(_request, 0, length);
            if (n < 0)
            {
                throw new HvProtocolException(ErrorCode.TooLarge, Opcode.None, "The request does not fit in a frame.");
            }
            _transport.Write(_encoder.Output, 0, n);
        }

        /// <summary>Waits for the next frame with a good CRC; false on timeout. The frame is in _decoder.</summary>
        private bool NextFrame(long deadline)
        {
            while (true)
            {
                while (_rxPos < _rxLen)
                {
                    int consumed;
                    FrameStatus status = _decoder.Feed(_rx, _rxPos, _rxLen - _rxPos, out consumed);
                    _rxPos += consumed;
                    if (status == FrameStatus.FrameReady)
                    {
                        return true;
                    }
                }
                int remaining = RemainingMs(deadline);
                if (remaining <= 0)
                {
                    return false;
                }
                int n;
                try
                {
                    n = _transport.Read(_rx, 0, _rx.Length, remaining);
                }
                catch (HvConnectionException)
                {
                    _connected = false;
                    throw;
                }
                _rxPos = 0;
                _rxLen = n;
            }
        }

        private HvConnectionException Timeout(Opcode op, int timeoutMs)
        {
            int timeout = timeoutMs > 0 ? timeoutMs : DefaultTimeoutMs;
            return new HvConnectionException("No answer to " + op + " from " + _transport.Description + " within " + timeout + " ms.", true);
        }

        private MessageReader AwaitResponse(Opcode op, uint requestId, long deadline, int timeoutMs)
        {
            int expected = (int)op | (int)Opcode.ResponseBit;
            while (NextFrame(deadline))
            {
                byte[] frame = _decoder.Buffer;
                int length = _decoder.FrameLength;
                _reader.Reset(frame, 0, length);
                byte version;
                int opcode;
                uint id;
                ulong sequence;
                if (!FrameLayout.ReadHeader(_reader, out version, out opcode, out id, out sequence) || version != ProtocolInfo.Version)
                {
                    Interlocked.Increment(ref _ignoredFrames);
                    continue;
                }
                if (opcode == FrameLayout.RefusedOpcode)
                {
                    if (id == requestId)
                    {
                        throw new HvProtocolException(ErrorCode.AuthFailed, op,
                            op + " refused by " + _transport.Description + ": " + HvProtocolException.Describe(ErrorCode.AuthFailed)
                            + ". Reconnect (the host may have restarted or another client replaced the session).");
                    }
                    Interlocked.Increment(ref _ignoredFrames);
                    continue;
                }
                int content = length - ProtocolInfo.MacBytes;
                if (!FrameLayout.HasMac(opcode) || content < _reader.Position || sequence <= _session.LastReceived
                    || !_session.CheckMac(Session.ServerToClient, sequence, frame, 0, content, frame, content))
                {
                    Interlocked.Increment(ref _ignoredFrames);
                    continue;
                }
                _session.LastReceived = sequence;
                if (opcode != expected || id != requestId)
                {
                    // A late answer to an earlier call that timed out.
                    Interlocked.Increment(ref _ignoredFrames);
                    continue;
                }
                _reader.Reset(frame, _reader.Position, content - _reader.Position);
                byte status;
                if (!_reader.ReadByte(out status))
                {
                    if (!(false))
                    {
                        throw Malformed(op);
                    }
                }
                if (status != (byte)ErrorCode.Ok)
                {
                    string detail;
                    if (!_reader.ReadString(ProtocolInfo.MaxTextBytes, out detail))
                    {
                        detail = null;
                    }
                    ErrorCode code = (ErrorCode)status;
                    string message = op + " failed: " + code + " — " + HvProtocolException.Describe(code)
                        + (string.IsNullOrEmpty(detail) ? "." : " (" + detail + ").");
                    throw new HvProtocolException(code, op, message) { Detail = string.IsNullOrEmpty(detail) ? null : detail };
                }
                return _reader;
            }
            throw Timeout(op, timeoutMs);
        }

        private void Handshake(long deadline, int timeoutMs)
        {
            byte[] clientNonce = new byte[ProtocolInfo.NonceBytes];
            using (RandomNumberGenerator rng = RandomNumberGenerator.Create())
            {
                rng.GetBytes(clientNonce);
            }
            uint requestId = NextRequestId();
            _session.Clear();
            _writer.Reset(_request, 0, ProtocolInfo.MaxContentBytes);
            FrameLayout.WriteHeader(_writer, (int)Opcode.Handshake, requestId, 0);
            _writer.WriteRaw(clientNonce, 0, clientNonce.Length);
            Send(_writer.Length);
            while (NextFrame(deadline))
            {
                byte[] frame = _decoder.Buffer;
                int length = _decoder.FrameLength;
                _reader.Reset(frame, 0, length);
                byte version;
                int opcode;
                uint id;
                ulong sequence;
                if (!FrameLayout.ReadHeader(_reader, out version, out opcode, out id, out sequence)
                    || opcode != FrameLayout.HandshakeResponseOpcode || id != requestId || sequence != 0)
                {
                    Interlocked.Increment(ref _ignoredFrames);
                    continue;
                }
                int content = length - ProtocolInfo.MacBytes;
                byte status;
                byte serverVersion;
                if (!_reader.ReadByte(out status) || !_reader.ReadByte(out serverVersion))
                {
                    Interlocked.Increment(ref _ignoredFrames);
                    continue;
                }
                ServerProtocolVersion = serverVersion;
                if (status != (byte)ErrorCode.Ok)
                {
                    ErrorCode code = (ErrorCode)status;
                    string why = code == ErrorCode.Unsupported
                        ? "the host speaks protocol version " + serverVersion + ", this client version " + ProtocolInfo.Version
                        : HvProtocolException.Describe(code);
                    throw new HvProtocolException(code, Opcode.Handshake, "Handshake with " + _transport.Description + " failed: " + why + ".");
                }
                int nonceOffset;
                ulong maxContent;
                if (!_reader.ReadRaw(ProtocolInfo.NonceBytes, out nonceOffset) || !_reader.ReadVarUInt(out maxContent)
                    || content < _reader.Position)
                {
                    Interlocked.Increment(ref _ignoredFrames);
                    continue;
                }
                _session.Start(clientNonce, 0, frame, nonceOffset);
                if (!_session.CheckMac(Session.ServerToClient, 0, frame, 0, content, frame, content))
                {
                    _session.Clear();
                    throw new HvProtocolException(ErrorCode.AuthFailed, Opcode.Handshake,
                        "Handshake with " + _transport.Description + " failed: the host did not prove it knows the key (wrong key for this host?).");
                }
                ServerMaxContentBytes = maxContent > int.MaxValue ? int.MaxValue : (int)maxContent;
                return;
            }
            throw new HvConnectionException("No handshake answer from " + _transport.Description + " within "
                + (timeoutMs > 0 ? timeoutMs : DefaultTimeoutMs) + " ms (is the host running and is this its management port?).", true);
        }
    }
}
