using System;
using Hv.Crypto;
using Hv.Protocol.Server;
using Hv.Protocol.Wire;
using Hv.Testing;

namespace Hv.Protocol.Tests
{
    /// <summary>The server's checks and limits for opcodes 15..31, with hand-built frames.</summary>
    public class ServerTransferTests
    {
        private static ErrorCode Status(ServerHarness h, Opcode op, Action<MessageWriter> body)
        {
            var f = Assert.Single(h.Send(h.Request(op, body)));
            Assert.Equal((int)op | 0x80, f.Opcode);
            return f.Status;
        }

        private static void Upload(MessageWriter w, string name = "t", byte mode = 0, ulong total = 10, int shaBytes = 32, string cmd = "")
        {
            w.WriteString(name, 64);
            w.WriteByte(mode);
            w.WriteVarUInt(1);
            w.WriteVarUInt(total);
            w.WriteRaw(new byte[shaBytes], 0, shaBytes);
            w.WriteString(cmd, 2000);
        }

        [Fact]
        public void Malformed_And_OverLimit_Requests_AreRefused_BeforeTheHost()
        {
            var h = new ServerHarness();
            uint vm = h.AddVm("a", state: VmState.Paused);
            h.Handshake();
            // CreateVms: count 0, over the limit, a number that does not fit the name, a bad name, truncated.
            Assert.Equal(ErrorCode.InvalidArgument, Status(h, Opcode.CreateVms, w => { w.WriteString("flat", 64); w.WriteString("x", 64); w.WriteVarUInt(0); w.WriteVarUInt(0); w.WriteVarUInt(0); }));
            Assert.Equal(ErrorCode.TooLarge, Status(h, Opcode.CreateVms, w => { w.WriteString("flat", 64); w.WriteString("x", 64); w.WriteVarUInt(0); w.WriteVarUInt(0); w.WriteVarUInt(257); }));
            Assert.Equal(ErrorCode.TooLarge, Status(h, Opcode.CreateVms, w => { w.WriteString("flat", 64); w.WriteString(new string('x', 62), 64); w.WriteVarUInt(0); w.WriteVarUInt(0); w.WriteVarUInt(10); }));
            Assert.Equal(ErrorCode.InvalidArgument, Status(h, Opcode.CreateVms, w => { w.WriteString("flat", 64); w.WriteString("a\tb", 64); w.WriteVarUInt(0); w.WriteVarUInt(0); w.WriteVarUInt(2); }));
            Assert.Equal(ErrorCode.InvalidArgument, Status(h, Opcode.CreateVms, w => { w.WriteString("flat", 64); w.WriteString("x", 64); w.WriteVarUInt(0); w.WriteVarUInt(0); }));
            // Fork / checkpoint: empty, control characters, over 64 bytes.
            Assert.Equal(ErrorCode.InvalidArgument, Status(h, Opcode.ForkVm, w => { w.WriteVarUInt(vm); w.WriteString("", 64); }));
            Assert.Equal(ErrorCode.InvalidArgument, Status(h, Opcode.CheckpointVm, w => { w.WriteVarUInt(vm); w.WriteString("s\u007f", 64); }));
            Assert.Equal(ErrorCode.TooLarge, Status(h, Opcode.CheckpointVm, w => { w.WriteVarUInt(vm); w.WriteBlock(new byte[65], 0, 65); }));
            Assert.Equal(ErrorCode.InvalidArgument, Status(h, Opcode.RestoreSnapshot, w => w.WriteVarUInt(vm)));
            Assert.Equal(ErrorCode.InvalidArgument, Status(h, Opcode.ListSnapshots, w => w.WriteVarUInt(vm)));
            // Template upload: entry mode, size 0, size over the limit, short digest, command line over 1024 or with control characters.
            Assert.Equal(ErrorCode.InvalidArgument, Status(h, Opcode.BeginTemplateUpload, w => Upload(w, mode: 3)));
            Assert.Equal(ErrorCode.InvalidArgument, Status(h, Opcode.BeginTemplateUpload, w => Upload(w, total: 0)));
            Assert.Equal(ErrorCode.TooLarge, Status(h, Opcode.BeginTemplateUpload, w => Upload(w, total: ProtocolInfo.MaxTransferBytes + 1)));
            Assert.Equal(ErrorCode.InvalidArgument, Status(h, Opcode.BeginTemplateUpload, w => Upload(w, shaBytes: 31, cmd: null)));
            Assert.Equal(ErrorCode.TooLarge, Status(h, Opcode.BeginTemplateUpload, w => Upload(w, cmd: new string('c', 1025))));
            Assert.Equal(ErrorCode.InvalidArgument, Status(h, Opcode.BeginTemplateUpload, w => Upload(w, cmd: "a\nb")));
            Assert.Equal(ErrorCode.InvalidArgument, Status(h, Opcode.BeginTemplateUpload, w => Upload(w, name: "")));
            // Chunks over 4 KiB, offsets past the limit.
            Assert.Equal(ErrorCode.TooLarge, Status(h, Opcode.UploadTemplateChunk, w => { w.WriteVarUInt(1); w.WriteVarUInt(0); w.WriteBlock(new byte[4097], 0, 4097); }));
            Assert.Equal(ErrorCode.TooLarge, Status(h, Opcode.WriteImport, w => { w.WriteVarUInt(1); w.WriteVarUInt(0); w.WriteBlock(new byte[4097], 0, 4097); }));
            Assert.Equal(ErrorCode.TooLarge, Status(h, Opcode.WriteImport, w => { w.WriteVarUInt(1); w.WriteVarUInt(ProtocolInfo.MaxTransferBytes + 1); w.WriteBlock(new byte[1], 0, 1); }));
            // Import: size 0 or over the limit; a name with a control character (empty is allowed: the image's).
            Assert.Equal(ErrorCode.InvalidArgument, Status(h, Opcode.BeginImport, w => { w.WriteString("", 64); w.WriteVarUInt(0); }));
            Assert.Equal(ErrorCode.TooLarge, Status(h, Opcode.BeginImport, w => { w.WriteString("", 64); w.WriteVarUInt(ProtocolInfo.MaxTransferBytes + 1); }));
            Assert.Equal(ErrorCode.InvalidArgument, Status(h, Opcode.BeginImport, w => { w.WriteString("\u0001", 64); w.WriteVarUInt(5); }));
            Assert.Equal(ErrorCode.InvalidArgument, Status(h, Opcode.RemoveTemplate, w => w.WriteString("", 64)));
            Assert.Equal(ErrorCode.InvalidArgument, Status(h, Opcode.ReadExport, w => { w.WriteVarUInt(1); w.WriteVarUInt(0); }));
            // Nothing was carried out: the one VM as it was, no snapshot, no new template, no VM made.
            h.Host.WithHypervisor(hv =>
            {
                Assert.Equal(1, hv.Vms.Count);
                Assert.Equal(VmState.Paused, hv.Find(vm).State);
                Assert.Null(hv.Find(vm).Snapshots.LowestFrom(0));
                Assert.Equal(4, hv.Templates.Count);
            });
        }

