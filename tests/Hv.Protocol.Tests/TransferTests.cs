using System;
using System.IO;
using System.Linq;
using System.Security.Cryptography;
using System.Text;
using Hv.Core.Guests;
using Hv.Protocol.Client;
using Hv.Protocol.Messages;
using Hv.Protocol.Server;
using Hv.Protocol.Wire;
using Hv.Testing;
using Xunit.Abstractions;

namespace Hv.Protocol.Tests
{
    /// <summary>
    /// Opcodes 15..31 (clones, snapshots, template uploads, export/import) through the real client, server, adapter and
    /// hypervisor, the guests scripted.
    /// </summary>
    public class TransferTests
    {
        private readonly ITestOutputHelper _out;

        public TransferTests(ITestOutputHelper output)
        {
            _out = output;
        }

        /// <summary>A template image of <paramref name="n"/> bytes: a scripted program, then random padding.</summary>
        private static byte[] Image(int n, int seed = 7, string program = "say uploaded\nspin")
        {
            var b = new byte[n];
            new Random(seed).NextBytes(b);
            ScriptedProcessor.Program(program).CopyTo(b, 0);
            return b;
        }

        // A guest that writes its page at 0x9000 (a private copy-on-write copy), yields, writes it again and spins.
        private const string Writer = "write 9000 11\nready\nwrite 9000 22\nspin";

        private static ulong Rip(InProcessHost host, uint id) => host.WithHypervisor(hv => hv.Find(id).Cpu.Registers.Rip);

        // ---- clones ---------------------------------------------------------------------------------------

        [Fact]
        public void CreateVms_NamesBase1ToN_InOneRequest_ReturnsIdsInNameOrder()
        {
            using var loop = new Loop();
            loop.Host.AddVm("other");
            long requests = loop.Server.Requests;
            uint[] ids = loop.Client.CreateVms("spin", "web", 12, 2, 1);
            Assert.Equal(1, loop.Server.Requests - requests);
            loop.Host.WithHypervisor(hv =>
            {
                Assert.Equal(Enumerable.Range(1, 12).Select(i => "web-" + i), ids.Select(id => hv.Find(id).Name));
                Assert.All(ids, id => Assert.Equal(2UL << 20, hv.Find(id).MemorySize));
                Assert.All(ids, id => Assert.Equal(VmState.Created, hv.Find(id).State));
            });
        }

        [Fact]
        public void CreateVms_AllOrNone_RollsBackWhenOneFails()
        {
            using var loop = new Loop(maxVms: 4);
            loop.Host.AddVm("db-3");
            var e = Assert.Throws<HvProtocolException>(() => loop.Client.CreateVms("spin", "db", 5));
            Assert.Equal(ErrorCode.AlreadyExists, e.Code);
            Assert.Equal(Opcode.CreateVms, e.Operation);
            Assert.Equal("a VM with that name exists", e.Detail);
            Assert.Equal(new[] { "db-3" }, loop.Client.ListVms().Select(v => v.Name));
            e = Assert.Throws<HvProtocolException>(() => loop.Client.CreateVms("nosuch", "x", 2));
            Assert.Equal(ErrorCode.NotFound, e.Code);
            // The fourth of four VMs fits, the fifth does not: the three made are removed again.
            e = Assert.Throws<HvProtocolException>(() => loop.Client.CreateVms("spin", "y", 4));
            Assert.Equal((ErrorCode.ResourceUnavailable, "the host runs its maximum number of VMs"), (e.Code, e.Detail));
            Assert.Equal(new[] { "db-3" }, loop.Client.ListVms().Select(v => v.Name));
        }

        [Fact]
        public void CreateVms_Limits()
        {
            using var loop = new Loop(maxVms: 300);
            Assert.Throws<ArgumentOutOfRangeException>(() => loop.Client.CreateVms("spin", "x", 0));
            Assert.Throws<ArgumentOutOfRangeException>(() => loop.Client.CreateVms("spin", "x", ProtocolInfo.MaxVmsPerCreate + 1));
            Assert.Equal(ErrorCode.TooLarge, Assert.Throws<HvProtocolException>(() => loop.Client.CreateVms("spin", new string('n', 62), 10)).Code);
            Assert.Equal(ProtocolInfo.MaxVmsPerCreate, loop.Client.CreateVms("spin", new string('m', 60), ProtocolInfo.MaxVmsPerCreate).Length);
        }

