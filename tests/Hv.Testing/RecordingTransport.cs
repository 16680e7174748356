using System;
using System.Collections.Generic;
using Hv.Protocol.Client;

namespace Hv.Testing
{
    /// <summary>A TCP transport that keeps a copy of every write (the client writes one frame per call), and can send raw bytes.</summary>
    public sealed class RecordingTransport : HvTransport
    {
        private readonly TcpTransport _inner;
        public List<byte[]> Writes { get; } = new List<byte[]>();

        public RecordingTransport(string host, int port) { _inner = new TcpTransport(host, port, 10000); }

        public override string Description => "recording " + _inner.Description;
        public override bool IsOpen => _inner.IsOpen;
        public override void Open() => _inner.Open();
        public override void Close() => _inner.Close();
        public override int Read(byte[] buffer, int offset, int count, int timeoutMs) => _inner.Read(buffer, offset, count, timeoutMs);

        public override void Write(byte[] buffer, int offset, int count)
        {
            lock (Writes) Writes.Add(buffer.AsSpan(offset, count).ToArray());
            _inner.Write(buffer, offset, count);
        }

        /// <summary>Bytes straight onto the line, bypassing the client (for replays, forgeries and noise).</summary>
        public void SendRaw(byte[] bytes) => _inner.Write(bytes, 0, bytes.Length);
    }
}
