using System;
using System.IO;
using System.Linq;
using System.Security.Cryptography;
using Hv.Protocol.Client;
using Hv.Crypto;
using Hv.Protocol.Server;
using Hv.Protocol.Wire;
using Xunit.Abstractions;

namespace Hv.Protocol.Tests
{
    /// <summary>Opcodes 15..31 (clones, snapshots, template uploads, export/import) through the real client and server.</summary>
    public class TransferTests
    {
        private readonly ITestOutputHelper _out;

        public TransferTests(ITestOutputHelper output)
        {
            _out = output;
        }

        private static byte[] Bytes(int n, int seed = 7)
        {
            var b = new byte[n];
            new Random(seed).NextBytes(b);
            return b;
        }

        // ---- clones ---------------------------------------------------------------------------------------

        [Fact]
        public void CreateVms_NamesBase1ToN_InOneRequest_ReturnsIdsInNameOrder()
        {
            using var loop = new Loop();
            loop.Host.Add("other");
            long requests = loop.Server.Requests;
            uint[] ids = loop.Client.CreateVms("flat", "web", 12, 128, 1);
            Assert.Equal(1, loop.Server.Requests - requests);
            Assert.Equal(Enumerable.Range(1, 12).Select(i => "web-" + i), ids.Select(id => loop.Host.Find(id).Name));
            Assert.All(ids, id => Assert.Equal(128u, loop.Host.Find(id).MemoryMiB));
            Assert.All(ids, id => Assert.Equal(VmState.Created, loop.Host.Find(id).State));
        }

        [Fact]
        public void CreateVms_AllOrNone_RollsBackWhenOneFails()
        {
            using var loop = new Loop();
            loop.Host.Add("db-3", VmState.Created);
            var e = Assert.Throws<HvProtocolException>(() => loop.Client.CreateVms("flat", "db", 5));
            Assert.Equal(ErrorCode.AlreadyExists, e.Code);
            Assert.Equal(Opcode.CreateVms, e.Operation);
            Assert.Equal("a VM with that name exists", e.Detail);
            Assert.Equal(new[] { "db-3" }, loop.Host.Vms.Select(v => v.Name));
            e = Assert.Throws<HvProtocolException>(() => loop.Client.CreateVms("nosuch", "x", 2));
            Assert.Equal(ErrorCode.NotFound, e.Code);
            // A host's own CreateVms is used when it has one.
            loop.Host.OwnCreateVms = true;
            e = Assert.Throws<HvProtocolException>(() => loop.Client.CreateVms("flat", "y", 2));
            Assert.Equal(ErrorCode.ResourceUnavailable, e.Code);
        }

        [Fact]
        public void CreateVms_Limits()
        {
            using var loop = new Loop();
            Assert.Throws<ArgumentOutOfRangeException>(() => loop.Client.CreateVms("flat", "x", 0));
            Assert.Throws<ArgumentOutOfRangeException>(() => loop.Client.CreateVms("flat", "x", ProtocolInfo.MaxVmsPerCreate + 1));
            Assert.Equal(ErrorCode.TooLarge, Assert.Throws<HvProtocolException>(() => loop.Client.CreateVms("flat", new string('n', 62), 10)).Code);
            Assert.Equal(ProtocolInfo.MaxVmsPerCreate, loop.Client.CreateVms("flat", new string('m', 60), ProtocolInfo.MaxVmsPerCreate).Length);
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
            var vm = loop.Host.Add("src", VmState.Running);
            var e = Assert.Throws<HvProtocolException>(() => loop.Client.ForkVm(vm.Id, "copy"));
            Assert.Equal(ErrorCode.InvalidState, e.Code);
            loop.Client.PauseVm(vm.Id);
            vm.Rip = 0x1234;
            uint id = loop.Client.ForkVm(vm.Id, "copy");
            var copy = loop.Host.Find(id);
            Assert.Equal("copy", copy.Name);
            Assert.Equal(VmState.Paused, copy.State);
            Assert.Equal(vm.Memory, copy.Memory);
            Assert.Equal(0x1234UL, copy.Rip);
            Assert.Equal(ErrorCode.AlreadyExists, Assert.Throws<HvProtocolException>(() => loop.Client.ForkVm(vm.Id, "copy")).Code);
            Assert.Equal(ErrorCode.NotFound, Assert.Throws<HvProtocolException>(() => loop.Client.ForkVm(99, "x")).Code);
            Assert.Throws<ArgumentException>(() => loop.Client.ForkVm(vm.Id, ""));
        }