        [Fact]
        public void VmNames_Numbered()
        {
            var b = new Utf8Field(64);
            var into = new Utf8Field(64);
            b.Set("wéb");
            Assert.True(VmNames.Numbered(b, 1, into));
            Assert.Equal("wéb-1", into.ToNewString());
            Assert.True(VmNames.Numbered(b, 4294967295, into));
            Assert.Equal("wéb-4294967295", into.ToNewString());
            b.Set(new string('a', 62));
            Assert.True(VmNames.Numbered(b, 9, into));
            Assert.False(VmNames.Numbered(b, 10, into));
            Assert.Equal(0, into.Length);
            Assert.Equal(3, VmNames.SuffixBytes(10));
        }

        [Fact]
        public void ForkVm_PausedOnly_CopyIsPausedWithTheSameMemory()
        {
            using var loop = new Loop();
            loop.Host.AddTemplate("writer", Writer);
            uint vm = loop.Host.AddVm("src", "writer", VmState.Running);
            loop.Host.RunGuests(1);
            var e = Assert.Throws<HvProtocolException>(() => loop.Client.ForkVm(vm, "copy"));
            Assert.Equal((ErrorCode.InvalidState, "only a paused VM can be copied"), (e.Code, e.Detail));
            loop.Client.PauseVm(vm);
            uint id = loop.Client.ForkVm(vm, "copy");
            Assert.Equal("copy", loop.Host.WithHypervisor(hv => hv.Find(id).Name));
            Assert.Equal(VmState.Paused, loop.Host.StateOf(id));
            Assert.Equal(0x11, loop.Host.ReadGuestMemory("copy", 0x9000, 1)[0]);
            Assert.Equal(loop.Host.ReadGuestMemory("src", 0, 1 << 20), loop.Host.ReadGuestMemory("copy", 0, 1 << 20));
            Assert.Equal(Rip(loop.Host, vm), Rip(loop.Host, id));
            Assert.Equal(ErrorCode.AlreadyExists, Assert.Throws<HvProtocolException>(() => loop.Client.ForkVm(vm, "copy")).Code);
            Assert.Equal(ErrorCode.NotFound, Assert.Throws<HvProtocolException>(() => loop.Client.ForkVm(99, "x")).Code);
            Assert.Throws<ArgumentException>(() => loop.Client.ForkVm(vm, ""));
        }

        // ---- snapshots ------------------------------------------------------------------------------------

        [Fact]
        public void Snapshots_CheckpointListRestoreRemove_RoundTrip()
        {
            using var loop = new Loop();
            loop.Host.AddTemplate("writer", Writer);
            uint vm = loop.Host.AddVm("s", "writer", VmState.Running);
            loop.Host.RunGuests(1);                            // up to the ready: 0x9000 holds 0x11
            ulong ripBefore = Rip(loop.Host, vm);
            ulong firstTaken = loop.Client.GetHostInfo().UptimeMs;
            uint first = loop.Client.CheckpointVm(vm, "before upgrade");
            Assert.Equal(VmState.Running, loop.Host.StateOf(vm)); // paused for the capture, then runs on
            loop.Host.AdvanceClock(15_000);
            loop.Host.RunGuests(1);                            // the second write: 0x22
            Assert.Equal(0x22, loop.Host.ReadGuestMemory("s", 0x9000, 1)[0]);
            uint second = loop.Client.CheckpointVm(vm, "after");
            Assert.NotEqual(first, second);
            Assert.Equal(ErrorCode.AlreadyExists, Assert.Throws<HvProtocolException>(() => loop.Client.CheckpointVm(vm, "after")).Code);

            loop.Host.AdvanceClock(60_000);
            SnapshotInfo[] list = loop.Client.ListSnapshots(vm);
            Assert.Equal(new[] { "before upgrade", "after" }, list.Select(s => s.Name));
            Assert.Equal(new[] { first, second }, list.Select(s => s.Id));
            Assert.All(list, s => Assert.Equal(vm, s.VmId));
            Assert.Equal(firstTaken, list[0].CreatedUptimeMs);
            Assert.Equal(loop.Client.GetHostInfo().UptimeMs, list[0].HostUptimeMs);
            Assert.Equal(list[0].HostUptimeMs - firstTaken, list[0].AgeMs);
            Assert.InRange(list[0].AgeMs, 75_000UL, 75_100UL);    // the clock moved 75 s, and a ms per guest entry
            // The first snapshot alone keeps the page the guest wrote again after it.
            Assert.True(list[0].PrivatePages >= 1);
            loop.Host.WithHypervisor(hv =>
            {
                var kept = hv.Find(vm).Snapshots.Find(first).Memory;
                Assert.Equal((kept.PrivatePages, kept.SharedPages), (list[0].PrivatePages, list[0].SharedPages));
            });

            loop.Client.RestoreSnapshot(vm, first);
            Assert.Equal(0x11, loop.Host.ReadGuestMemory("s", 0x9000, 1)[0]);
            Assert.Equal(ripBefore, Rip(loop.Host, vm));
            Assert.Equal(VmState.Paused, loop.Host.StateOf(vm));

            loop.Client.RemoveSnapshot(vm, first);
            Assert.Equal(new[] { "after" }, loop.Client.ListSnapshots(vm).Select(s => s.Name));
            Assert.Equal(ErrorCode.NotFound, Assert.Throws<HvProtocolException>(() => loop.Client.RestoreSnapshot(vm, first)).Code);
            Assert.Equal(ErrorCode.NotFound, Assert.Throws<HvProtocolException>(() => loop.Client.RemoveSnapshot(vm + 1, second)).Code);
            Assert.Equal(ErrorCode.NotFound, Assert.Throws<HvProtocolException>(() => loop.Client.ListSnapshots(99)).Code);
        }

