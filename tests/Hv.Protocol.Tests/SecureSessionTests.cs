using System;
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
            using var raw = RawSecureSession.Open(_host.Port, _host.Key, 5000);
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
            using var raw = RawSecureSession.Open(_host.Port, _host.Key, 5000);
            byte[] record = raw.Seal(new byte[] { 0, 1, 2, 3, 0 });
            record[RecordLayer.HeaderBytes + 1] ^= 0x40;
            raw.Send(record);
            Assert.True(raw.WasDropped(), "the host kept a session after a tampered record");
            Assert.Equal("0.1.0-inprocess", admin.GetHostInfo().Version);
        }

        [Fact]
        public void Frames_inside_the_secure_channel_carry_no_MAC_of_their_own()
        {
            // The records already authenticate and order every byte; a request's record holds the bare frame.
            var line = new WriteSizes(new TcpTransport("127.0.0.1", _host.Port, 5000));
            using HvClient admin = HvClient.Connect(new SecureTransport(line, _host.Key), _host.Key, 5000);
            line.Sizes.Clear();
            Assert.Equal("0.1.0-inprocess", admin.GetHostInfo().Version);

            var header = new byte[16];
            var w = new MessageWriter(header);
            FrameLayout.WriteHeader(w, (int)Opcode.HostInfo, 2, 1); // request id 2 (after the handshake's 1), sequence 1
            var encoder = new FrameEncoder();
            int bare = encoder.Encode(header, 0, w.Length);
            Assert.Equal(new[] { bare + RecordLayer.OverheadBytes }, line.Sizes.ToArray());
        }

        // Records the size of each write to the line under the secure channel (one record each).
        private sealed class WriteSizes : HvTransport
        {
            private readonly HvTransport _inner;
            public System.Collections.Generic.List<int> Sizes { get; } = new System.Collections.Generic.List<int>();
            public WriteSizes(HvTransport inner) { _inner = inner; }
            public override string Description => _inner.Description;
            public override bool IsOpen => _inner.IsOpen;
            public override void Open() => _inner.Open();
            public override void Close() => _inner.Close();
            public override int Read(byte[] buffer, int offset, int count, int timeoutMs) => _inner.Read(buffer, offset, count, timeoutMs);
            public override void Write(byte[] buffer, int offset, int count)
            {
                Sizes.Add(count);
                _inner.Write(buffer, offset, count);
            }
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
    }
}
