using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using Hv.Core.Vm;
using Hv.Management;
using Hv.Protocol.Client;
using Hv.Protocol.Wire;
using Hv.Testing;

namespace Hv.Protocol.Tests
{
    /// <summary>
    /// An export's image is prepared in bounded steps: BeginExport answers before it is ready, GetExport reports (and
    /// steps) the preparation, and the host serves other requests meanwhile.
    /// </summary>
    public class ExportPreparationTests
    {
        [Fact]
        public void BeginExport_answers_at_once_and_other_requests_are_served_while_the_image_is_prepared()
        {
            using var loop = new Loop();
            uint vm = loop.Host.AddVm("e", state: VmState.Paused);
            var progress = new List<(ulong Done, ulong Work)>();
            TransferStart export = loop.Client.BeginExport(vm, preparing: (done, work) =>
            {
                progress.Add((done, work));
                Assert.Equal("e", Assert.Single(loop.Client.ListVms()).Name);
            });
            // 256 pages to scan in steps (one with BeginExport, one per GetExport), then the few with content.
            Assert.True(progress.Count >= 256 / HypervisorAdapter.PreparationStepPages - 1, progress.Count.ToString());
            Assert.Equal(progress.Select(p => p.Done).OrderBy(d => d), progress.Select(p => p.Done));
            Assert.Equal(progress[^1].Work, progress[^1].Done);
            Assert.True(export.TotalBytes > 0);
            var buffer = new byte[4096];
            Assert.True(loop.Client.ReadExport(export.Id, 0, buffer, 0, 4096) > 0);
            loop.Client.EndExport(export.Id);
        }

        [Fact]
        public void An_image_not_yet_prepared_is_busy_to_read_and_unknown_exports_are_not_found()
        {
            var h = new ServerHarness();
            uint vm = h.AddVm("a", state: VmState.Paused);
            h.Handshake();
            var begin = h.Verify(Assert.Single(h.Send(h.Request(Opcode.BeginExport, w => w.WriteVarUInt(vm)))));
            Assert.True(begin.ReadVarUInt32(out uint id));
            Assert.True(begin.ReadVarUInt(out ulong total));
            Assert.Equal(0UL, total);
            var read = Assert.Single(h.Send(h.Request(Opcode.ReadExport, w => { w.WriteVarUInt(id); w.WriteVarUInt(0); w.WriteVarUInt(16); })));
            Assert.Equal(ErrorCode.Busy, read.Status);
            Assert.Equal(ErrorCode.NotFound, Assert.Single(h.Send(h.Request(Opcode.GetExport, w => w.WriteVarUInt(id + 1)))).Status);
            var status = h.Verify(Assert.Single(h.Send(h.Request(Opcode.GetExport, w => w.WriteVarUInt(id)))));
            Assert.True(status.ReadVarUInt(out total));
            Assert.True(status.ReadVarUInt(out ulong done));
            Assert.True(status.ReadVarUInt(out ulong work));
            Assert.Equal(0UL, total);
            Assert.Equal(2UL * HypervisorAdapter.PreparationStepPages, done);  // two steps: BeginExport's and this GetExport's
            Assert.Equal(512UL, work); // 256 pages to scan, and as many to hash until the scan says fewer
        }

        [Fact]
        public void A_vm_resumed_changed_and_removed_while_its_image_is_prepared_exports_as_it_was_paused()
        {
            using var a = new Loop();
            using var b = new Loop();
            uint vm = a.Host.AddVm("mover", state: VmState.Paused);
            a.Host.WriteGuestMemory("mover", 0x5000, new byte[] { 1, 2, 3 });
            byte[] atPause = a.Host.ReadGuestMemory("mover", 0, 1 << 20);
            bool once = true;
            TransferStart export = a.Client.BeginExport(vm, preparing: (done, work) =>
            {
                if (!once) return;
                once = false;
                a.Client.ResumeVm(vm);
                a.Host.RunGuests(3);
                a.Host.WriteGuestMemory("mover", 0x5000, new byte[] { 9, 9, 9 });
                a.Host.WriteGuestMemory("mover", 0xF0000, new byte[] { 7 });
                a.Client.StopVm(vm, force: true);
                a.Client.RemoveVm(vm);
            });
            Assert.Empty(a.Client.ListVms());
            var file = new MemoryStream();
            a.Client.CopyExport(export, (data, count) => file.Write(data, 0, count));
            a.Client.EndExport(export.Id);
            file.Position = 0;
            b.Client.ImportVm("", file, (ulong)file.Length);
            Assert.Equal(atPause, b.Host.ReadGuestMemory("mover", 0, 1 << 20));
        }

        [Fact]
        public void An_export_given_up_while_its_image_is_prepared_gives_every_page_back()
        {
            using var loop = new Loop();
            uint vm = loop.Host.AddVm("e", state: VmState.Paused);
            int before = loop.Host.Pages.Outstanding;
            int polls = 0;
            Assert.Throws<OperationCanceledException>(() => loop.Client.BeginExport(vm, preparing: (done, work) =>
            {
                if (++polls == 3) throw new OperationCanceledException("stop");
            }));
            Assert.Equal(before, loop.Host.Pages.Outstanding);
            // The failure ended the export on the host (the client's catch): nothing is left to read.
            Assert.Equal(ErrorCode.NotFound, Assert.Throws<HvProtocolException>(() => loop.Client.GetExport(1)).Code);
        }
    }
}