        [Fact]
        public void ListSnapshots_AVmsSixteenSnapshots_InIdOrder_AndNoMore()
        {
            using var loop = new Loop();
            uint vm = loop.Host.AddVm("many", state: VmState.Paused);
            var ids = Enumerable.Range(0, 16).Select(i => loop.Client.CheckpointVm(vm, new string('s', 56) + i.ToString("D4"))).ToArray();
            SnapshotInfo[] list = loop.Client.ListSnapshots(vm);
            Assert.Equal(ids, list.Select(s => s.Id));
            Assert.Equal(ids.OrderBy(i => i), ids);
            var e = Assert.Throws<HvProtocolException>(() => loop.Client.CheckpointVm(vm, "one more"));
            Assert.Equal((ErrorCode.ResourceUnavailable, "the VM has its maximum of 16 snapshots"), (e.Code, e.Detail));
        }

        // ---- templates ------------------------------------------------------------------------------------

        [Fact]
        public void UploadTemplate_InChunks_ChecksummedCommitted_Listed()
        {
            using var loop = new Loop();
            loop.Host.AddTemplate("primed", "say booting\nready\nspin", prime: true);
            byte[] image = Image(30_000);
            var progress = new System.Collections.Generic.List<ulong>();
            long before = loop.Transport.BytesToServer;
            var result = loop.Client.UploadTemplate("uploaded", GuestEntryMode.Real, 2, "console=ttyS0 quiet", new MemoryStream(image),
                progress: (done, total) => { Assert.Equal(30_000UL, total); progress.Add(done); });
            long wire = loop.Transport.BytesToServer - before;
            _out.WriteLine("30000-byte template: " + wire + " bytes to the host on the wire (" + (wire * 100 / 30000) + "%)");
            Assert.Equal(0UL, result.ResumedFrom);
            Assert.Equal(30_000UL, result.BytesSent);
            Assert.Equal(SHA256.HashData(image), result.Sha256);
            Assert.Equal(0UL, progress[0]);
            Assert.Equal(30_000UL, progress.Last());
            // Where it began, then once per window (8 chunks of at most 4096 bytes, TransferWindow of them in flight).
            Assert.Equal(1 + (8 + loop.Client.TransferWindow - 1) / loop.Client.TransferWindow, progress.Count);
            loop.Host.WithHypervisor(hv =>
            {
                var t = hv.Templates.Find("uploaded").Template;
                Assert.Equal(image, t.Image.Span.ToArray());
                Assert.Equal(GuestEntryMode.Real, t.Mode);
                Assert.Equal(2UL << 20, t.MemorySize);
                Assert.Equal("console=ttyS0 quiet", t.CommandLine);
                Assert.True(t.Uploaded);
            });
            Assert.True(wire < 30_000 * 105 / 100, "framing overhead under 5%");

            TemplateInfo listed = loop.Client.ListTemplates().Single(x => x.Name == "uploaded");
            Assert.Equal("real", listed.EntryMode);
            Assert.Equal(2u, listed.MemoryMiB);
            Assert.Equal(TemplateFlags.Uploaded, listed.Flags);
            Assert.Equal(TemplateFlags.Primed, loop.Client.ListTemplates().Single(x => x.Name == "primed").Flags);
            // VMs can be made from it (and run it); a second upload of the name is refused; removal forgets it.
            uint vm = loop.Client.CreateVm("uploaded", "from-upload");
            loop.Client.StartVm(vm);
            loop.Host.RunGuests(2);
            Assert.Equal("uploaded\n", Encoding.ASCII.GetString(loop.Client.ReadConsole(vm, 0).Data));
            var e = Assert.Throws<HvProtocolException>(() => loop.Client.UploadTemplate("uploaded", GuestEntryMode.Real, 1, null, new MemoryStream(image)));
            Assert.Equal(ErrorCode.AlreadyExists, e.Code);
            loop.Client.RemoveTemplate("uploaded");
            Assert.DoesNotContain(loop.Client.ListTemplates(), x => x.Name == "uploaded");
            Assert.Equal(ErrorCode.NotFound, Assert.Throws<HvProtocolException>(() => loop.Client.RemoveTemplate("uploaded")).Code);
        }

