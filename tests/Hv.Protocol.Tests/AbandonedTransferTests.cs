using System;
using Hv.Protocol.Wire;

namespace Hv.Protocol.Tests
{
    /// <summary>
    /// Transfers a client abandons give their memory back: an upload replaced under its name at once, and any upload,
    /// export or import that no request touched for 5 minutes of host time once that deadline passes.
    /// </summary>
    public class AbandonedTransferTests
    {
        private const ulong FourMiB = 4UL << 20;
        private const ulong PastTheDeadlineMs = 5 * 60 * 1000 + 1;

        private static (ErrorCode Status, MessageReader Body) Send(ServerHarness h, Opcode op, Action<MessageWriter> body)
        {
            var f = Assert.Single(h.Send(h.Request(op, body)));
            return (f.Status, f.Status == ErrorCode.Ok ? h.Verify(f) : null);
        }

        private static (ErrorCode Status, uint Id) BeginUpload(ServerHarness h, string name, byte digest, ulong total = FourMiB)
        {
            var sha = new byte[32];
            sha[0] = digest;
            var (status, body) = Send(h, Opcode.BeginTemplateUpload, w =>
            {
                w.WriteString(name, 64); w.WriteByte(0); w.WriteVarUInt(1); w.WriteVarUInt(total); w.WriteRaw(sha, 0, 32); w.WriteString("", 64);
            });
            uint id = 0;
            if (status == ErrorCode.Ok) Assert.True(body.ReadVarUInt32(out id));
            return (status, id);
        }

        private static ErrorCode Chunk(ServerHarness h, uint upload) =>
            Send(h, Opcode.UploadTemplateChunk, w => { w.WriteVarUInt(upload); w.WriteVarUInt(0); w.WriteBlock(new byte[16], 0, 16); }).Status;

        [Fact]
        public void Forty_abandoned_4MiB_uploads_under_one_name_are_all_answered_and_each_replaces_the_last()
        {
            var h = new ServerHarness();
            h.Handshake();
            uint previous = 0;
            for (int i = 0; i < 40; i++)
            {
                var (status, id) = BeginUpload(h, "same", (byte)(i + 1));
                Assert.Equal(ErrorCode.Ok, status);
                if (previous != 0) Assert.Equal(ErrorCode.NotFound, Chunk(h, previous));
                previous = id;
            }
            Assert.Equal(ErrorCode.Ok, Chunk(h, previous));
        }

        [Fact]
        public void Uploads_untouched_past_the_deadline_are_reclaimed_and_make_room()
        {
            var h = new ServerHarness();
            h.Handshake();
            var ids = new uint[4];
            for (int i = 0; i < 4; i++) ids[i] = BeginUpload(h, "u" + i, 1).Id;
            Assert.Equal(ErrorCode.Busy, BeginUpload(h, "fifth", 1).Status);

            // Under the deadline a chunk keeps an upload alive; the others lapse.
            h.Host.AdvanceClock(PastTheDeadlineMs - 2);
            Assert.Equal(ErrorCode.Ok, Chunk(h, ids[0]));
            h.Host.AdvanceClock(2);
            var (status, fifth) = BeginUpload(h, "fifth", 1);

            Assert.Equal(ErrorCode.Ok, status);
            Assert.Equal(ErrorCode.Ok, Chunk(h, ids[0]));
            for (int i = 1; i < 4; i++) Assert.Equal(ErrorCode.NotFound, Chunk(h, ids[i]));
            Assert.NotEqual(0u, fifth);
        }

        [Fact]
        public void Abandoned_exports_and_imports_give_their_pages_back_after_the_deadline()
        {
            var h = new ServerHarness();
            uint vm = h.AddVm("a", state: VmState.Paused);
            h.Handshake();
            int before = h.Host.Pages.Outstanding;
            var (export, total) = h.ExportReady(vm);
            var image = new byte[total];
            for (ulong at = 0; at < total;)
            {
                var (s, r) = Send(h, Opcode.ReadExport, w => { w.WriteVarUInt(export); w.WriteVarUInt(at); w.WriteVarUInt(4096); });
                Assert.Equal(ErrorCode.Ok, s);
                Assert.True(r.ReadBlock(ProtocolInfo.MaxTransferChunk, out int offset, out int n));
                Array.Copy(r.Buffer, offset, image, (long)at, n);
                at += (ulong)n;
            }
            // An import that got its whole header (so it built the VM's memory), then was left.
            var (importStatus, importBody) = Send(h, Opcode.BeginImport, w => { w.WriteString("copy", 64); w.WriteVarUInt(total); });
            Assert.Equal(ErrorCode.Ok, importStatus);
            Assert.True(importBody.ReadVarUInt32(out uint import));
            int head = (int)Math.Min(total - 32, 8192);
            for (int at = 0; at < head; at += 4096)
            {
                int n = Math.Min(4096, head - at);
                Assert.Equal(ErrorCode.Ok, Send(h, Opcode.WriteImport, w => { w.WriteVarUInt(import); w.WriteVarUInt((ulong)at); w.WriteBlock(image, at, n); }).Status);
            }
            Assert.True(h.Host.Pages.Outstanding > before);

            h.Host.AdvanceClock(PastTheDeadlineMs);
            // The next transfer to begin (or the host loop) reclaims the abandoned ones.
            Assert.Equal(ErrorCode.Ok, BeginUpload(h, "x", 1, total: 16).Status);
            Assert.Equal(ErrorCode.NotFound, Send(h, Opcode.ReadExport, w => { w.WriteVarUInt(export); w.WriteVarUInt(0); w.WriteVarUInt(16); }).Status);
            Assert.Equal(ErrorCode.NotFound, Send(h, Opcode.WriteImport, w => { w.WriteVarUInt(import); w.WriteVarUInt((ulong)head); w.WriteBlock(image, head, 16); }).Status);
            Assert.Equal(before, h.Host.Pages.Outstanding);
        }
    }
}
