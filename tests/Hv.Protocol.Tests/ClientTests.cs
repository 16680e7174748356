using System;
using System.Linq;
using System.Text;
using System.Threading.Tasks;
using Hv.Protocol.Client;
using Hv.Protocol.Server;
using Hv.Protocol.Wire;

namespace Hv.Protocol.Tests
{
    public class ClientTests
    {
        [Fact]
        public void FullConversation_EveryOperation_RoundTrips()
        {
            using var loop = new Loop();
            var c = loop.Client;
            Assert.True(c.IsConnected);
            Assert.Equal(1, c.ServerProtocolVersion);
            Assert.Equal(ProtocolInfo.MaxContentBytes, c.ServerMaxContentBytes);

            // HostInfo
            HostInfo info = c.GetHostInfo();
            Assert.Equal("Hv 0.1.0", info.Version);
            Assert.Equal(CpuFeature.Vmx | CpuFeature.Ept | CpuFeature.UnrestrictedGuest, info.CpuFeatures);
            Assert.Equal("vmx ept unrestricted-guest", info.CpuFeatureNames);
            Assert.Equal(8UL << 30, info.MemoryTotalBytes);
            Assert.Equal(6UL << 30, info.MemoryFreeBytes);
            Assert.Equal(123456UL, info.UptimeMs);
            Assert.Equal(0u, info.VmCount);

            // ListTemplates
            TemplateInfo[] templates = c.ListTemplates();
            Assert.Equal(new[] { "flat", "multiboot-test", "linux" }, templates.Select(t => t.Name));
            Assert.Equal(new uint[] { 64, 128, 256 }, templates.Select(t => t.MemoryMiB));
            Assert.Equal(new uint[] { 1, 2, 3 }, templates.Select(t => t.Vcpus));
            Assert.Equal(new[] { "flat", "multiboot", "linux" }, templates.Select(t => t.EntryMode));

            // CreateVm (non-ASCII name survives)
            uint id = c.CreateVm("linux", "wébserver-1", 512, 2);
            var vm = loop.Host.Find(id);
            Assert.Equal("wébserver-1", vm.Name);
            Assert.Equal("linux", vm.Template);
            Assert.Equal(512u, vm.MemoryMiB);
            Assert.Equal(2u, vm.Vcpus);

            // Life cycle
            c.StartVm(id);
            Assert.Equal(VmState.Running, vm.State);
            c.PauseVm(id);
            Assert.Equal(VmState.Paused, vm.State);
            c.ResumeVm(id);
            Assert.Equal(VmState.Running, vm.State);

            // Console
            vm.Output = Encoding.ASCII.GetBytes("Linux version 6.x\nLogin: ");
            ConsoleChunk chunk = c.ReadConsole(id, 0);
            Assert.Equal("Linux version 6.x\nLogin: ", Encoding.ASCII.GetString(chunk.Data));
            Assert.Equal((ulong)vm.Output.Length, chunk.NextOffset);
            Assert.False(chunk.Dropped);
            Assert.Equal(0UL, chunk.StartOffset);
            chunk = c.ReadConsole(id, chunk.NextOffset);
            Assert.Empty(chunk.Data);
            chunk = c.ReadConsole(id, 6, 7);
            Assert.Equal("version", Encoding.ASCII.GetString(chunk.Data));
            vm.OldestAvailable = 10;
            chunk = c.ReadConsole(id, 0, 4);
            Assert.True(chunk.Dropped);
            Assert.Equal(10UL, chunk.StartOffset);
            Assert.Equal(5, c.WriteConsole(id, Encoding.ASCII.GetBytes("root\n")));
            Assert.Equal("root\n", Encoding.ASCII.GetString(vm.Input.ToArray()));
            var big = new byte[10000];
            new Random(1).NextBytes(big);
            Assert.Equal(10000, c.WriteConsole(id, big));
            Assert.Equal(big, vm.Input.Skip(5).ToArray());
            vm.InputCapacity = vm.Input.Count + 100;
            Assert.Equal(100, c.WriteConsole(id, big));

            // Metrics and GetVm
            for (int i = 0; i < vm.Counters.Length; i++)
            {
                vm.Counters[i] = (ulong)(i + 1) * 1000003UL;
            }
            vm.Counters[(int)CounterId.GuestTsc] = ulong.MaxValue;
            VmMetrics m = c.GetMetrics(id);
            Assert.Equal(1000003UL, m.TotalExits);
            Assert.Equal(2000006UL, m.IoExits);
            Assert.Equal(3000009UL, m.EptExits);
            Assert.Equal(4000012UL, m.HltExits);
            Assert.Equal(5000015UL, m.CpuidExits);
            Assert.Equal(6000018UL, m.MsrExits);
            Assert.Equal(7000021UL, m.InterruptExits);
            Assert.Equal(8000024UL, m.OtherExits);
            Assert.Equal(9000027UL, m.ConsoleBytesOut);
            Assert.Equal(10000030UL, m.ConsoleBytesIn);
            Assert.Equal(ulong.MaxValue, m.GuestTsc);
            Assert.Equal(12000036UL, m.RunTimeMs);

            c.StopVm(id, force: true, gracefulTimeoutMs: 2500);
            Assert.True(loop.Host.LastForce);
            Assert.Equal(2500u, loop.Host.LastGracefulTimeout);
            vm.ExitCode = -17;
            VmInfo details = c.GetVm(id);
            Assert.False(details.IsSummary);
            Assert.Equal(id, details.Id);
            Assert.Equal("wébserver-1", details.Name);
            Assert.Equal(VmState.Stopped, details.State);
            Assert.Equal(StopReason.Forced, details.StopReason);
            Assert.Equal("forced by request", details.StopDetail);
            Assert.Equal(-17, details.ExitCode);
            Assert.Equal(512u, details.MemoryMiB);
            Assert.Equal(2u, details.Vcpus);
            Assert.Equal("linux", details.Template);
            Assert.Equal(ulong.MaxValue, details.Metrics.GuestTsc);

            // ListVms
            uint id2 = c.CreateVm("flat", "second");
            VmInfo[] list = c.ListVms();
            Assert.Equal(2, list.Length);
            Assert.Equal(new[] { id, id2 }, list.Select(v => v.Id));
            Assert.Equal("second", list[1].Name);
            Assert.Equal(VmState.Created, list[1].State);
            Assert.Equal(64u, list[1].MemoryMiB);
            Assert.True(list[0].IsSummary);
            Assert.Null(list[0].Metrics);
            Assert.Equal(StopReason.Forced, list[0].StopReason);

            // RemoveVm
            c.RemoveVm(id);
            Assert.Null(loop.Host.Find(id));
            Assert.Single(c.ListVms());
            Assert.Equal(0, loop.Server.AuthFailures);
            Assert.Equal(0, loop.Server.BadFrames);
        }