        // ---- snapshots ------------------------------------------------------------------------------------

        [Fact]
        public void Snapshots_CheckpointListRestoreRemove_RoundTrip()
        {
            using var loop = new Loop();
            var vm = loop.Host.Add("s", VmState.Running);
            vm.Memory = Bytes(9000, 1);
            vm.Rip = 0x8000;
            loop.Host.Uptime = 10_000;
            uint first = loop.Client.CheckpointVm(vm.Id, "before upgrade");
            byte[] captured = (byte[])vm.Memory.Clone();
            vm.Memory[5] ^= 0xFF;
            vm.Rip = 0x9000;
            loop.Host.Uptime = 25_000;
            uint second = loop.Client.CheckpointVm(vm.Id, "after");
            Assert.NotEqual(first, second);
            Assert.Equal(ErrorCode.AlreadyExists, Assert.Throws<HvProtocolException>(() => loop.Client.CheckpointVm(vm.Id, "after")).Code);

            loop.Host.Uptime = 70_000;
            SnapshotInfo[] list = loop.Client.ListSnapshots(vm.Id);
            Assert.Equal(new[] { "before upgrade", "after" }, list.Select(s => s.Name));
            Assert.Equal(new[] { first, second }, list.Select(s => s.Id));
            Assert.All(list, s => Assert.Equal(vm.Id, s.VmId));
            Assert.Equal(10_000UL, list[0].CreatedUptimeMs);
            Assert.Equal(70_000UL, list[0].HostUptimeMs);
            Assert.Equal(TimeSpan.FromSeconds(60), list[0].Age);
            Assert.Equal(2UL, list[0].SharedPages);
            Assert.Equal(1UL, list[0].PrivatePages);

            loop.Client.RestoreSnapshot(vm.Id, first);
            Assert.Equal(captured, vm.Memory);
            Assert.Equal(0x8000UL, vm.Rip);
            Assert.Equal(VmState.Paused, vm.State);

            loop.Client.RemoveSnapshot(vm.Id, first);
            Assert.Equal(new[] { "after" }, loop.Client.ListSnapshots(vm.Id).Select(s => s.Name));
            Assert.Equal(ErrorCode.NotFound, Assert.Throws<HvProtocolException>(() => loop.Client.RestoreSnapshot(vm.Id, first)).Code);
            Assert.Equal(ErrorCode.NotFound, Assert.Throws<HvProtocolException>(() => loop.Client.RemoveSnapshot(vm.Id + 1, second)).Code);
            Assert.Equal(ErrorCode.NotFound, Assert.Throws<HvProtocolException>(() => loop.Client.ListSnapshots(99)).Code);
        }

        [Fact]
        public void ListSnapshots_ManySnapshots_PagesTransparently()
        {
            using var loop = new Loop();
            var vm = loop.Host.Add("many", VmState.Paused);
            loop.Host.FakeMemoryBytes = 16;
            for (int i = 0; i < 400; i++)
            {
                loop.Host.Snapshots.Add(new FakeHost.Snapshot { Id = (uint)(i + 1), VmId = vm.Id, Name = new string('s', 56) + i.ToString("D4"), Memory = new byte[16] });
            }
            long requests = loop.Server.Requests;
            SnapshotInfo[] list = loop.Client.ListSnapshots(vm.Id);
            Assert.Equal(400, list.Length);
            Assert.Equal(Enumerable.Range(1, 400).Select(i => (uint)i), list.Select(s => s.Id));
            Assert.True(loop.Server.Requests - requests >= 3, "paged");
        }

        // ---- templates ------------------------------------------------------------------------------------

