using System;
using System.Diagnostics;
using System.Security.Cryptography;
using Hv.Crypto;
using Hv.Protocol.Wire;

namespace Hv.Protocol.Client
{
    /// <summary>
    /// The secure channel (SECURE-CHANNEL.md) over another transport, normally TCP to the host's management port:
    /// <see cref="Open"/> runs the handshake with the host key (both sides prove they know it, fresh X25519 keys give
    /// forward secrecy), then every byte goes in ChaCha20-Poly1305 records. A record that fails its check, or a host
    /// that does not know the key, ends the connection with <see cref="HvConnectionException"/>.
    /// </summary>
    public sealed class SecureTransport : HvTransport
    {
        private readonly HvTransport _inner;
        private readonly int _handshakeTimeoutMs;
        private readonly byte[] _key = new byte[HostKey.Bytes];
        private readonly RecordLayer _records = new RecordLayer();
        private readonly byte[] _sendRecord = new byte[RecordLayer.MaxRecordBytes];
        private readonly byte[] _receiveRecord = new byte[RecordLayer.MaxRecordBytes];
        private int _received;
        private int _plainOffset, _plainCount;
        private bool _open;

        /// <param name="handshakeTimeoutMs">How long <see cref="Open"/> waits for the host's half of the handshake.</param>
        public SecureTransport(HvTransport inner, byte[] key, int handshakeTimeoutMs = 10000)
        {
            _handshakeTimeoutMs = handshakeTimeoutMs > 0 ? handshakeTimeoutMs : 10000;
            _inner = inner ?? throw new ArgumentNullException(nameof(inner));
            if (key == null || key.Length != HostKey.Bytes)
            {
                throw new ArgumentException("The host key must be " + HostKey.Bytes + " bytes.", nameof(key));
            }
            Buffer.BlockCopy(key, 0, _key, 0, key.Length);
        }

        /// <summary>The transport the records travel on.</summary>
        public HvTransport Inner => _inner;

        public override string Description => _inner.Description + " (encrypted)";

        public override bool IsOpen => _open && _inner.IsOpen;

        public override bool AuthenticatesFrames => true;

        public override void Open()
        {
            Close();
            _inner.Open();
            _received = 0;
            _plainCount = 0;
            var handshake = new SecureHandshake();
            byte[] secret = new byte[SecureHandshake.EphemeralSecretBytes];
            byte[] hello = new byte[SecureHandshake.ClientHelloBytes];
            byte[] serverHello = new byte[SecureHandshake.ServerHelloBytes];
            byte[] finished = new byte[SecureHandshake.ClientFinishedBytes];
            try
            {
                using (RandomNumberGenerator rng = RandomNumberGenerator.Create())
                {
                    rng.GetBytes(secret);
                }
                handshake.ClientHello(secret, 0, hello, 0);
                _inner.Write(hello, 0, hello.Length);
                ReadExactly(serverHello, serverHello.Length, Stopwatch.GetTimestamp() + (long)_handshakeTimeoutMs * Stopwatch.Frequency / 1000);
                SecureChannelStatus status = handshake.ClientFinish(_key, 0, serverHello, 0, finished, 0, _records);
                // Sent even when it failed (32 zero bytes): the host then drops the connection at once.
                _inner.Write(finished, 0, finished.Length);
                if (status != SecureChannelStatus.Ok)
                {
                    throw new HvProtocolException(ErrorCode.AuthFailed, Opcode.Handshake, "The host at " + _inner.Description + " did not prove it knows the host key ("
                        + status + "): check the key (Connect-HvHost -Key), or something else answers on that port.");
                }
                _open = true;
            }
            catch
            {
                _inner.Close();
                throw;
            }
            finally
            {
                Array.Clear(secret, 0, secret.Length);
                handshake.Reset();
            }
        }

