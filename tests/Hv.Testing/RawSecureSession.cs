using System;
using System.Net.Sockets;
using Hv.Crypto;

namespace Hv.Testing
{
    /// <summary>
    /// A secure-channel client done by hand on a real socket (SECURE-CHANNEL.md), for tests that send records of
    /// their own: replayed, tampered, or garbage inside a valid channel.
    /// </summary>
    public sealed class RawSecureSession : IDisposable
    {
        private readonly Socket _socket;
        private readonly RecordLayer _records = new RecordLayer();

        private RawSecureSession(Socket socket) { _socket = socket; }

        /// <summary>The handshake's outcome on the client's side (Ok: the host proved the key).</summary>
        public SecureChannelStatus Status { get; private set; }

        /// <summary>Connects to 127.0.0.1:port and runs the handshake with <paramref name="key"/>.</summary>
        public static RawSecureSession Open(int port, byte[] key, int receiveTimeoutMs)
        {
            var socket = new Socket(SocketType.Stream, ProtocolType.Tcp) { NoDelay = true, ReceiveTimeout = receiveTimeoutMs };
            socket.Connect("127.0.0.1", port);
            var session = new RawSecureSession(socket);
            var handshake = new SecureHandshake();
            var hello = new byte[SecureHandshake.ClientHelloBytes];
            var serverHello = new byte[SecureHandshake.ServerHelloBytes];
            var finished = new byte[SecureHandshake.ClientFinishedBytes];
            handshake.ClientHello(System.Security.Cryptography.RandomNumberGenerator.GetBytes(32), 0, hello, 0);
            socket.Send(hello);
            int have = 0;
            while (have < serverHello.Length)
            {
                int n = socket.Receive(serverHello, have, serverHello.Length - have, SocketFlags.None);
                if (n == 0) throw new InvalidOperationException("the host closed the connection during the handshake");
                have += n;
            }
            session.Status = handshake.ClientFinish(key, 0, serverHello, 0, finished, 0, session._records);
            socket.Send(finished);
            return session;
        }

        /// <summary>A data record carrying <paramref name="plaintext"/>, sealed under the next sequence number.</summary>
        public byte[] Seal(byte[] plaintext)
        {
            var record = new byte[plaintext.Length + RecordLayer.OverheadBytes];
            plaintext.CopyTo(record, RecordLayer.HeaderBytes);
            SecureChannelStatus status = _records.Seal(record, 0, plaintext.Length, out _);
            if (status != SecureChannelStatus.Ok) throw new InvalidOperationException("sealing failed: " + status);
            return record;
        }

        public void Send(byte[] bytes) => _socket.Send(bytes);

        /// <summary>True when the host closes or resets the connection; false when it stays open until the receive timeout.</summary>
        public bool WasDropped() => WasDroppedSocket(_socket);

        /// <summary>True once the host closes or resets <paramref name="socket"/> (data it sends first is skipped); false on the socket's receive timeout.</summary>
        public static bool WasDroppedSocket(Socket socket)
        {
            try
            {
                var buffer = new byte[256];
                for (;;)
                {
                    if (socket.Receive(buffer) == 0) return true;
                }
            }
            catch (SocketException e)
            {
                return e.SocketErrorCode != SocketError.TimedOut;
            }
        }

        public void Dispose() => _socket.Dispose();
    }
}