        [Fact]
        public void ReadExport_MaxZeroOrOverTheLimit_MeansOneChunk()
        {
            var h = new ServerHarness();
            uint vm = h.AddVm("a", state: VmState.Paused);
            h.Handshake();
            var (id, _) = h.ExportReady(vm);
            foreach (uint max in new uint[] { 0, 100_000 })
            {
                var r = h.Verify(Assert.Single(h.Send(h.Request(Opcode.ReadExport, w => { w.WriteVarUInt(id); w.WriteVarUInt(0); w.WriteVarUInt(max); }))));
                Assert.True(r.ReadBlock(ProtocolInfo.MaxTransferChunk, out _, out int n));
                Assert.Equal(ProtocolInfo.MaxTransferChunk, n);
            }
        }

        [Fact]
        public void ValidTransferRequests_AllocateNothing_OnTheServer()
        {
            var h = new ServerHarness();
            uint vm = h.AddVm("a", state: VmState.Paused);
            h.Handshake();
            Assert.Equal(ErrorCode.Ok, Assert.Single(h.Send(h.Request(Opcode.HostInfo, null))).Status);
            Assert.Equal(ErrorCode.Ok, Assert.Single(h.Send(h.Request(Opcode.CheckpointVm, w => { w.WriteVarUInt(vm); w.WriteString("s", 64); }))).Status);
            var server = h.Server;
            var session = h.Session;
            var encoder = new FrameEncoder();
            var frame = new byte[ProtocolInfo.MaxContentBytes + 16];
            var writer = new MessageWriter();
            var data = new byte[ProtocolInfo.MaxTransferChunk];
            var sha = new byte[32];
            uint upload = 0, import = 0, export = 0;
            const int Ops = 12;

            void Send(int op, int i)
            {
                ulong seq = session.LastSent + 1;
                session.LastSent = seq;
                writer.Reset(frame, 0, ProtocolInfo.MaxContentBytes);
                Opcode code = op switch
                {
                    0 => Opcode.UploadTemplateChunk, 1 => Opcode.WriteImport, 2 => Opcode.ReadExport, 3 => Opcode.ListSnapshots,
                    4 => Opcode.CreateVms, 5 => Opcode.ListVms, 6 => Opcode.ListTemplates, 7 => Opcode.ForkVm,
                    8 => Opcode.BeginTemplateUpload, 9 => Opcode.GetVm, 10 => Opcode.CommitImport, _ => Opcode.GetExport,
                };
                FrameLayout.WriteHeader(writer, (int)code, (uint)i + 1, seq);
                switch (op)
                {
                    // Chunks away from the transfer's next offset: carried all the way to the host, which keeps nothing.
                    case 0: writer.WriteVarUInt(upload); writer.WriteVarUInt(1 + (ulong)i * 4096); writer.WriteBlock(data, 0, data.Length); break;
                    case 1: writer.WriteVarUInt(import); writer.WriteVarUInt(1 + (ulong)i * 4096); writer.WriteBlock(data, 0, data.Length); break;
                    case 2: writer.WriteVarUInt(export); writer.WriteVarUInt(0); writer.WriteVarUInt(0); break;
                    case 3: writer.WriteVarUInt(vm); writer.WriteVarUInt(0); break;
                    case 4: writer.WriteString("tpl", 64); writer.WriteString("clone", 64); writer.WriteVarUInt(0); writer.WriteVarUInt(0); writer.WriteVarUInt(3); break;
                    case 5: writer.WriteVarUInt(0); break;
                    case 6: break;
                    case 7: writer.WriteVarUInt(vm + 1); writer.WriteString("fork", 64); break;
                    case 8: writer.WriteString("t", 64); writer.WriteByte(1); writer.WriteVarUInt(1); writer.WriteVarUInt(10); writer.WriteRaw(sha, 0, 32); writer.WriteString("cmd", 64); break;
                    case 9: writer.WriteVarUInt(vm); break;
                    case 10: writer.WriteVarUInt(import + 100); break;
                    default: writer.WriteVarUInt(export); break;
                }
                int content = writer.Length;
                session.ComputeMac(Session.ClientToServer, seq, frame, 0, content, frame, content);
                int n = encoder.Encode(frame, 0, content + 16);
                server.Receive(encoder.Output, 0, n);
            }

            // One of each transfer to send into (made once: that allocates), then every request once to warm up.
            MessageReader Answer(Opcode op, Action<MessageWriter> body)
            {
                var f = Assert.Single(h.Send(h.Request(op, body)));
                Assert.Equal(ErrorCode.Ok, f.Status);
                return h.Verify(f);
            }
            Assert.True(Answer(Opcode.BeginTemplateUpload, w => { w.WriteString("t", 64); w.WriteByte(1); w.WriteVarUInt(1); w.WriteVarUInt(10); w.WriteRaw(sha, 0, 32); w.WriteString("cmd", 64); }).ReadVarUInt32(out upload));
            Assert.True(Answer(Opcode.BeginImport, w => { w.WriteString("in", 64); w.WriteVarUInt(100_000); }).ReadVarUInt32(out import));
            (export, _) = h.ExportReady(vm);
            for (int op = 0; op < Ops; op++)
            {
                Send(op, 0);
            }
            h.Sink.Take();
            long requests = server.Requests;
            long fewest = AllocationRounds.Fewest(3, () =>
            {
                for (int i = 0; i < 200; i++)
                {
                    for (int op = 0; op < Ops; op++)
                    {
                        Send(op, i);
                    }
                }
            });
            Assert.Equal(0, fewest);
            Assert.Equal(3 * 200 * Ops, server.Requests - requests);
            Assert.Equal(0, server.AuthFailures);
            Assert.Equal(1, h.Host.WithHypervisor(hv => hv.Vms.Count)); // the refused CreateVms and ForkVm made nothing
        }
    }
}
