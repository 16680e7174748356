using System;
using System.Linq;
using System.Text;
using System.Threading.Tasks;
using Hv.Protocol.Client;
using Hv.Protocol.Messages;
using Hv.Testing;
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

            // HostInfo: the host's own facts.
            loop.Host.AdvanceClock(123_456);
            HostInfo info = c.GetHostInfo();
            Assert.Equal("0.1.0-inprocess", info.Version);
            Assert.Equal(0UL, info.CpuFeatures);
            Assert.Equal("scripted", info.CpuFeatureNames);
            Assert.Equal(1UL << 30, info.MemoryTotalBytes);
            Assert.Equal((1UL << 30) - (ulong)loop.Host.Pages.Outstanding * 4096, info.MemoryFreeBytes);
            Assert.Equal(123_456UL, info.UptimeMs);
            Assert.Equal(0u, info.VmCount);
            Assert.True(info.HasMemorySharedBytes);
            Assert.Equal(loop.Host.WithHypervisor(hv => hv.Sharing.CountSharedPages()) * 4096, info.MemorySharedBytes);
            Assert.Equal(1, info.ProtocolVersion);

            // ListTemplates
            loop.Host.AddTemplate("chatty", "say Linux version 6.x\nsay Login:\nspin");
            TemplateInfo[] templates = c.ListTemplates();
            Assert.Equal(new[] { "hello", "spin", "halt", "fail", "chatty" }, templates.Select(t => t.Name));
            Assert.All(templates, t => Assert.Equal((1u, 1u, "real", 0UL, true), (t.MemoryMiB, t.Vcpus, t.EntryMode, t.Flags, t.HasFlags)));

            // CreateVm (a non-ASCII name survives; 2 MiB is not the template's size: a fresh load, not a clone)
            uint id = c.CreateVm("chatty", "wébserver-1", 2, 1);
            Assert.Equal("wébserver-1", loop.Host.WithHypervisor(hv => hv.Find(id).Name));
            Assert.Equal(2UL << 20, loop.Host.WithHypervisor(hv => hv.Find(id).MemorySize));
            Assert.Equal("chatty", loop.Host.WithHypervisor(hv => hv.Find(id).Template.Name));

            // Life cycle
            c.StartVm(id);
            Assert.Equal(VmState.Running, loop.Host.StateOf(id));
            c.PauseVm(id);
            Assert.Equal(VmState.Paused, loop.Host.StateOf(id));
            c.ResumeVm(id);
            Assert.Equal(VmState.Running, loop.Host.StateOf(id));
            loop.Host.RunGuests(3);

            // Console
            const string output = "Linux version 6.x\nLogin:\n";
            ConsoleChunk chunk = c.ReadConsole(id, 0);
            Assert.Equal(output, Encoding.ASCII.GetString(chunk.Data));
            Assert.Equal((ulong)output.Length, chunk.NextOffset);
            Assert.False(chunk.Dropped);
            Assert.Equal(0UL, chunk.StartOffset);
            chunk = c.ReadConsole(id, chunk.NextOffset);
            Assert.Empty(chunk.Data);
            Assert.Equal((ulong)output.Length, chunk.NextOffset);
            chunk = c.ReadConsole(id, 6, 7);
            Assert.Equal("version", Encoding.ASCII.GetString(chunk.Data));
            Assert.Equal(5, c.WriteConsole(id, Encoding.ASCII.GetBytes("root\n")));
            var big = new byte[10000];
            new Random(1).NextBytes(big);
            // The guest's input buffer holds 4096 bytes: the rest is refused, and the client stops sending there.
            Assert.Equal(VirtualMachineInput - 5, c.WriteConsole(id, big));
            Assert.Equal(0, c.WriteConsole(id, big));
            byte[] input = loop.Host.WithHypervisor(hv => TakeInput(hv.Find(id)));
            Assert.Equal(Encoding.ASCII.GetBytes("root\n").Concat(big.Take(VirtualMachineInput - 5)), input);

            // Metrics and GetVm: the hypervisor's own counts.
            VmMetrics m = c.GetMetrics(id);
            var counters = loop.Host.WithHypervisor(hv => hv.Find(id).Counters);
            Assert.Equal(counters.TotalExits, m.TotalExits);
            Assert.Equal((ulong)output.Length, m.IoExits);          // an OUT per character
            Assert.Equal((ulong)output.Length, m.ConsoleBytesOut);
            Assert.Equal(counters.TotalExits - m.IoExits, m.InterruptExits); // the rest: preemption-timer exits of the spin
            Assert.Equal(0UL, m.EptExits + m.HltExits + m.CpuidExits + m.MsrExits + m.OtherExits);
            Assert.Equal(counters.GuestTscTicks, m.GuestTsc);
            Assert.Equal(counters.GuestTscTicks / ScriptedProcessor.TicksPerMillisecond, m.RunTimeMs);
            Assert.True(m.Has(CounterId.SharedPages));
            Assert.Equal(loop.Host.WithHypervisor(hv => hv.Find(id).Memory.PrivatePages), m.PrivatePages);

            c.StopVm(id, force: true, gracefulTimeoutMs: 2500);
            VmInfo details = c.GetVm(id);
            Assert.False(details.IsSummary);
            Assert.Equal(id, details.Id);
            Assert.Equal("wébserver-1", details.Name);
            Assert.Equal(VmState.Stopped, details.State);
            Assert.Equal(StopReason.Forced, details.StopReason);
            Assert.Equal("turned off on request", details.StopDetail.ToNewString());
            Assert.Equal(0, details.ExitCode);
            Assert.Equal(2u, details.MemoryMiB);
            Assert.Equal(1u, details.Vcpus);
            Assert.Equal("chatty", details.Template);
            Assert.Equal(m.GuestTsc, details.Metrics.GuestTsc);

            // An exit code travels signed.
            uint failing = c.CreateVm("fail", "failing");
            c.StartVm(failing);
            loop.Host.RunGuests();
            VmInfo failed = c.GetVm(failing);
            Assert.Equal((VmState.Stopped, StopReason.GuestExit, 3, "debug-exit"),
                         (failed.State, failed.StopReason, failed.ExitCode, failed.StopDetail.ToNewString()));

            // ListVms
            VmInfo[] list = c.ListVms();
            Assert.Equal(new[] { id, failing }, list.Select(v => v.Id));
            Assert.Equal("failing", list[1].Name);
            Assert.Equal(VmState.Stopped, list[1].State);
            Assert.Equal(1u, list[1].MemoryMiB);
            Assert.True(list[0].IsSummary);
            Assert.Null(list[0].Metrics);
            Assert.Null(list[0].StopDetail);
            Assert.Equal(StopReason.Forced, list[0].StopReason);
            Assert.Equal(StopReason.GuestExit, list[1].StopReason);

            // RemoveVm
            c.RemoveVm(id);
            Assert.Equal(VmState.Removed, loop.Host.StateOf(id));
            Assert.Single(c.ListVms());
            Assert.Equal(0, loop.Server.AuthFailures);
            Assert.Equal(0, loop.Server.BadFrames);
        }

        private const int VirtualMachineInput = Hv.Core.Vm.VirtualMachine.ConsoleInputCapacity;

        private static byte[] TakeInput(Hv.Core.Vm.VirtualMachine vm)
        {
            var bytes = new System.Collections.Generic.List<byte>();
            while (vm.Console.TakeInput(out byte b)) bytes.Add(b);
            return bytes.ToArray();
        }

        [Fact]
        public void Console_ReadFromAnOverwrittenOffset_StartsAtTheOldestByteAndSaysDropped()
        {
            using var loop = new Loop();
            loop.Host.AddTemplate("flood", "flood 20000\nspin");
            uint id = loop.Client.CreateVm("flood", "f");
            loop.Client.StartVm(id);
            loop.Host.RunGuests(3);
            ConsoleChunk chunk = loop.Client.ReadConsole(id, 0, 4);
            Assert.True(chunk.Dropped);
            Assert.Equal(20000UL - (ulong)Hv.Core.Vm.VirtualMachine.ConsoleOutputCapacity, chunk.StartOffset);
            Assert.Equal("xxxx", Encoding.ASCII.GetString(chunk.Data));
            Assert.False(loop.Client.ReadConsole(id, chunk.NextOffset, 4).Dropped);
        }

        [Fact]
        public void HostErrors_RaiseProtocolException_WithCodeAndMessage()
        {
            using var loop = new Loop();
            var e = Assert.Throws<HvProtocolException>(() => loop.Client.StartVm(77));
            Assert.Equal(ErrorCode.NotFound, e.Code);
            Assert.Equal(Opcode.StartVm, e.Operation);
            Assert.Equal("no such VM or template", e.Detail);
            Assert.Contains("StartVm failed: NotFound", e.Message);
            Assert.Contains("no such VM or template", e.Message);
            Assert.Equal("Hv.NotFound", e.ErrorId);

            uint id = loop.Client.CreateVm("spin", "x");
            loop.Client.StartVm(id);
            e = Assert.Throws<HvProtocolException>(() => loop.Client.StartVm(id));
            Assert.Equal(ErrorCode.InvalidState, e.Code);
            e = Assert.Throws<HvProtocolException>(() => loop.Client.CreateVm("nope", "y"));
            Assert.Equal(ErrorCode.NotFound, e.Code);
            e = Assert.Throws<HvProtocolException>(() => loop.Client.CreateVm("spin", "x"));
            Assert.Equal(ErrorCode.AlreadyExists, e.Code);
            e = Assert.Throws<HvProtocolException>(() => loop.Client.CreateVm("spin", new string('n', 65)));
            Assert.Equal(ErrorCode.TooLarge, e.Code);
            e = Assert.Throws<HvProtocolException>(() => loop.Client.CreateVm("spin", "two-cpus", 0, 2));
            Assert.Equal(ErrorCode.InvalidArgument, e.Code); // spin is a bare VM: no APICs to start a second processor
            Assert.Contains("processor count", e.Detail);
            e = Assert.Throws<HvProtocolException>(() => loop.Client.CreateVm("spin", "huge", 2048));
            Assert.Equal(ErrorCode.InvalidArgument, e.Code);
            Assert.Throws<ArgumentException>(() => loop.Client.CreateVm("spin", ""));
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
            Assert.Equal("0.1.0-inprocess", client.GetHostInfo().Version);
            Assert.Throws<ArgumentException>(() => HvClient.ParseKey("abc"));
            Assert.Equal(32, HvClient.GenerateKey().Length);
        }

        [Fact]
        public void TamperedResponse_IsIgnored_ThenTimesOut_ThenSessionStillWorks()
        {
            using var loop = new Loop();
            loop.Host.AddVm("a");
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
            uint vm = loop.Host.AddVm("a");
            loop.Transport.ToServer = data =>
            {
                var frames = ServerHarness.DecodeAll(data);
                var bytes = frames[0].Bytes;
                bytes[frames[0].BodyOffset] ^= 0x01; // VM id 1 -> 0
                var enc = new FrameEncoder();
                int n = enc.Encode(bytes, 0, bytes.Length);
                return enc.Output.AsSpan(0, n).ToArray();
            };
            var e = Assert.Throws<HvProtocolException>(() => loop.Client.StartVm(vm));
            Assert.Equal(ErrorCode.AuthFailed, e.Code);
            Assert.Equal(VmState.Created, loop.Host.StateOf(vm));
            Assert.Equal(0, loop.Server.Requests);
        }

        [Fact]
        public void LostResponse_Timeout_LateAnswerSkipped()
        {
            using var loop = new Loop();
            loop.Host.AddVm("a");
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
            loop.Host.AddVm("a");
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
            loop.Host.AddVm("a");
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
            loop.Host.AddVm("a");
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
                loop.Host.AddVm("vm" + i);
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
            using var loop = new Loop(maxVms: 1024);
            for (int i = 0; i < 1000; i++)
            {
                loop.Host.AddVm("vm-with-a-longer-name-" + i.ToString("D4"));
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
