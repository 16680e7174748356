using System;
using System.Diagnostics;
using System.Security.Cryptography;
using System.Threading;
using Hv.Crypto;
using Hv.Protocol.Messages;
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
            if (transport.AuthenticatesFrames)
            {
                _session.UseChannelAuthentication();
            }
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

        // ---- plumbing --------------------------------------------------------------------------------------

        internal static HvProtocolException Malformed(Opcode op)
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
            long deadline = Deadline(timeoutMs);
            if (!_gate.Wait(timeout))
            {
                throw new HvConnectionException("Timed out after " + timeout + " ms waiting for another call on " + _transport.Description + " to finish.", true);
            }
            return deadline;
        }

        // When a call that starts now times out.
        private long Deadline(int timeoutMs)
        {
            int timeout = timeoutMs > 0 ? timeoutMs : DefaultTimeoutMs;
            return Stopwatch.GetTimestamp() + (long)timeout * Stopwatch.Frequency / 1000;
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

        /// <summary>
        /// One request and its answer: writes <paramref name="message"/>'s request, waits for the response and reads it
        /// into the message (a host error raises <see cref="HvProtocolException"/>).
        /// </summary>
        private T Call<T>(T message, int timeoutMs) where T : Message
        {
            long deadline = Enter(timeoutMs);
            try
            {
                if (!IsConnected)
                {
                    throw new HvConnectionException("Not connected to " + _transport.Description + "; call Reconnect().");
                }
                uint requestId = Issue(message);
                Collect(message, requestId, deadline, timeoutMs);
                return message;
            }
            finally
            {
                _gate.Release();
            }
        }

        // Writes the request frame; returns its request id.
        private uint Issue(Message message)
        {
            Opcode op = message.Opcode;
            uint requestId = NextRequestId();
            ulong sequence = _session.LastSent + 1;
            _session.LastSent = sequence;
            _writer.Reset(_request, 0, ProtocolInfo.MaxContentBytes);
            FrameLayout.WriteHeader(_writer, (int)op, requestId, sequence);
            message.WriteRequest(_writer);
            if (_writer.Overflow)
            {
                throw new HvProtocolException(ErrorCode.TooLarge, op, op + " failed: the request is larger than " + ProtocolInfo.MaxContentBytes + " bytes.");
            }
            int content = _writer.Length;
            _session.ComputeMac(Session.ClientToServer, sequence, _request, 0, content, _request, content);
            Send(content + _session.MacBytes);
            return requestId;
        }

        // Reads the answer to request `requestId` into the message (a host error raises HvProtocolException).
        private void Collect(Message message, uint requestId, long deadline, int timeoutMs)
        {
            MessageReader reader = AwaitResponse(message.Opcode, requestId, deadline, timeoutMs);
            if (!message.TryReadResponse(reader))
            {
                throw Malformed(message.Opcode);
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

        /// <summary>
        /// Waits for the next frame and reads its header into the reader; false when the deadline passed. A frame whose
        /// header does not parse is counted and skipped.
        /// </summary>
        private bool NextHeader(long deadline, out byte version, out int opcode, out uint id, out ulong sequence)
        {
            while (NextFrame(deadline))
            {
                _reader.Reset(_decoder.Buffer, 0, _decoder.FrameLength);
                if (FrameLayout.ReadHeader(_reader, out version, out opcode, out id, out sequence))
                {
                    return true;
                }
                Interlocked.Increment(ref _ignoredFrames);
            }
            version = 0;
            opcode = 0;
            id = 0;
            sequence = 0;
            return false;
        }

        private MessageReader AwaitResponse(Opcode op, uint requestId, long deadline, int timeoutMs)
        {
            int expected = (int)op | (int)Opcode.ResponseBit;
            while (NextHeader(deadline, out byte version, out int opcode, out uint id, out ulong sequence))
            {
                byte[] frame = _decoder.Buffer;
                int length = _decoder.FrameLength;
                if (version != ProtocolInfo.Version)
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
                int content = length - _session.MacBytes;
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
                    throw Malformed(op);
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
            while (NextHeader(deadline, out byte _, out int opcode, out uint id, out ulong sequence))
            {
                byte[] frame = _decoder.Buffer;
                int length = _decoder.FrameLength;
                if (opcode != FrameLayout.HandshakeResponseOpcode || id != requestId || sequence != 0)
                {
                    Interlocked.Increment(ref _ignoredFrames);
                    continue;
                }
                int content = length - _session.MacBytes;
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
