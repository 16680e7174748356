using System;
using System.Linq;
using System.Text;
using Hv.Protocol.Client;
using Hv.Protocol.Messages;
using Hv.Protocol.Wire;

using Hv.Emulators;
using Hv.Testing;

namespace Hv.SystemTests
{
    public sealed class BochsHostFixture : IDisposable
    {
        public RunningHost Host { get; } = RunningHost.Start();
        public void Dispose() => Host.Dispose();
    }

    /// <summary>Hostile traffic against the real image over COM1: every refused frame executes nothing, and the host keeps serving.</summary>
    public class ProtocolAbuseTests : IClassFixture<BochsHostFixture>
    {
        private readonly RunningHost _host;
        public ProtocolAbuseTests(BochsHostFixture fixture) { _host = fixture.Host; }


        // Decodes one recorded wire frame, lets `change` edit its content, and encodes it again with a correct CRC.
        private static byte[] Reframe(byte[] wire, Action<byte[], int> change)
        {
            var decoder = new FrameDecoder();
            foreach (byte b in wire)
            {
                if (decoder.Push(b) != FrameStatus.FrameReady) continue;
                byte[] frame = decoder.Buffer.AsSpan(0, decoder.FrameLength).ToArray();
                change(frame, frame.Length);
                var encoder = new FrameEncoder();
                int n = encoder.Encode(frame, 0, frame.Length);
                return encoder.Output.AsSpan(0, n).ToArray();
            }
            throw new InvalidOperationException("no frame in the recorded write");
        }

        private static int IndexOf(byte[] haystack, string ascii)
        {
            byte[] needle = Encoding.ASCII.GetBytes(ascii);
            for (int i = 0; i + needle.Length <= haystack.Length; i++)
                if (haystack.AsSpan(i, needle.Length).SequenceEqual(needle)) return i;
            return -1;
        }

        [Fact]
        public void A_wrong_key_is_refused_and_logged()
        {
            string wrong = new string(_host.KeyHex.Select((c, i) => i == 0 ? (c == '0' ? '1' : '0') : c).ToArray());
            using var guard = _host.Within(TimeSpan.FromSeconds(60));
            var e = Assert.ThrowsAny<Exception>(() => _host.Connect(wrong));
            Assert.True(e is HvProtocolException p && p.Code == ErrorCode.AuthFailed, e.ToString());
            _host.WaitForLog("failed authentication", TimeSpan.FromSeconds(30));
        }

        [Fact]
        public void Replayed_and_tampered_frames_execute_nothing_and_the_session_goes_on()
        {
            var line = new RecordingTransport("127.0.0.1", _host.Port);
            using var guard = _host.Within(TimeSpan.FromSeconds(60));
            using var client = _host.Connect(transport: line);
            int before = line.Writes.Count;
            uint id = client.CreateVm("hello", "x1");
            byte[] create = line.Writes[before];
            client.RemoveVm(id);

            line.SendRaw(create); // the same frame again: an old sequence number
            line.SendRaw(Reframe(create, (frame, length) => frame[IndexOf(frame, "x1")] = (byte)'y')); // content changed, CRC fixed, MAC not
            // The line is in order: the host has dealt with both frames before it answers the next request.

            string[] names = client.ListVms().Select(v => v.Name).ToArray();
            Assert.DoesNotContain("x1", names);
            Assert.DoesNotContain("y1", names);
            Assert.Equal("0.1.0", client.GetHostInfo().Version);
        }

        [Fact]
        public void Sixty_abandoned_4MiB_uploads_under_one_name_are_all_answered_and_give_their_memory_back()
        {
            // Each new digest under the name drops the unfinished upload before it; its 4 MiB go back to the page
            // allocator at once (the host used to keep them and stopped answering at the 31st).
            using var guard = _host.Within(TimeSpan.FromSeconds(300));
            using var client = _host.Connect();
            ulong freeBefore = client.GetHostInfo().MemoryFreeBytes;
            for (int i = 0; i < 60; i++)
            {
                var sha = new byte[32];
                sha[0] = (byte)(i + 1);
                Assert.Equal(0UL, client.BeginTemplateUpload("abandoned", GuestEntryMode.Real, 1, 4UL << 20, sha).NextOffset);
            }
            ulong held = freeBefore - client.GetHostInfo().MemoryFreeBytes;
            Assert.True(held >= 4UL << 20 && held < (4UL << 20) + (256UL << 10), $"{held} bytes held by one unfinished upload");
            // Removing the (absent) template drops the unfinished upload of its name.
            var e = Assert.Throws<HvProtocolException>(() => client.RemoveTemplate("abandoned"));
            Assert.Equal(ErrorCode.NotFound, e.Code);
            ulong after = client.GetHostInfo().MemoryFreeBytes;
            Assert.True(after + (256UL << 10) > freeBefore, $"{freeBefore - after} bytes not given back");
        }

        [Fact]
        public void Ten_thousand_garbage_and_mutated_frames_leave_the_host_answering_and_a_running_vm_undisturbed()
        {
            var line = new RecordingTransport("127.0.0.1", _host.Port);
            // The client's own requests queue behind about 200 KB of noise on the 115200-baud line.
            using var guard = _host.Within(TimeSpan.FromSeconds(600));
            using var client = _host.Connect(transport: line);
            int before = line.Writes.Count;
            uint vm = client.CreateVm("hello", "steady");
            byte[] sample = line.Writes[before];
            client.StartVm(vm);

            var random = new Random(1234);
            var noise = new System.IO.MemoryStream();
            for (int i = 0; i < 10000; i++)
            {
                if (i % 2 == 0)
                {
                    byte[] garbage = new byte[1 + random.Next(12)];
                    random.NextBytes(garbage);
                    noise.Write(garbage);
                    noise.WriteByte(0);
                }
                else
                {
                    byte[] mutated = (byte[])sample.Clone();
                    mutated[1 + random.Next(mutated.Length - 2)] ^= (byte)(1 + random.Next(255));
                    noise.Write(mutated);
                }
            }
            line.SendRaw(noise.ToArray());

            Assert.Equal("0.1.0", client.GetHostInfo().Version);
            VmInfo info = null;
            _host.WaitUntil(() => (info = client.GetVm(vm)).State == VmState.Stopped, TimeSpan.FromSeconds(120), "the hello VM stopped");
            Assert.Equal(StopReason.GuestExit, info.StopReason);
            Assert.Equal(0, info.ExitCode);
            Assert.Contains("hello from guest 5", Encoding.ASCII.GetString(client.ReadConsole(vm, 0).Data));
            client.RemoveVm(vm);
        }
    }
}