        [Fact]
        public void UploadTemplate_OfALinuxKernel_IsRefusedBeforeAnythingIsSent()
        {
            using var loop = new Loop();
            long before = loop.Transport.BytesToServer;
            var e = Assert.Throws<ArgumentException>(() => loop.Client.UploadTemplate("linux", GuestEntryMode.Linux, 128, null, new MemoryStream(Image(100))));
            Assert.Contains("initrd", e.Message);
            Assert.Equal(before, loop.Transport.BytesToServer);
            Assert.DoesNotContain(loop.Client.ListTemplates(), x => x.Name == "linux");
        }

        [Fact]
        public void UploadTemplate_ChecksumMismatch_IsDiscarded()
        {
            using var loop = new Loop();
            byte[] image = Image(5000);
            byte[] wrong = SHA256.HashData(Image(5000, 8));
            var e = Assert.Throws<HvProtocolException>(() => loop.Client.UploadTemplate("bad", GuestEntryMode.Real, 1, null, new MemoryStream(image), wrong));
            Assert.Equal(ErrorCode.ChecksumMismatch, e.Code);
            Assert.Contains("does not match its checksum", e.Message);
            // Discarded: the same upload starts from 0, and there is no template.
            Assert.Equal(0UL, loop.Client.BeginTemplateUpload("bad", GuestEntryMode.Real, 1, 5000, wrong).NextOffset);
            Assert.DoesNotContain(loop.Client.ListTemplates(), t => t.Name == "bad");
        }

        [Fact]
        public void UploadTemplate_Of16MiB_IsStoredHashedAndLoaded_AndVmsRunIt()
        {
            using var loop = new Loop();
            loop.Client.DefaultTimeoutMs = 60_000; // a backstop: loading 16 MiB takes a while on a busy machine
            byte[] image = Image(16 << 20);
            var result = loop.Client.UploadTemplate("big16", GuestEntryMode.Long, 32, null, new MemoryStream(image));
            Assert.Equal((ulong)(16 << 20), result.BytesSent);
            Assert.Equal(image, loop.Host.WithHypervisor(hv => hv.Templates.Find("big16").Template.Image.Span.ToArray()));
            // A VM made from it has the whole image at 1 MiB (the long-mode load address), last byte included.
            uint vm = loop.Client.CreateVm("big16", "from-16mib");
            byte[] loaded = new byte[16 << 20];
            Assert.True(loop.Host.WithHypervisor(hv => hv.Find(vm).Memory.Read(LongModeLoader.LoadAddress, loaded)));
            Assert.Equal(image, loaded);
        }