        [Fact]
        public void UploadTemplate_InChunks_ChecksummedCommitted_Listed()
        {
            using var loop = new Loop();
            byte[] image = Bytes(30_000);
            var progress = new System.Collections.Generic.List<ulong>();
            long before = loop.Transport.BytesToServer;
            var result = loop.Client.UploadTemplate("uploaded", GuestEntryMode.Multiboot, 32, "console=ttyS0 quiet", new MemoryStream(image),
                progress: (done, total) => { Assert.Equal(30_000UL, total); progress.Add(done); });
            long wire = loop.Transport.BytesToServer - before;
            _out.WriteLine("30000-byte template: " + wire + " bytes to the host on the wire (" + (wire * 100 / 30000) + "%)");
            Assert.Equal(0UL, result.ResumedFrom);
            Assert.Equal(30_000UL, result.BytesSent);
            Assert.Equal(SHA256.HashData(image), result.Sha256);
            Assert.Equal(0UL, progress[0]);
            Assert.Equal(30_000UL, progress.Last());
            Assert.Equal(9, progress.Count); // where it began + 8 chunks of at most 4096 bytes
            var t = Assert.Single(loop.Host.Uploaded);
            Assert.Equal(image, t.Image);
            Assert.Equal(GuestEntryMode.Multiboot, t.Mode);
            Assert.Equal(32u, t.MemoryMiB);
            Assert.Equal("console=ttyS0 quiet", t.CommandLine);
            Assert.Empty(loop.Host.Uploads);
            Assert.True(wire < 30_000 * 105 / 100, "framing overhead under 5%");

            TemplateInfo listed = loop.Client.ListTemplates().Single(x => x.Name == "uploaded");
            Assert.Equal("multiboot", listed.EntryMode);
            Assert.True(listed.Uploaded);
            Assert.False(listed.Primed);
            Assert.True(loop.Client.ListTemplates().Single(x => x.Name == "linux").Primed);
            // VMs can be made from it; a second upload of the name is refused; removal forgets it.
            loop.Client.CreateVm("uploaded", "from-upload");
            var e = Assert.Throws<HvProtocolException>(() => loop.Client.UploadTemplate("uploaded", GuestEntryMode.Real, 1, null, new MemoryStream(image)));
            Assert.Equal(ErrorCode.AlreadyExists, e.Code);
            loop.Client.RemoveTemplate("uploaded");
            Assert.DoesNotContain(loop.Client.ListTemplates(), x => x.Name == "uploaded");
            Assert.Equal(ErrorCode.NotFound, Assert.Throws<HvProtocolException>(() => loop.Client.RemoveTemplate("uploaded")).Code);
        }

        [Fact]
        public void UploadTemplate_ChecksumMismatch_IsDiscarded()
        {
            using var loop = new Loop();
            byte[] image = Bytes(5000);
            byte[] wrong = SHA256.HashData(Bytes(5000, 8));
            var e = Assert.Throws<HvProtocolException>(() => loop.Client.UploadTemplate("bad", GuestEntryMode.Real, 1, null, new MemoryStream(image), wrong));
            Assert.Equal(ErrorCode.ChecksumMismatch, e.Code);
            Assert.Contains("does not match its checksum", e.Message);
            Assert.Empty(loop.Host.Uploads);
            Assert.Empty(loop.Host.Uploaded);
        }

        [Fact]
        public void UploadTemplate_ConnectionDrops_ReconnectsAndResumesWithoutResending()
        {
            using var loop = new Loop();
            byte[] image = Bytes(40_000);
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
            Assert.Equal(image, loop.Host.Uploaded.Single().Image);
            Assert.Equal(40_000UL, result.BytesSent); // the lost chunk never left; nothing was sent twice
        }