        [Fact]
        public void HostErrors_RaiseProtocolException_WithCodeAndMessage()
        {
            using var loop = new Loop();
            var e = Assert.Throws<HvProtocolException>(() => loop.Client.StartVm(77));
            Assert.Equal(ErrorCode.NotFound, e.Code);
            Assert.Equal(Opcode.StartVm, e.Operation);
            Assert.Equal("no such VM", e.Detail);
            Assert.Contains("StartVm failed: NotFound", e.Message);
            Assert.Contains("no such VM", e.Message);
            Assert.Equal("Hv.NotFound", e.ErrorId);

            uint id = loop.Client.CreateVm("flat", "x");
            loop.Client.StartVm(id);
            e = Assert.Throws<HvProtocolException>(() => loop.Client.StartVm(id));
            Assert.Equal(ErrorCode.InvalidState, e.Code);
            e = Assert.Throws<HvProtocolException>(() => loop.Client.CreateVm("nope", "y"));
            Assert.Equal(ErrorCode.NotFound, e.Code);
            e = Assert.Throws<HvProtocolException>(() => loop.Client.CreateVm("flat", "x"));
            Assert.Equal(ErrorCode.AlreadyExists, e.Code);
            e = Assert.Throws<HvProtocolException>(() => loop.Client.CreateVm("flat", new string('n', 65)));
            Assert.Equal(ErrorCode.TooLarge, e.Code);
            Assert.Throws<ArgumentException>(() => loop.Client.CreateVm("flat", ""));
            // The connection is still fine after errors.
            Assert.Single(loop.Client.ListVms());
        }

