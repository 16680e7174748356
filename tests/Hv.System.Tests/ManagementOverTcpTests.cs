using System;
using System.IO;
using System.Linq;
using System.Threading;
using Hv.Emulators;
using Hv.Protocol.Client;
using Hv.Protocol.Wire;
using Hv.Testing;

namespace Hv.SystemTests
{
    /// <summary>One QEMU host with an e1000 NIC (management over TCP; no VT-x, so no VMs) for the whole class.</summary>
    public sealed class QemuNetHostFixture : IDisposable
    {
        public RunningHost Host { get; } = RunningHost.Start("qemu", nic: "e1000");
        public void Dispose() => Host.Dispose();
    }

    /// <summary>
    /// The management protocol over TCP in the secure channel, in QEMU: the module connects by -ComputerName, several
    /// administrators at once, and a wrong key, a replayed or tampered record, a dropped connection each cost only
    /// that one session. Serial stays served beside it.
    /// </summary>
    public class ManagementOverTcpTests : IClassFixture<QemuNetHostFixture>, IDisposable
    {
        private static readonly TimeSpan Budget = TimeSpan.FromSeconds(300);
        private readonly RunningHost _host;
        private readonly PsSession _ps = new PsSession();

        public ManagementOverTcpTests(QemuNetHostFixture fixture)
        {
            _host = fixture.Host;
            _host.WaitForLog("mgmt: listening on tcp port 47000 (secure channel)", TimeSpan.FromSeconds(60));
            _host.WaitForLog("(dhcp)", TimeSpan.FromSeconds(60));
        }

        public void Dispose() => _ps.Dispose();

        private byte[] Key => Convert.FromHexString(_host.KeyHex);

        private HvClient ConnectTcp(byte[] key = null) =>
            HvClient.Connect(new SecureTransport(new TcpTransport("127.0.0.1", _host.NetPort, 10000), key ?? Key), key ?? Key,
                             RunningHost.ClientBackstopMs);

        [Fact]
        public void The_module_connects_over_tcp_by_default_and_serial_still_works_beside_it()
        {
            using var guard = _host.Within(Budget);
            var r = _ps.Run(@"$n = Connect-HvHost 127.0.0.1 -Port $args[0] -Key $args[1] -NotDefault -TimeoutSec 600
                              $s = Connect-HvHost -SerialPort ('tcp://127.0.0.1:' + $args[2]) -Key $args[1] -NotDefault -TimeoutSec 600
                              $n.Address; $s.Address; (Get-HvTemplate -Server $n).Count -eq (Get-HvTemplate -Server $s).Count",
                _host.NetPort, _host.KeyHex, _host.Port).NoErrors();
            Assert.Equal($"tcp://127.0.0.1:{_host.NetPort} (encrypted)", (string)r.Output[0].BaseObject);
            Assert.Equal($"tcp://127.0.0.1:{_host.Port}", (string)r.Output[1].BaseObject);
            Assert.True((bool)r.Output[2].BaseObject);
        }

        [Fact]
        public void Two_administrators_hold_sessions_at_once()
        {
            using var guard = _host.Within(Budget);
            using HvClient alice = ConnectTcp();
            using HvClient bob = ConnectTcp();
            for (int i = 0; i < 3; i++)
            {
                Assert.NotNull(alice.GetHostInfo().Version);
                Assert.NotNull(bob.GetHostInfo().Version);
            }
            byte[] image = new byte[20_000];
            new Random(3).NextBytes(image);
            alice.UploadTemplate("from-alice", GuestEntryMode.Real, 1, null, new MemoryStream(image));
            Assert.Contains(bob.ListTemplates(), t => t.Name == "from-alice");
            bob.RemoveTemplate("from-alice");
            Assert.DoesNotContain(alice.ListTemplates(), t => t.Name == "from-alice");
        }

        [Fact]
        public void A_wrong_key_fails_that_handshake_only()
        {
            using var guard = _host.Within(Budget);
            using HvClient admin = ConnectTcp();
            byte[] wrong = Key;
            wrong[5] ^= 0x10;
            var e = Assert.Throws<HvProtocolException>(() => ConnectTcp(wrong));
            Assert.Equal(ErrorCode.AuthFailed, e.Code);
            var r = _ps.Run("Connect-HvHost 127.0.0.1 -Port $args[0] -Key $args[1] -NotDefault -TimeoutSec 600", _host.NetPort,
                            Convert.ToHexString(wrong));
            Assert.Single(r.Errors);
            Assert.Equal(System.Management.Automation.ErrorCategory.AuthenticationError, r.Errors[0].CategoryInfo.Category);
            Assert.NotNull(admin.GetHostInfo().Version);
            _host.WaitForLog("mgmt: tcp sessions refused:", Budget);
        }