        [Fact]
        public void UploadTemplate_RerunAfterGivingUp_ContinuesWhereTheHostGot()
        {
            using var loop = new Loop();
            byte[] image = Bytes(50_000);
            loop.Client.TransferRetries = 0;
            loop.Host.OnChunk = (t, offset) =>
            {
                if (offset >= 20_000)
                {
                    loop.Transport.Close();
                }
            };
            loop.Transport.ToServer = data => loop.Transport.IsOpen ? data : throw new HvConnectionException("line down");
            var e = Assert.Throws<HvConnectionException>(() => loop.Client.UploadTemplate("big", GuestEntryMode.Real, 1, null, new MemoryStream(image)));
            Assert.Contains("stopped at byte", e.Message);
            Assert.Contains("run the same upload again", e.Message);
            Assert.Single(loop.Host.Uploads);
            ulong had = (ulong)loop.Host.Uploads.Values.Single().Data.Length;
            Assert.True(had > 20_000);

            loop.Host.OnChunk = null;
            loop.Client.Reconnect();
            var result = loop.Client.UploadTemplate("big", GuestEntryMode.Real, 1, null, new MemoryStream(image));
            Assert.Equal(had, result.ResumedFrom);
            Assert.Equal(50_000UL - had, result.BytesSent);
            Assert.Equal(image, loop.Host.Uploaded.Single().Image);

            // Another image under the same name replaces an unfinished upload instead of resuming it.
            loop.Host.Uploaded.Clear();
            loop.Host.OnChunk = (t, offset) => { if (offset >= 8192) loop.Transport.Close(); };
            Assert.Throws<HvConnectionException>(() => loop.Client.UploadTemplate("big", GuestEntryMode.Real, 1, null, new MemoryStream(image)));
            loop.Host.OnChunk = null;
            loop.Client.Reconnect();
            byte[] other = Bytes(50_000, 9);
            Assert.Equal(0UL, loop.Client.UploadTemplate("big", GuestEntryMode.Real, 1, null, new MemoryStream(other)).ResumedFrom);
            Assert.Equal(other, loop.Host.Uploaded.Single().Image);
        }

        [Fact]
        public void UploadChunk_OutOfOrder_StoresNothing_AndSaysWhereTheHostIs()
        {
            using var loop = new Loop();
            byte[] image = Bytes(10_000);
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
        }

        // ---- export / import ------------------------------------------------------------------------------

        [Fact]
        public void ExportThenImport_OnAnotherHost_SameVm_Paused()
        {
            using var a = new Loop();
            using var b = new Loop();
            var vm = a.Host.Add("mover", VmState.Paused, 96, "linux");
            vm.Memory = Bytes(20_000, 3);
            vm.Rip = 0xFFF0;
            var file = new MemoryStream();
            ulong last = 0;
            ulong size = a.Client.ExportVm(vm.Id, file, (done, total) => last = done);
            Assert.Equal((ulong)file.Length, size);
            Assert.Equal(size, last);
            Assert.Empty(a.Host.Exports); // EndExport was sent

            file.Position = 0;
            uint id = b.Client.ImportVm("", file, (ulong)file.Length);
            var copy = b.Host.Find(id);
            Assert.Equal("mover", copy.Name);              // empty name: the image's
            Assert.Equal(VmState.Paused, copy.State);
            Assert.Equal(vm.Memory, copy.Memory);
            Assert.Equal(0xFFF0UL, copy.Rip);
            Assert.Equal("linux", copy.Template);
            Assert.Equal(96u, copy.MemoryMiB);

            file.Position = 0;
            var e = Assert.Throws<HvProtocolException>(() => b.Client.ImportVm("", file, (ulong)file.Length));
            Assert.Equal(ErrorCode.AlreadyExists, e.Code);   // found at commit
            file.Position = 0;
            Assert.Equal("mover-2", b.Host.Find(b.Client.ImportVm("mover-2", file, (ulong)file.Length)).Name);
            file.Position = 0;
            Assert.Equal(ErrorCode.AlreadyExists, Assert.Throws<HvProtocolException>(() => b.Client.ImportVm("mover-2", file, (ulong)file.Length)).Code);
            Assert.Empty(b.Host.Imports);
        }