        [Fact]
        public void WrongKey_ConnectFails_AuthFailed()
        {
            using var loop = new Loop(connect: false);
            var e = Assert.Throws<HvProtocolException>(() => HvClient.Connect(loop.Transport, TestKeys.Key(3), 2000));
            Assert.Equal(ErrorCode.AuthFailed, e.Code);
            Assert.Contains("wrong key", e.Message);
            Assert.False(loop.Server.HasSession);
        }

        [Fact]
        public void KeyAsText_Connects()
        {
            using var loop = new Loop(connect: false);
            string text = HvClient.FormatKey(loop.Key);
            using var client = HvClient.Connect(loop.Transport, text, 2000);
            Assert.Equal("Hv 0.1.0", client.GetHostInfo().Version);
            Assert.Throws<ArgumentException>(() => HvClient.ParseKey("abc"));
            Assert.Equal(32, HvClient.GenerateKey().Length);
        }

        [Fact]
        public void TamperedResponse_IsIgnored_ThenTimesOut_ThenSessionStillWorks()
        {
            using var loop = new Loop();
            loop.Host.Add("a");
            bool tamper = true;
            loop.Transport.ToClient = data =>
            {
                if (!tamper)
                {
                    return data;
                }
                // Decode, flip a body byte, re-frame with a good CRC: only the MAC can catch it.
                var frames = ServerHarness.DecodeAll(data);
                var bytes = frames[0].Bytes;
                bytes[frames[0].BodyOffset + 2] ^= 0x20;
                var enc = new FrameEncoder();
                int n = enc.Encode(bytes, 0, bytes.Length);
                return enc.Output.AsSpan(0, n).ToArray();
            };
            var e = Assert.Throws<HvConnectionException>(() => loop.Client.GetVm(1, timeoutMs: 200));
            Assert.True(e.IsTimeout);
            Assert.True(loop.Client.IgnoredFrames >= 1);
            tamper = false;
            Assert.Equal("a", loop.Client.GetVm(1).Name);
        }

        [Fact]
        public void TamperedRequest_ServerRefuses_ClientRaisesAuthFailed()
        {
            using var loop = new Loop();
            var vm = loop.Host.Add("a", VmState.Created);
            loop.Transport.ToServer = data =>
            {
                var frames = ServerHarness.DecodeAll(data);
                var bytes = frames[0].Bytes;
                bytes[frames[0].BodyOffset] ^= 0x01; // VM id 1 -> 0
                var enc = new FrameEncoder();
                int n = enc.Encode(bytes, 0, bytes.Length);
                return enc.Output.AsSpan(0, n).ToArray();
            };
            var e = Assert.Throws<HvProtocolException>(() => loop.Client.StartVm(vm.Id));
            Assert.Equal(ErrorCode.AuthFailed, e.Code);
            Assert.Equal(VmState.Created, vm.State);
            Assert.Equal(0, loop.Host.Executed);
        }

        [Fact]
        public void LostResponse_Timeout_LateAnswerSkipped()
        {
            using var loop = new Loop();
            loop.Host.Add("a");
            byte[] held = null;
            loop.Transport.ToClient = data =>
            {
                if (held == null)
                {
                    held = data;
                    return null; // drop the first answer
                }
                return data;
            };
            Assert.Throws<HvConnectionException>(() => loop.Client.GetVm(1, timeoutMs: 100));
            loop.Transport.ToClient = null;
            loop.Transport.Deliver(held, 0, held.Length); // the late answer arrives now
            VmInfo[] list = loop.Client.ListVms();          // must not be confused by it
            Assert.Single(list);
        }

