using System;
using System.Net.Sockets;
using Hv;
using Hv.Crypto;
using Hv.Protocol.Client;
using Hv.Protocol.Wire;
using Hv.Testing;

namespace Hv.Protocol.Tests
{
    /// <summary>
    /// Management over TCP (SecureStreamSession per connection, SecureTransport in the client) against the in-process
    /// host on a real loopback socket: several administrators at once, and a wrong key, a replayed or a tampered
    /// record ends that one session only.
    /// </summary>
    public sealed class SecureSessionTests : IDisposable
    {
        private readonly InProcessHost _host = InProcessHost.Start();

        public void Dispose() => _host.Dispose();

        private HvClient Connect(byte[] key = null) =>
            HvClient.Connect(new SecureTransport(new TcpTransport("127.0.0.1", _host.Port, 5000), key ?? _host.Key), key ?? _host.Key, 5000);

        [Fact]
        public void TwoAdministrators_HoldSessionsAtOnce_AndSeeEachOthersWork()
        {
            using HvClient alice = Connect();
            using HvClient bob = Connect();
            uint id = alice.CreateVm("spin", "from-alice");
            Assert.Contains(bob.ListVms(), vm => vm.Id == id && vm.Name == "from-alice");
            bob.RemoveVm(id);
            Assert.DoesNotContain(alice.ListVms(), vm => vm.Id == id);
            Assert.Equal("0.1.0-inprocess", alice.GetHostInfo().Version);
        }

        [Fact]
        public void WrongKey_FailsTheHandshake_AndLeavesTheWorkingSessionAlone()
        {
            using HvClient admin = Connect();
            byte[] wrong = (byte[])_host.Key.Clone();
            wrong[0] ^= 1;
            var e = Assert.Throws<HvProtocolException>(() => Connect(wrong));
            Assert.Equal(ErrorCode.AuthFailed, e.Code);
            Assert.Contains("host key", e.Message);
            Assert.Equal("0.1.0-inprocess", admin.GetHostInfo().Version);
        }

        [Fact]
        public void ReplayedRecord_EndsThatSessionOnly()
        {
            using HvClient admin = Connect();
            using RawSession raw = RawSession.Open(_host.Port, _host.Key);
            byte[] record = raw.Seal(new byte[] { 0, 0 }); // line noise inside the channel: the protocol skips it
            raw.Send(record);
            raw.Send(record);
            Assert.True(raw.WasDropped(), "the host kept a session that replayed a record");
            Assert.Equal("0.1.0-inprocess", admin.GetHostInfo().Version);
        }

        [Fact]
        public void TamperedRecord_EndsThatSessionOnly()
        {
            using HvClient admin = Connect();
            using RawSession raw = RawSession.Open(_host.Port, _host.Key);
            byte[] record = raw.Seal(new byte[] { 0, 1, 2, 3, 0 });
            record[RecordLayer.HeaderBytes + 1] ^= 0x40;
            raw.Send(record);
            Assert.True(raw.WasDropped(), "the host kept a session after a tampered record");
            Assert.Equal("0.1.0-inprocess", admin.GetHostInfo().Version);
        }

        [Fact]
        public void Transfer_PipelinedOverTheSecureChannel_ArrivesWhole()
        {
            using HvClient admin = Connect();
            byte[] image = new byte[300_000];
            new Random(7).NextBytes(image);
            var result = admin.UploadTemplate("piped", GuestEntryMode.Real, 1, null, new System.IO.MemoryStream(image));
            Assert.Equal((ulong)image.Length, result.BytesSent);
            Assert.Contains(admin.ListTemplates(), t => t.Name == "piped");
        }

        /// <summary>A client that does the handshake by hand and then sends records of its choosing.</summary>
        private sealed class RawSession : IDisposable
        {
            private readonly Socket _socket;
            private readonly RecordLayer _records = new RecordLayer();

            private RawSession(Socket socket) { _socket = socket; }

            public static RawSession Open(int port, byte[] key)
            {
                var socket = new Socket(SocketType.Stream, ProtocolType.Tcp) { NoDelay = true, ReceiveTimeout = 5000 };
                socket.Connect("127.0.0.1", port);
                var session = new RawSession(socket);
                var handshake = new SecureHandshake();
                var hello = new byte[SecureHandshake.ClientHelloBytes];
                var serverHello = new byte[SecureHandshake.ServerHelloBytes];
                var finished = new byte[SecureHandshake.ClientFinishedBytes];
                handshake.ClientHello(System.Security.Cryptography.RandomNumberGenerator.GetBytes(32), 0, hello, 0);
                socket.Send(hello);
                int have = 0;
                while (have < serverHello.Length) have += socket.Receive(serverHello, have, serverHello.Length - have, SocketFlags.None);
                Assert.Equal(SecureChannelStatus.Ok, handshake.ClientFinish(key, 0, serverHello, 0, finished, 0, session._records));
                socket.Send(finished);
                return session;
            }

            public byte[] Seal(byte[] plaintext)
            {
                var record = new byte[plaintext.Length + RecordLayer.OverheadBytes];
                plaintext.CopyTo(record, RecordLayer.HeaderBytes);
                Assert.Equal(SecureChannelStatus.Ok, _records.Seal(record, 0, plaintext.Length, out int n));
                return record;
            }

            public void Send(byte[] bytes) => _socket.Send(bytes);

            // The host resets or closes the connection; a live one would leave the read waiting (and time out).
            public bool WasDropped()
            {
                try
                {
                    var buffer = new byte[256];
                    for (;;)
                    {
                        if (_socket.Receive(buffer) == 0) return true;
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
}