        [Fact]
        public void Export_RunningVm_InvalidState_AndDamagedImport_ChecksumMismatch()
        {
            using var loop = new Loop();
            var vm = loop.Host.Add("r", VmState.Running);
            Assert.Equal(ErrorCode.InvalidState, Assert.Throws<HvProtocolException>(() => loop.Client.ExportVm(vm.Id, new MemoryStream())).Code);
            vm.State = VmState.Paused;
            var file = new MemoryStream();
            loop.Client.ExportVm(vm.Id, file);
            byte[] damaged = file.ToArray();
            damaged[damaged.Length / 2] ^= 1;
            var e = Assert.Throws<HvProtocolException>(() => loop.Client.ImportVm("r2", new MemoryStream(damaged), (ulong)damaged.Length));
            Assert.Equal(ErrorCode.ChecksumMismatch, e.Code);
            e = Assert.Throws<HvProtocolException>(() => loop.Client.ImportVm("r3", new MemoryStream(new byte[100]), 100));
            Assert.Equal(ErrorCode.InvalidArgument, e.Code);
            // A short stream fails on the client and the import is aborted on the host.
            Assert.Throws<IOException>(() => loop.Client.ImportVm("r4", new MemoryStream(new byte[100]), 200));
            Assert.Empty(loop.Host.Imports);
            Assert.Single(loop.Host.Vms);
        }

        [Fact]
        public void Import_LostAnswer_TimesOut_RetriesWithoutDuplicatingData()
        {
            using var a = new Loop();
            var vm = a.Host.Add("x", VmState.Paused);
            var file = new MemoryStream();
            a.Client.ExportVm(vm.Id, file);

            using var b = new Loop();
            b.Client.DefaultTimeoutMs = 300;
            int answers = 0;
            b.Transport.ToClient = data => ++answers == 3 ? null : data; // lose the answer to the 2nd WriteImport
            file.Position = 0;
            uint id = b.Client.ImportVm("x", file, (ulong)file.Length);
            Assert.Equal(vm.Memory, b.Host.Find(id).Memory);
        }

        [Fact]
        public void ReadExport_PastTheEnd_IsEmpty_AndEndExportForgets()
        {
            using var loop = new Loop();
            var vm = loop.Host.Add("e", VmState.Paused);
            var export = loop.Client.BeginExport(vm.Id);
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
            var vm = loop.Host.Add("m");
            vm.Counters[(int)CounterId.PrivatePages] = 300;
            vm.Counters[(int)CounterId.SharedPages] = 65_536;
            Assert.Equal(300UL, loop.Client.GetMetrics(vm.Id).PrivatePages);
            Assert.Equal(65_536UL, loop.Client.GetVm(vm.Id).SharedPages);
            var listed = Assert.Single(loop.Client.ListVms());
            Assert.Equal(300UL, listed.PrivatePages);
            Assert.Equal(65_536UL, listed.SharedPages);
            Assert.Equal(3UL << 20, loop.Client.GetHostInfo().MemorySharedBytes);
            // A host that does not count pages: unknown, not zero.
            loop.Host.PagesInList = false;
            Assert.Null(Assert.Single(loop.Client.ListVms()).PrivatePages);
            loop.Host.TemplateFlagsSent = false;
            Assert.All(loop.Client.ListTemplates(), t => Assert.Null(t.Primed));
        }

        [Fact]
        public void ListTemplates_FullResponse_KeepsTheExtensionConsistent()
        {
            using var loop = new Loop();
            loop.Host.TemplateNames = Enumerable.Range(0, 300).Select(i => new string('t', 60) + i.ToString("D4")).ToArray();
            TemplateInfo[] list = loop.Client.ListTemplates();
            Assert.InRange(list.Length, 50, 299);
            Assert.All(list.Take(2), t => Assert.NotNull(t.Flags));
        }

        // ---- a host that implements none of it -------------------------------------------------------------

        [Fact]
        public void HostWithoutSupport_AnswersUnsupported_ForEveryNewOperation()
        {
            var host = new MinimalHosts.BareHost();
            var sink = new LoopbackSink();
            var server = new ManagementServer(host, sink, new CounterEntropy(), TestKeys.Key(2));
            var transport = new LoopbackTransport(server);
            sink.Transport = transport;
            using var c = HvClient.Connect(transport, TestKeys.Key(2), 2000);
            var sha = new byte[32];
            Action[] calls =
            {
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
            // CreateVms works on any host: the default makes them one by one with CreateVm.
            Assert.Equal(new uint[] { 1, 2, 3 }, c.CreateVms("t", "n", 3));
            Assert.Equal(new[] { "n-1", "n-2", "n-3" }, host.Created);
        }
    }
}