        [Fact]
        public void A_replayed_or_tampered_record_ends_that_session_only()
        {
            using var guard = _host.Within(Budget);
            using HvClient admin = ConnectTcp();
            using (var replay = RawSecureSession.Open(_host.NetPort, Key, RunningHost.ClientBackstopMs))
            {
                Assert.Equal(Hv.Crypto.SecureChannelStatus.Ok, replay.Status);
                byte[] record = replay.Seal(new byte[] { 0, 0 });
                replay.Send(record);
                replay.Send(record);
                Assert.True(replay.WasDropped());
            }
            using (var tamper = RawSecureSession.Open(_host.NetPort, Key, RunningHost.ClientBackstopMs))
            {
                byte[] record = tamper.Seal(new byte[] { 0, 9, 9, 9, 0 });
                record[record.Length - 1] ^= 1;
                tamper.Send(record);
                Assert.True(tamper.WasDropped());
            }
            Assert.NotNull(admin.GetHostInfo().Version);
        }

        // True when the host has closed or reset the socket by now (without waiting; bytes it sent first are skipped).
        private static bool ClosedAlready(System.Net.Sockets.Socket socket)
        {
            while (socket.Poll(0, System.Net.Sockets.SelectMode.SelectRead))
            {
                if (socket.Available == 0) return true;
                socket.Receive(new byte[socket.Available]);
            }
            return false;
        }

        [Fact]
        public void Four_idle_connections_that_never_handshake_are_reset_at_the_deadline_and_a_real_client_gets_in()
        {
            using var guard = _host.Within(Budget);
            // Four connections take the host's four session slots and never send a byte.
            var idle = Enumerable.Range(0, 4).Select(_ =>
            {
                var s = new System.Net.Sockets.Socket(System.Net.Sockets.SocketType.Stream, System.Net.Sockets.ProtocolType.Tcp);
                s.Connect("127.0.0.1", _host.NetPort);
                return s;
            }).ToArray();
            try
            {
                // A real client behind them waits in the listen backlog until the deadline frees a slot, then works.
                using HvClient admin = HvClient.Connect(new SecureTransport(new TcpTransport("127.0.0.1", _host.NetPort, 10000), Key,
                    RunningHost.ClientBackstopMs), Key, RunningHost.ClientBackstopMs);
                Assert.NotNull(admin.GetHostInfo().Version);
                // It got in because the deadline freed a slot: by the time it is answered, an idle connection has been
                // reset (the host reset it before taking the client, and the reset travels ahead of the answers). The
                // host's log cannot tell the order: its lines trail the answers, and earlier tests' lines may come late.
                Assert.True(idle.Any(ClosedAlready), "the client got in while every idle connection was still open");
                // Every idle connection is reset by then or soon after (the host answers nothing on them).
                foreach (var s in idle)
                {
                    s.ReceiveTimeout = 120_000;
                    Assert.True(RawSecureSession.WasDroppedSocket(s), "an idle connection was reset");
                }
                Assert.NotNull(admin.GetHostInfo().Version);
            }
            finally
            {
                foreach (var s in idle) s.Dispose();
            }
        }

        [Fact]
        public void An_upload_cut_off_mid_way_resumes_on_a_new_connection()
        {
            using var guard = _host.Within(Budget);
            byte[] image = new byte[200_000];
            new Random(5).NextBytes(image);
            using (HvClient first = ConnectTcp())
            {
                var cut = new CancellationTokenSource();
                Assert.ThrowsAny<OperationCanceledException>(() => first.UploadTemplate("resumed", GuestEntryMode.Real, 1, null,
                    new MemoryStream(image), progress: (done, total) => { if (done >= 60_000) cut.Cancel(); }, cancel: cut.Token));
            } // the connection drops with the upload unfinished
            using HvClient second = ConnectTcp();
            var result = second.UploadTemplate("resumed", GuestEntryMode.Real, 1, null, new MemoryStream(image));
            Assert.True(result.ResumedFrom >= 60_000, $"resumed from {result.ResumedFrom}");
            Assert.Equal((ulong)image.Length - result.ResumedFrom, result.BytesSent);
            Assert.Contains(second.ListTemplates(), t => t.Name == "resumed");
            second.RemoveTemplate("resumed");
        }
    }
}