        [Fact]
        public void LineNoise_BetweenFrames_IsTolerated()
        {
            using var loop = new Loop();
            loop.Host.Add("a");
            var rng = new Random(3);
            loop.Transport.ToClient = data =>
            {
                var noise = new byte[rng.Next(1, 40)];
                rng.NextBytes(noise);
                return noise.Concat(data).ToArray();
            };
            loop.Transport.ToServer = data =>
            {
                var noise = new byte[rng.Next(1, 40)];
                rng.NextBytes(noise);
                return noise.Concat(data).Concat(noise).ToArray();
            };
            for (int i = 0; i < 50; i++)
            {
                Assert.Equal("a", loop.Client.GetVm(1).Name);
            }
        }

        [Fact]
        public void Reconnect_NewSession_OldFramesDead()
        {
            using var loop = new Loop();
            loop.Host.Add("a");
            Assert.Equal(1, loop.Transport.Opens);
            loop.Client.Reconnect();
            Assert.Equal(2, loop.Transport.Opens);
            Assert.Equal("a", loop.Client.GetVm(1).Name);
            loop.Transport.Close();
            Assert.Throws<HvConnectionException>(() => loop.Client.GetVm(1));
            loop.Client.Reconnect();
            Assert.Equal("a", loop.Client.GetVm(1).Name);
        }

        [Fact]
        public void SecondClient_TakesOver_FirstGetsAuthFailed()
        {
            using var loop = new Loop();
            loop.Host.Add("a");
            var other = new LoopbackTransport(loop.Server);
            // Both clients share one server; route output to whoever spoke last.
            loop.Sink.Transport = other;
            using var second = HvClient.Connect(other, loop.Key, 2000);
            Assert.Equal("a", second.GetVm(1).Name);
            loop.Sink.Transport = loop.Transport;
            var e = Assert.Throws<HvProtocolException>(() => loop.Client.GetVm(1));
            Assert.Equal(ErrorCode.AuthFailed, e.Code);
        }

        [Fact]
        public void ConcurrentCalls_AreSerialised()
        {
            using var loop = new Loop();
            for (int i = 0; i < 20; i++)
            {
                loop.Host.Add("vm" + i);
            }
            Parallel.For(0, 8, t =>
            {
                for (int i = 0; i < 50; i++)
                {
                    uint id = (uint)((t * 50 + i) % 20 + 1);
                    Assert.Equal("vm" + (id - 1), loop.Client.GetVm(id).Name);
                    if (i % 10 == 0)
                    {
                        Assert.Equal(20, loop.Client.ListVms().Length);
                    }
                }
            });
            Assert.Equal(0, loop.Server.AuthFailures);
        }

        [Fact]
        public void ListVms_ManyVms_PagesTransparently()
        {
            using var loop = new Loop();
            for (int i = 0; i < 1000; i++)
            {
                loop.Host.Add("vm-with-a-longer-name-" + i.ToString("D4"));
            }
            VmInfo[] list = loop.Client.ListVms();
            Assert.Equal(1000, list.Length);
            Assert.Equal(Enumerable.Range(1, 1000).Select(i => (uint)i), list.Select(v => v.Id));
            Assert.Equal("vm-with-a-longer-name-0999", list[999].Name);
        }

        [Fact]
        public void Timeout_WhenNoServerAnswers()
        {
            var transport = new LoopbackTransport(null);
            transport.ToServer = _ => null; // black hole
            var e = Assert.Throws<HvConnectionException>(() => HvClient.Connect(transport, TestKeys.Key(1), 150));
            Assert.True(e.IsTimeout);
        }

        [Fact]
        public void Disposed_Client_Throws()
        {
            var loop = new Loop();
            loop.Client.Dispose();
            Assert.Throws<ObjectDisposedException>(() => loop.Client.GetHostInfo());
        }
    }
}