        [Fact]
        public void BeginTemplateUpload_TakesUpTo64MiB_AndRefusesMoreAsTooLarge()
        {
            using var loop = new Loop();
            byte[] sha = new byte[32];
            Assert.Equal(0UL, loop.Client.BeginTemplateUpload("at-limit", GuestEntryMode.Long, 128, 64UL << 20, sha).NextOffset);
            var e = Assert.Throws<HvProtocolException>(() => loop.Client.BeginTemplateUpload("over", GuestEntryMode.Long, 128, (64UL << 20) + 1, sha));
            Assert.Equal((ErrorCode.TooLarge, "a template image is 1 byte to 64 MiB"), (e.Code, e.Detail));
            // The client refuses nothing itself: a 65 MiB file gets the host's answer before any chunk is sent.
            long before = loop.Transport.BytesToServer;
            var big = Assert.Throws<HvProtocolException>(() => loop.Client.UploadTemplate("over", GuestEntryMode.Long, 128, null,
                new MemoryStream(new byte[65 << 20]), sha));
            Assert.Equal(ErrorCode.TooLarge, big.Code);
            Assert.True(loop.Transport.BytesToServer - before < 1000, "no chunk went out");
        }

        [Fact]
        public void UploadTemplate_ResumedOnANewConnection_HashesAcrossTheBreak()
        {
            // The host hashes chunks as they arrive; an upload that resumes after a drop still commits with the right digest.
            using var loop = new Loop();
            byte[] image = Image(3 * 4096 + 100);
            byte[] sha = SHA256.HashData(image);
            var start = loop.Client.BeginTemplateUpload("split", GuestEntryMode.Real, 1, (ulong)image.Length, sha);
            Assert.Equal(4096UL, loop.Client.UploadTemplateChunk(start.Id, 0, image, 0, 4096));
            Assert.Equal(8192UL, loop.Client.UploadTemplateChunk(start.Id, 4096, image, 4096, 4096));
            loop.Client.Reconnect();
            var resumed = loop.Client.UploadTemplate("split", GuestEntryMode.Real, 1, null, new MemoryStream(image), sha);
            Assert.Equal(8192UL, resumed.ResumedFrom);
            Assert.Equal(image, loop.Host.WithHypervisor(hv => hv.Templates.Find("split").Template.Image.Span.ToArray()));
        }

        [Theory]
        [InlineData(8)]
        [InlineData(1)]
        public void UploadTemplate_PutsAWindowOfChunksInFlight_BeforeReadingTheirAnswers(int window)
        {
            using var loop = new Loop();
            loop.Client.TransferWindow = window;
            var unreadAtEachChunk = new System.Collections.Generic.List<int>();
            loop.Transport.ToServer = data =>
            {
                if (data.Length > 4000) unreadAtEachChunk.Add(loop.Transport.Unread);
                return data;
            };
            byte[] image = Image(16 * 4096);
            loop.Client.UploadTemplate("windowed", GuestEntryMode.Real, 1, null, new MemoryStream(image));
            Assert.Equal(16, unreadAtEachChunk.Count);
            // Chunk k of a window goes out while the answers to the k-1 before it wait unread; stop-and-wait never has any.
            for (int k = 0; k < 16; k++)
                Assert.Equal(k % window == 0, unreadAtEachChunk[k] == 0);
            Assert.Equal(image, loop.Host.WithHypervisor(hv => hv.Templates.Find("windowed").Template.Image.Span.ToArray()));
        }

        [Fact]
        public void UploadTemplate_ConnectionDrops_ReconnectsAndResumesWithoutResending()
        {
            using var loop = new Loop();
            byte[] image = Image(40_000);
            int chunkFrames = 0;
            loop.Transport.ToServer = data =>
            {
                if (data.Length > 4000 && ++chunkFrames == 4)
                {
                    loop.Transport.Close(); // the line drops before the 4th chunk arrives
                    throw new HvConnectionException("line dropped");
                }
                return data;
            };
            var result = loop.Client.UploadTemplate("resumed", GuestEntryMode.Long, 8, null, new MemoryStream(image));
            Assert.Equal(1, result.Retries);
            Assert.Equal(2, loop.Transport.Opens);
            Assert.Equal(image, loop.Host.WithHypervisor(hv => hv.Templates.Find("resumed").Template.Image.Span.ToArray()));
            Assert.Equal(40_000UL, result.BytesSent); // the lost chunk never left; nothing was sent twice
        }

