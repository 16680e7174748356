using System;
using System.Linq;
using Hv.Crypto;
using Hv.Protocol.Wire;
using Hv.Testing;
using Xunit.Abstractions;

namespace Hv.Protocol.Tests
{
    public class FuzzAndSizeTests
    {
        private readonly ITestOutputHelper _out;

        public FuzzAndSizeTests(ITestOutputHelper output)
        {
            _out = output;
        }

        private struct XorShift
        {
            private ulong _s;
            public XorShift(ulong seed) { _s = seed | 1; }
            public uint Next()
            {
                _s ^= _s << 13;
                _s ^= _s >> 7;
                _s ^= _s << 17;
                return (uint)(_s >> 16);
            }
            public int Next(int max) => (int)(Next() % (uint)max);
        }

        [Fact]
        public void ListOf100Vms_With8CharNames_FitsTheBudget()
        {
            using var loop = new Loop();
            for (int i = 0; i < 100; i++)
            {
                string name = "vm" + i.ToString("D6");
                Assert.Equal(8, name.Length);
                loop.Host.AddVm(name, "spin", i % 3 == 0 ? VmState.Stopped : VmState.Running);
            }
            long before = loop.Transport.BytesToClient;
            long sentBefore = loop.Transport.BytesToServer;
            var list = loop.Client.ListVms();
            long wire = loop.Transport.BytesToClient - before;
            long request = loop.Transport.BytesToServer - sentBefore;
            Assert.Equal(100, list.Length);
            _out.WriteLine("ListVms(100 x 8-char names): response " + wire + " bytes on the wire, request " + request + " bytes");
            Assert.True(wire <= 3400, "response is " + wire + " bytes");

            long b2 = loop.Transport.BytesToClient;
            loop.Client.GetVm(1);
            _out.WriteLine("GetVm response: " + (loop.Transport.BytesToClient - b2) + " bytes");

            // The memory accounting in the entry extension (2 varints a VM) is in that figure: the running clones share
            // the template's pages, the stopped ones hold none.
            Assert.All(list, v => Assert.True(v.HasPages));
            Assert.All(list.Where(v => v.State == VmState.Running), v => Assert.True(v.SharedPages > 0));
            Assert.All(list.Where(v => v.State == VmState.Stopped), v => Assert.Equal((0UL, 0UL), (v.PrivatePages, v.SharedPages)));

            // One full template chunk (4 KiB of random data) on the wire, and its answer.
            var sha = new byte[32];
            var start = loop.Client.BeginTemplateUpload("t", GuestEntryMode.Real, 1, 8192, sha);
            Assert.Equal(0UL, start.NextOffset);
            var data = new byte[4096];
            new Random(5).NextBytes(data);
            long up = loop.Transport.BytesToServer;
            long down = loop.Transport.BytesToClient;
            loop.Client.UploadTemplateChunk(start.Id, 0, data, 0, 4096);
            _out.WriteLine("UploadTemplateChunk(4096): request " + (loop.Transport.BytesToServer - up) + " bytes, answer " + (loop.Transport.BytesToClient - down) + " bytes");
            Assert.True(loop.Transport.BytesToServer - up <= 4096 + 64);
        }

        [Fact]
        public void Decoder_OversizeFrame_Dropped_NextFrameFine()
        {
            var decoder = new FrameDecoder(64);
            for (int i = 0; i < 500; i++)
            {
                Assert.Equal(FrameStatus.NeedMore, decoder.Push(0x42));
            }
            Assert.Equal(FrameStatus.Oversize, decoder.Push(0));
            var enc = new FrameEncoder(64);
            byte[] payload = { 1, 2, 3 };
            int n = enc.Encode(payload, 0, 3);
            FrameStatus last = FrameStatus.NeedMore;
            for (int i = 0; i < n; i++)
            {
                var s = decoder.Push(enc.Output[i]);
                if (s != FrameStatus.NeedMore) last = s;
            }
            Assert.Equal(FrameStatus.FrameReady, last);
            Assert.Equal(3, decoder.FrameLength);
            Assert.Equal(1, decoder.OversizeFrames);
        }

        [Fact]
        public void Decoder_CutOffFrameThenGoodFrame()
        {
            var decoder = new FrameDecoder();
            var enc = new FrameEncoder();
            byte[] payload = new byte[600];
            new Random(2).NextBytes(payload);
            int n = enc.Encode(payload, 0, payload.Length);
            byte[] first = enc.Output.AsSpan(0, n).ToArray();
            int events = 0;
            // The cut-off frame (no trailing delimiter) is glued to the next frame's leading 0x00: dropped as bad.
            for (int i = 0; i < n / 2; i++)
            {
                if (decoder.Push(first[i]) != FrameStatus.NeedMore) events++;
            }
            var statuses = new System.Collections.Generic.List<FrameStatus>();
            foreach (byte b in first)
            {
                var s = decoder.Push(b);
                if (s != FrameStatus.NeedMore) statuses.Add(s);
            }
            Assert.Equal(new[] { FrameStatus.BadFrame, FrameStatus.FrameReady }, statuses);
            Assert.Equal(payload, decoder.Buffer.AsSpan(0, decoder.FrameLength).ToArray());
        }