        public override void Close()
        {
            if (_open && _inner.IsOpen)
            {
                int n;
                if (_records.SealClose(_sendRecord, 0, out n) == SecureChannelStatus.Ok)
                {
                    try
                    {
                        _inner.Write(_sendRecord, 0, n);
                    }
                    catch (HvConnectionException)
                    {
                    }
                }
            }
            _open = false;
            _records.Clear();
            _inner.Close();
        }

        public override void Write(byte[] buffer, int offset, int count)
        {
            Live();
            while (count > 0)
            {
                int n = Math.Min(count, RecordLayer.MaxPlaintextBytes);
                Buffer.BlockCopy(buffer, offset, _sendRecord, RecordLayer.HeaderBytes, n);
                int recordBytes;
                SecureChannelStatus status = _records.Seal(_sendRecord, 0, n, out recordBytes);
                if (status != SecureChannelStatus.Ok)
                {
                    Close();
                    throw new HvConnectionException("The secure channel to " + _inner.Description + " ended: " + status + ".");
                }
                _inner.Write(_sendRecord, 0, recordBytes);
                offset += n;
                count -= n;
            }
        }

        public override int Read(byte[] buffer, int offset, int count, int timeoutMs)
        {
            Live();
            long deadline = Stopwatch.GetTimestamp() + (long)Math.Max(timeoutMs, 0) * Stopwatch.Frequency / 1000;
            while (_plainCount == 0)
            {
                if (!ReadRecord(deadline))
                {
                    return 0;
                }
            }
            int n = Math.Min(count, _plainCount);
            Buffer.BlockCopy(_receiveRecord, _plainOffset, buffer, offset, n);
            _plainOffset += n;
            _plainCount -= n;
            return n;
        }

        // Collects one whole record (keeping a partial one across time-outs) and opens it. False: none complete in time.
        private bool ReadRecord(long deadline)
        {
            for (;;)
            {
                int whole = RecordLayer.RecordBytes(_receiveRecord, 0, _received);
                if (whole < 0)
                {
                    Fail("a malformed record header");
                }
                int want = whole == 0 ? RecordLayer.HeaderBytes - _received : whole - _received;
                if (whole > 0 && want == 0)
                {
                    break;
                }
                int n = _inner.Read(_receiveRecord, _received, want, RemainingMs(deadline));
                if (n == 0)
                {
                    return false;
                }
                _received += n;
            }
            byte type;
            int plainOffset, plainCount;
            SecureChannelStatus status = _records.Open(_receiveRecord, 0, _received, out type, out plainOffset, out plainCount);
            _received = 0;
            if (status != SecureChannelStatus.Ok)
            {
                Fail("a record that failed its check (" + status + ")");
            }
            if (type == RecordLayer.Close)
            {
                _open = false;
                _inner.Close();
                throw new HvConnectionException("The host closed the secure channel " + _inner.Description + ".");
            }
            _plainOffset = plainOffset;
            _plainCount = plainCount;
            return true;
        }

        private void ReadExactly(byte[] buffer, int count, long deadline)
        {
            int have = 0;
            while (have < count)
            {
                int n = _inner.Read(buffer, have, count - have, RemainingMs(deadline));
                if (n == 0)
                {
                    throw new HvConnectionException("The host at " + _inner.Description + " did not answer the secure handshake in time.", true);
                }
                have += n;
            }
        }

        private void Live()
        {
            if (!IsOpen)
            {
                throw new HvConnectionException("Not connected to " + Description + ".");
            }
        }

        private void Fail(string what)
        {
            _open = false;
            _records.Clear();
            _inner.Close();
            throw new HvConnectionException("The secure channel to " + _inner.Description + " received " + what + "; the connection was dropped.");
        }

        private static int RemainingMs(long deadline)
        {
            long ticks = deadline - Stopwatch.GetTimestamp();
            return ticks <= 0 ? 1 : (int)Math.Min(int.MaxValue, Math.Max(1, ticks * 1000 / Stopwatch.Frequency));
        }
    }
}
