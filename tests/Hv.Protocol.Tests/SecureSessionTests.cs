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