        [Fact]
        public void UploadTemplate_RerunAfterGivingUp_ContinuesWhereTheHostGot()
        {
            using var loop = new Loop();
            byte[] image = Image(50_000);
            loop.Client.TransferRetries = 0;
            ulong dropFrom = 20_000;
            loop.Host.Intercept(Opcode.UploadTemplateChunk, request =>
            {
                var chunk = new UploadTemplateChunkMessage();
                if (chunk.TryReadRequest(request) == ErrorCode.Ok && chunk.Offset >= dropFrom)
                {
                    loop.Transport.Close();
                }
                return null;
            });
            loop.Transport.ToServer = data => loop.Transport.IsOpen ? data : throw new HvConnectionException("line down");
            var e = Assert.Throws<HvConnectionException>(() => loop.Client.UploadTemplate("big", GuestEntryMode.Long, 8, null, new MemoryStream(image)));
            Assert.Contains("stopped at byte", e.Message);
            Assert.Contains("run the same upload again", e.Message);

            dropFrom = ulong.MaxValue;
            loop.Client.Reconnect();
            ulong had = loop.Client.BeginTemplateUpload("big", GuestEntryMode.Long, 8, 50_000, SHA256.HashData(image)).NextOffset;
            Assert.True(had > 20_000);
            var result = loop.Client.UploadTemplate("big", GuestEntryMode.Long, 8, null, new MemoryStream(image));
            Assert.Equal(had, result.ResumedFrom);
            Assert.Equal(50_000UL - had, result.BytesSent);
            Assert.Equal(image, loop.Host.WithHypervisor(hv => hv.Templates.Find("big").Template.Image.Span.ToArray()));

            // Another image under the same name replaces an unfinished upload instead of resuming it.
            loop.Client.RemoveTemplate("big");
            dropFrom = 8192;
            Assert.Throws<HvConnectionException>(() => loop.Client.UploadTemplate("big", GuestEntryMode.Long, 8, null, new MemoryStream(image)));
            dropFrom = ulong.MaxValue;
            loop.Client.Reconnect();
            byte[] other = Image(50_000, 9);
            Assert.Equal(0UL, loop.Client.UploadTemplate("big", GuestEntryMode.Long, 8, null, new MemoryStream(other)).ResumedFrom);
            Assert.Equal(other, loop.Host.WithHypervisor(hv => hv.Templates.Find("big").Template.Image.Span.ToArray()));
        }

        [Fact]
        public void UploadChunk_OutOfOrder_StoresNothing_AndSaysWhereTheHostIs()
        {
            using var loop = new Loop();
            byte[] image = Image(10_000);
            var start = loop.Client.BeginTemplateUpload("t", GuestEntryMode.Real, 1, 10_000, SHA256.HashData(image));
            Assert.Equal(0UL, start.NextOffset);
            Assert.Equal(4096UL, loop.Client.UploadTemplateChunk(start.Id, 0, image, 0, 4096));
            Assert.Equal(4096UL, loop.Client.UploadTemplateChunk(start.Id, 0, image, 0, 4096));        // retransmission
            Assert.Equal(4096UL, loop.Client.UploadTemplateChunk(start.Id, 8192, image, 8192, 1808));  // ahead of the host
            Assert.Equal(ErrorCode.InvalidState, Assert.Throws<HvProtocolException>(() => loop.Client.CommitTemplateUpload(start.Id)).Code);
            Assert.Equal(4096UL, loop.Client.BeginTemplateUpload("t", GuestEntryMode.Real, 1, 10_000, SHA256.HashData(image)).NextOffset);
            Assert.Equal(8192UL, loop.Client.UploadTemplateChunk(start.Id, 4096, image, 4096, 4096));
            Assert.Equal(ErrorCode.TooLarge, Assert.Throws<HvProtocolException>(() => loop.Client.UploadTemplateChunk(start.Id, 8192, new byte[4096], 0, 4096)).Code);
            Assert.Throws<ArgumentOutOfRangeException>(() => loop.Client.UploadTemplateChunk(start.Id, 0, new byte[5000], 0, 4097));
            Assert.Equal(10_000UL, loop.Client.UploadTemplateChunk(start.Id, 8192, image, 8192, 1808));
            loop.Client.CommitTemplateUpload(start.Id);
            Assert.Equal(image, loop.Host.WithHypervisor(hv => hv.Templates.Find("t").Template.Image.Span.ToArray()));
        }

        // ---- export / import ------------------------------------------------------------------------------