        /// <summary>
        /// 10^6 random and mutated frames through the decoder and the server: nothing throws, nothing is executed,
        /// nothing is allocated, and interleaved valid requests keep being answered.
        /// </summary>
        [Fact]
        public void MillionRandomAndMutatedFrames_NoException_NoAllocation_NothingExecuted()
        {
            var h = new ServerHarness();
            uint vm = h.AddVm("target");
            h.Handshake();
            Assert.Equal(ErrorCode.Ok, h.Send(h.Request(Opcode.GetVm, w => w.WriteVarUInt(vm)))[0].Status);
            long requestsBefore = h.Server.Requests;

            // Valid authenticated frames (decoded form) of every operation to mutate, with sequence numbers far
            // ahead so mutated copies reach the MAC check.
            Action<MessageWriter>[] bodies =
            {
                w => w.WriteVarUInt(vm),
                w => { w.WriteString("flat", 64); w.WriteString("fuzzed", 64); w.WriteVarUInt(64); w.WriteVarUInt(1); },
                w => { w.WriteVarUInt(vm); w.WriteByte(1); w.WriteVarUInt(100); },
                w => { w.WriteVarUInt(vm); w.WriteBlock(new byte[40], 0, 40); },
                w => { w.WriteVarUInt(vm); w.WriteVarUInt(0); w.WriteVarUInt(100); },
                w => w.WriteVarUInt(0),
                // Opcodes 15..31.
                w => { w.WriteString("flat", 64); w.WriteString("clone", 64); w.WriteVarUInt(0); w.WriteVarUInt(0); w.WriteVarUInt(3); },
                w => { w.WriteVarUInt(vm); w.WriteString("fork", 64); },
                w => { w.WriteVarUInt(vm); w.WriteString("snap", 64); },
                w => { w.WriteVarUInt(vm); w.WriteVarUInt(0); },
                w => { w.WriteVarUInt(vm); w.WriteVarUInt(1); },
                w => { w.WriteString("tpl", 64); w.WriteByte(2); w.WriteVarUInt(16); w.WriteVarUInt(5000); w.WriteRaw(new byte[32], 0, 32); w.WriteString("console=ttyS0", 1024); },
                w => { w.WriteVarUInt(1); w.WriteVarUInt(0); w.WriteBlock(new byte[300], 0, 300); },
                w => w.WriteString("tpl", 64),
                w => { w.WriteVarUInt(1); w.WriteVarUInt(0); w.WriteVarUInt(4096); },
                w => { w.WriteString("imported", 64); w.WriteVarUInt(5000); },
                w => { w.WriteVarUInt(2); w.WriteVarUInt(0); w.WriteBlock(new byte[64], 0, 64); },
                w => w.WriteVarUInt(2),
            };
            Opcode[] ops =
            {
                Opcode.StartVm, Opcode.CreateVm, Opcode.StopVm, Opcode.WriteConsole, Opcode.ReadConsole, Opcode.ListVms,
                Opcode.CreateVms, Opcode.ForkVm, Opcode.CheckpointVm, Opcode.ListSnapshots, Opcode.RestoreSnapshot,
                Opcode.BeginTemplateUpload, Opcode.UploadTemplateChunk, Opcode.RemoveTemplate, Opcode.ReadExport,
                Opcode.BeginImport, Opcode.WriteImport, Opcode.CommitImport,
            };
            Assert.Equal(bodies.Length, ops.Length);
            var bases = new byte[ops.Length][];
            ulong lastSent = h.Session.LastSent;
            for (int i = 0; i < ops.Length; i++)
            {
                var wire = h.Request(ops[i], bodies[i], sequence: 1_000_000_000_000UL + (ulong)i);
                bases[i] = ServerHarness.DecodeAll(wire)[0].Bytes;
            }
            h.Session.LastSent = lastSent;

            var server = h.Server;
            var session = h.Session;
            var encoder = new FrameEncoder();
            var work = new byte[ProtocolInfo.MaxFrameBytes + 64];
            var raw = new byte[ProtocolInfo.MaxFrameBytes + 600];
            var valid = new byte[128];
            var writer = new MessageWriter();
            var rng = new XorShift(12345);
            long authBefore = server.AuthFailures;
            long validSent = 0;
            const int Frames = 1_000_000;

            // Warm up every path once (JIT), then measure.
            for (int k = 0; k < 200; k++)
            {
                RunOne(k, k % 6);
            }
            var watch = System.Diagnostics.Stopwatch.StartNew(); // allocates: start it before measuring
            // Four rounds, the fewest bytes counts: a per-frame allocation shows in each, the runtime's one-off work in one.
            int next = 200;
            long allocated = AllocationRounds.Fewest(4, () =>
            {
                int end = next + (Frames - 200) / 4;
                for (int i = next; i < end; i++)
                {
                    RunOne(i, i % 1000 == 999 ? 4 : (i % 5000 == 17 ? 5 : rng.Next(4)));
                }
                next = end;
            });
            watch.Stop();

            _out.WriteLine(Frames + " frames in " + watch.ElapsedMilliseconds + " ms; allocated " + allocated
                + " bytes; bad frames " + server.BadFrames + ", auth failures " + (server.AuthFailures - authBefore)
                + ", valid answered " + (h.Server.Requests - requestsBefore) + "/" + validSent);
            Assert.Equal(0, allocated);
            // Only the genuine GetVm requests were carried out: the host has its one VM, unchanged, and nothing else.
            Assert.Equal(validSent, h.Server.Requests - requestsBefore);
            Assert.Equal(1, h.Host.WithHypervisor(hv => hv.Vms.Count));
            Assert.Equal(4, h.Host.WithHypervisor(hv => hv.Templates.Count));
            Assert.Equal("target", h.Host.WithHypervisor(hv => hv.Find(vm).Name));
            Assert.Equal(VmState.Created, h.Host.StateOf(vm));
            Assert.True(server.AuthFailures - authBefore > Frames / 4);
            Assert.True(server.BadFrames > Frames / 10);

            void RunOne(int i, int kind)
            {
                switch (kind)
                {
                    case 0:
                    {
                        // Raw line noise, zeros included: goes through COBS/CRC rejection.
                        int n = rng.Next(80);
                        for (int k = 0; k < n; k++)
                        {
                            raw[k] = rng.Next(8) == 0 ? (byte)0 : (byte)rng.Next(256);
                        }
                        if ((i & 1) == 0)
                        {
                            server.Receive(raw, 0, n);
                        }
                        else
                        {
                            for (int k = 0; k < n; k++)
                            {
                                server.Receive(raw[k]);
                            }
                        }
                        break;
                    }
                    case 1:
                    case 2:
                    {
                        // A valid frame, mutated (flip, truncate, extend), re-framed with a good CRC.
                        byte[] b = bases[rng.Next(bases.Length)];
                        int len = b.Length;
                        for (int k = 0; k < len; k++)
                        {
                            work[k] = b[k];
                        }
                        int mutations = 1 + rng.Next(3);
                        for (int m = 0; m < mutations; m++)
                        {
                            int what = rng.Next(4);
                            if (what == 0 && len > 1)
                            {
                                len = 1 + rng.Next(len - 1);
                            }
                            else if (what == 1)
                            {
                                int extra = 1 + rng.Next(20);
                                for (int k = 0; k < extra; k++)
                                {
                                    work[len++] = (byte)rng.Next(256);
                                }
                            }
                            else
                            {
                                work[rng.Next(len)] ^= (byte)(1 + rng.Next(255));
                            }
                        }
                        // Mutations can cancel out (extend then truncate back): then it is a genuine frame.
                        bool same = len == b.Length;
                        for (int k = 0; same && k < len; k++)
                        {
                            same = work[k] == b[k];
                        }
                        if (same)
                        {
                            work[len - 1] ^= 0x80;
                        }
                        int n = encoder.Encode(work, 0, len);
                        server.Receive(encoder.Output, 0, n);
                        break;
                    }
                    case 3:
                    {
                        // Random content with a good CRC and a plausible header (any opcode, incl. Handshake).
                        int len = 2 + rng.Next(60);
                        for (int k = 0; k < len; k++)
                        {
                            work[k] = (byte)rng.Next(256);
                        }
                        work[0] = rng.Next(4) == 0 ? (byte)rng.Next(256) : ProtocolInfo.Version;
                        work[1] = (byte)rng.Next(40);
                        int n = encoder.Encode(work, 0, len);
                        server.Receive(encoder.Output, 0, n);
                        break;
                    }
                    case 4:
                    {
                        // A genuine request: it must still be answered among all the noise.
                        ulong seq = session.LastSent + 1;
                        session.LastSent = seq;
                        writer.Reset(valid, 0, valid.Length - 16);
                        FrameLayout.WriteHeader(writer, (int)Opcode.GetVm, (uint)i, seq);
                        writer.WriteVarUInt(vm);
                        int content = writer.Length;
                        session.ComputeMac(Session.ClientToServer, seq, valid, 0, content, valid, content);
                        int n = encoder.Encode(valid, 0, content + 16);
                        server.Receive(encoder.Output, 0, n);
                        validSent++;
                        break;
                    }
                    default:
                    {
                        // Oversize: more than a frame's worth without a delimiter.
                        int n = ProtocolInfo.MaxFrameBytes + 100 + rng.Next(400);
                        raw[0] = 0;
                        for (int k = 1; k < n; k++)
                        {
                            raw[k] = (byte)(1 + rng.Next(255));
                        }
                        raw[n - 1] = 0;
                        server.Receive(raw, 0, n);
                        break;
                    }
                }
            }
        }
    }
}