        /// <summary>No import is left behind: all the host's import places are free.</summary>
        private static void AssertNoImportsLeft(Loop loop)
        {
            uint[] ids = Enumerable.Range(0, 4).Select(_ => loop.Client.BeginImport("probe", 100)).ToArray();
            foreach (uint id in ids) loop.Client.AbortImport(id);
        }

        [Fact]
        public void ExportThenImport_OnAnotherHost_SameVm_Paused()
        {
            using var a = new Loop();
            using var b = new Loop();
            a.Host.AddTemplate("writer", Writer);
            b.Host.AddTemplate("writer", Writer);
            uint vm = a.Host.AddVm("mover", "writer", VmState.Running);
            a.Host.RunGuests(1);
            a.Client.PauseVm(vm);
            var file = new MemoryStream();
            ulong last = 0;
            ulong size = a.Client.ExportVm(vm, file, (done, total) => last = done);
            Assert.Equal((ulong)file.Length, size);
            Assert.Equal(size, last);

            file.Position = 0;
            uint id = b.Client.ImportVm("", file, (ulong)file.Length);
            VmInfo copy = b.Client.GetVm(id);
            Assert.Equal("mover", copy.Name);              // empty name: the image's
            Assert.Equal(VmState.Paused, copy.State);
            Assert.Equal("writer", copy.Template);
            Assert.Equal(1u, copy.MemoryMiB);
            Assert.Equal(a.Host.ReadGuestMemory("mover", 0, 1 << 20), b.Host.ReadGuestMemory("mover", 0, 1 << 20));
            Assert.Equal(Rip(a.Host, vm), Rip(b.Host, id));
            // It goes on where it was: its next step writes 0x22.
            b.Client.ResumeVm(id);
            b.Host.RunGuests(1);
            Assert.Equal(0x22, b.Host.ReadGuestMemory("mover", 0x9000, 1)[0]);

            file.Position = 0;
            var e = Assert.Throws<HvProtocolException>(() => b.Client.ImportVm("", file, (ulong)file.Length));
            Assert.Equal(ErrorCode.AlreadyExists, e.Code);   // found at commit
            file.Position = 0;
            Assert.Equal("mover-2", b.Client.GetVm(b.Client.ImportVm("mover-2", file, (ulong)file.Length)).Name);
            file.Position = 0;
            Assert.Equal(ErrorCode.AlreadyExists, Assert.Throws<HvProtocolException>(() => b.Client.ImportVm("mover-2", file, (ulong)file.Length)).Code);
            AssertNoImportsLeft(b);
        }

        [Fact]
        public void Export_RunningVm_InvalidState_AndDamagedImport_ChecksumMismatch()
        {
            using var loop = new Loop();
            uint vm = loop.Host.AddVm("r", state: VmState.Running);
            Assert.Equal(ErrorCode.InvalidState, Assert.Throws<HvProtocolException>(() => loop.Client.ExportVm(vm, new MemoryStream())).Code);
            loop.Client.PauseVm(vm);
            var file = new MemoryStream();
            loop.Client.ExportVm(vm, file);
            byte[] damaged = file.ToArray();
            damaged[damaged.Length / 2] ^= 1;
            var e = Assert.Throws<HvProtocolException>(() => loop.Client.ImportVm("r2", new MemoryStream(damaged), (ulong)damaged.Length));
            Assert.Equal(ErrorCode.ChecksumMismatch, e.Code);
            e = Assert.Throws<HvProtocolException>(() => loop.Client.ImportVm("r3", new MemoryStream(new byte[100]), 100));
            Assert.Equal(ErrorCode.InvalidArgument, e.Code);
            // A short stream fails on the client and the import is aborted on the host.
            Assert.Throws<IOException>(() => loop.Client.ImportVm("r4", new MemoryStream(new byte[100]), 200));
            AssertNoImportsLeft(loop);
            Assert.Single(loop.Client.ListVms());
        }

        [Fact]
        public void Import_LostAnswer_TimesOut_RetriesWithoutDuplicatingData()
        {
            using var a = new Loop();
            a.Host.AddTemplate("writer", Writer);
            uint vm = a.Host.AddVm("x", "writer", VmState.Running);
            a.Host.RunGuests(1);
            a.Client.PauseVm(vm);
            var file = new MemoryStream();
            a.Client.ExportVm(vm, file);

            using var b = new Loop();
            b.Client.DefaultTimeoutMs = 300;
            int answers = 0;
            b.Transport.ToClient = data => ++answers == 3 ? null : data; // lose the answer to the 2nd WriteImport
            file.Position = 0;
            b.Client.ImportVm("x", file, (ulong)file.Length);
            Assert.Equal(a.Host.ReadGuestMemory("x", 0, 1 << 20), b.Host.ReadGuestMemory("x", 0, 1 << 20));
        }

        [Fact]
        public void ReadExport_PastTheEnd_IsEmpty_AndEndExportForgets()
        {
            using var loop = new Loop();
            uint vm = loop.Host.AddVm("e", state: VmState.Paused);
            var export = loop.Client.BeginExport(vm);
            var buffer = new byte[4096];
            Assert.Equal(4096, loop.Client.ReadExport(export.Id, 0, buffer, 0, 4096));
            Assert.Equal(10, loop.Client.ReadExport(export.Id, export.TotalBytes - 10, buffer, 0, 4096));
            Assert.Equal(0, loop.Client.ReadExport(export.Id, export.TotalBytes, buffer, 0, 4096));
            loop.Client.EndExport(export.Id);
            Assert.Equal(ErrorCode.NotFound, Assert.Throws<HvProtocolException>(() => loop.Client.ReadExport(export.Id, 0, buffer, 0, 4096)).Code);
        }

        // ---- memory accounting ----------------------------------------------------------------------------

        [Fact]
        public void MemoryAccounting_InCountersListsAndHostInfo()
        {
            using var loop = new Loop();
            loop.Host.AddTemplate("writer", Writer);
            uint vm = loop.Host.AddVm("m", "writer", VmState.Running);
            loop.Host.RunGuests(1);
            var (privatePages, sharedPages) = loop.Host.WithHypervisor(hv => (hv.Find(vm).Memory.PrivatePages, hv.Find(vm).Memory.SharedPages));
            Assert.True(privatePages >= 1);                     // the page it wrote, and the tables on its path
            Assert.True(sharedPages > 0);                       // the rest it shares with its template
            Assert.Equal(privatePages, loop.Client.GetMetrics(vm).PrivatePages);
            Assert.Equal(sharedPages, loop.Client.GetVm(vm).SharedPages);
            var listed = Assert.Single(loop.Client.ListVms());
            Assert.True(listed.HasPages);
            Assert.Equal((privatePages, sharedPages), (listed.PrivatePages, listed.SharedPages));
            ulong shared = loop.Host.WithHypervisor(hv => hv.Sharing.CountSharedPages());
            Assert.True(shared > 0);
            Assert.Equal(shared * 4096, loop.Client.GetHostInfo().MemorySharedBytes);
        }

        // ---- a host that implements none of it -------------------------------------------------------------

        [Fact]
        public void HostWithoutSupport_AnswersUnsupported_ForEveryNewOperation()
        {
            using var loop = new Loop();
            loop.Host.Unregister(Enumerable.Range((int)Opcode.CreateVms, (int)Opcode.AbortImport - (int)Opcode.CreateVms + 1).Select(i => (Opcode)i).ToArray());
            var c = loop.Client;
            var sha = new byte[32];
            Action[] calls =
            {
                () => c.CreateVms("spin", "n", 3),
                () => c.ForkVm(1, "x"), () => c.CheckpointVm(1, "s"), () => c.ListSnapshots(1), () => c.RestoreSnapshot(1, 1),
                () => c.RemoveSnapshot(1, 1), () => c.BeginTemplateUpload("t", GuestEntryMode.Real, 1, 10, sha),
                () => c.UploadTemplateChunk(1, 0, new byte[1], 0, 1), () => c.CommitTemplateUpload(1), () => c.RemoveTemplate("t"),
                () => c.BeginExport(1), () => c.ReadExport(1, 0, new byte[10], 0, 10), () => c.EndExport(1), () => c.BeginImport("i", 10),
                () => c.WriteImport(1, 0, new byte[1], 0, 1), () => c.CommitImport(1), () => c.AbortImport(1),
            };
            foreach (var call in calls)
            {
                var e = Assert.Throws<HvProtocolException>(call);
                Assert.Equal(ErrorCode.Unsupported, e.Code);
                Assert.Contains("this host", e.Detail);
            }
            // The older operations still work.
            Assert.Equal(1u, c.CreateVm("spin", "still"));
        }
    }
}
