using Hv.Core.Memory;
using Hv.Core.Text;
using Hv.Core.Vm;
using Hv.Crypto;
using Hv.Kernel.Platform;
using Hv.Management;
using Hv.Protocol.Messages;
using Hv.Protocol.Wire;

namespace Hv.Kernel.Host
{
    // hv.soak=N hv.soak_rounds=R: N VM create/remove cycles, then R template uploads (each also abandoning a 4 MiB
    // upload under one name with a new digest, the case that used to exhaust the heap), R snapshot cycles, R exports
    // (every tenth imported back), R PC-VM cycles (a linux-template VM with its platform, PCI bus and disk: created,
    // snapshotted, restored, copied, removed), all as requests to the management handlers; each phase logs its TSC cost. Heap bytes and blocks in use, free pages and
    // VM-table slots are read before and after; each delta must be 0 ("bench: soak_..." lines for tools/hv-bench).
    // One round of everything runs first, so the heap's slabs and the page map exist before the start is read.
    internal sealed class Soak
    {
        private const string PcTemplate = "linux";
        // The abandoned upload's size: issue 14's case (4 MiB each), well under TemplateUploads.MaxImageBytes.
        private const ulong AbandonedUploadBytes = 4UL << 20;

        private readonly Hypervisor _hypervisor;
        private readonly LocalRequests _requests;
        private readonly CreateVmMessage _create = new CreateVmMessage();
        private readonly RemoveVmMessage _remove = new RemoveVmMessage();
        private readonly StopVmMessage _stop = new StopVmMessage();
        private readonly BeginTemplateUploadMessage _begin = new BeginTemplateUploadMessage();
        private readonly UploadTemplateChunkMessage _chunk = new UploadTemplateChunkMessage();
        private readonly CommitTemplateUploadMessage _commit = new CommitTemplateUploadMessage();
        private readonly NameRequest _removeTemplate = new NameRequest(Opcode.RemoveTemplate);
        private readonly CheckpointVmMessage _checkpoint = new CheckpointVmMessage();
        private readonly ForkVmMessage _fork = new ForkVmMessage();
        private readonly RestoreSnapshotMessage _restore = new RestoreSnapshotMessage();
        private readonly RemoveSnapshotMessage _removeSnapshot = new RemoveSnapshotMessage();
        private readonly BeginExportMessage _export = new BeginExportMessage();
        private readonly GetExportMessage _prepared = new GetExportMessage();
        private readonly ReadExportMessage _read = new ReadExportMessage();
        private readonly EndExportMessage _endExport = new EndExportMessage();
        private readonly BeginImportMessage _import = new BeginImportMessage();
        private readonly WriteImportMessage _write = new WriteImportMessage();
        private readonly CommitImportMessage _commitImport = new CommitImportMessage();
        private readonly byte[] _image;
        private readonly byte[] _digest = new byte[Sha256.HashBytes];
        private readonly byte[] _exported = new byte[256 * 1024];
        private int _failures;
        private TextSink _log;

        private Soak(Hypervisor hypervisor, HypervisorAdapter adapter, byte[] image)
        {
            _hypervisor = hypervisor;
            _requests = new LocalRequests(adapter, new HardwareEntropy());
            _image = image;
            var hash = new Sha256();
            hash.Update(image, 0, image.Length);
            hash.Finish(_digest, 0);
        }

        public static void Run(Hypervisor hypervisor, HypervisorAdapter adapter, PageAllocator pages, ulong cycles, int rounds,
                               TextSink log)
        {
            TemplateImage hello = hypervisor.Templates.Find("hello");
            if (hello == null)
            {
                log.WriteLine("bench: no hello template");
                return;
            }
            // The uploads send a copy of hello's image (a boot module's bytes, which stay where they are).
            byte[] image = new byte[hello.Template.Image.Length];
            hello.Template.Image.Span.CopyTo(image);
            var soak = new Soak(hypervisor, adapter, image);
            soak.All(1, 1, null);
            ulong heap = Internal.Runtime.Heap.UsedBytes, blocks = Internal.Runtime.Heap.BlocksInUse;
            ulong free = pages.FreePages;
            int vms = hypervisor.Vms.Count, templates = hypervisor.Templates.Count;
            ulong t0 = Native.hv_rdtsc();
            soak.All(cycles, rounds, log);
            ulong ticks = Native.hv_rdtsc() - t0;
            Report(log, "soak_create_remove_cycles", (long)cycles);
            Report(log, "soak_rounds", rounds);
            Report(log, "soak_failures", soak._failures);
            Report(log, "soak_heap_delta_bytes", (long)(Internal.Runtime.Heap.UsedBytes - heap));
            Report(log, "soak_heap_blocks_delta", (long)(Internal.Runtime.Heap.BlocksInUse - blocks));
            Report(log, "soak_pages_delta", (long)(free - pages.FreePages));
            Report(log, "soak_vm_slots_delta", hypervisor.Vms.Count - vms);
            Report(log, "soak_templates_delta", hypervisor.Templates.Count - templates);
            Report(log, "soak_tsc", (long)ticks);
        }

        private void All(ulong cycles, int rounds, TextSink log)
        {
            _log = log;
            ulong t = Native.hv_rdtsc();
            for (ulong i = 0; i < cycles; i++) CreateRemove();
            t = Phase(log, "soak_create_remove_tsc", t, cycles);
            for (int i = 0; i < rounds; i++) Upload(i);
            t = Phase(log, "soak_upload_tsc", t, (ulong)rounds);
            _removeTemplate.Name.Set("soak-abandoned");
            _requests.Send(_removeTemplate); // NotFound, and it drops the unfinished upload of that name
            uint vm = CreateVm("soak-vm", "hello");
            if (vm == 0) return;
            for (int i = 0; i < rounds; i++) SnapshotCycle(vm);
            t = Phase(log, "soak_snapshot_tsc", t, (ulong)rounds);
            for (int i = 0; i < rounds; i++) ExportCycle(vm, i % 10 == 0);
            t = Phase(log, "soak_export_tsc", t, (ulong)rounds);
            Check(StopRemove(vm));
            if (_hypervisor.Templates.Find(PcTemplate) == null)
            {
                if (log != null) log.WriteLine("bench: no linux template, no PC-VM cycles");
                return;
            }
            for (int i = 0; i < rounds; i++) PcCycle();
            Phase(log, "soak_pc_vm_tsc", t, (ulong)rounds);
        }

        // A PC VM (platform, PCI bus, virtio disk) through what makes and frees device records: created, snapshotted,
        // restored (which leaves it paused), copied, and both removed.
        private void PcCycle()
        {
            uint vm = CreateVm("soak-pc", PcTemplate);
            if (vm == 0) return;
            SnapshotCycle(vm);
            _fork.VmId = vm;
            _fork.Name.Set("soak-pc-copy");
            if (Check(_requests.Send(_fork))) Check(StopRemove(_fork.NewId));
            Check(StopRemove(vm));
        }

        // Logs the TSC cost per operation of the phase that began at `start` (not in the warm-up round); the TSC now.
        private static ulong Phase(TextSink log, string name, ulong start, ulong count)
        {
            ulong now = Native.hv_rdtsc();
            if (log != null && count > 0) Report(log, name, (long)((now - start) / count));
            return now;
        }

        private void CreateRemove()
        {
            uint vm = CreateVm("soak", "hello");
            if (vm != 0) Check(RemoveVm(vm));
        }

        // A template uploaded, committed and removed; and a 4 MiB upload begun under one name with a new digest each
        // time and never finished (each drops the one before).
        private void Upload(int round)
        {
            _begin.Name.Set("soak-template");
            _begin.EntryMode = GuestEntryMode.Real;
            _begin.MemoryMiB = 1;
            _begin.TotalBytes = (ulong)_image.Length;
            for (int i = 0; i < _digest.Length; i++) _begin.Sha256[i] = _digest[i];
            _begin.CommandLine.Clear();
            if (Check(_requests.Send(_begin)))
            {
                _chunk.TransferId = _begin.UploadId;
                for (int at = 0; at < _image.Length; at += ProtocolInfo.MaxTransferChunk)
                {
                    _chunk.Offset = (ulong)at;
                    _chunk.Data = _image;
                    _chunk.DataOffset = at;
                    _chunk.DataCount = System.Math.Min(ProtocolInfo.MaxTransferChunk, _image.Length - at);
                    Check(_requests.Send(_chunk));
                }
                _commit.TransferId = _begin.UploadId;
                Check(_requests.Send(_commit));
                _removeTemplate.Name.Set("soak-template");
                Check(_requests.Send(_removeTemplate));
            }
            _begin.Name.Set("soak-abandoned");
            _begin.TotalBytes = AbandonedUploadBytes;
            _begin.Sha256[0] = (byte)round;
            _begin.Sha256[1] = (byte)(round >> 8);
            Check(_requests.Send(_begin));
        }

        private void SnapshotCycle(uint vm)
        {
            _checkpoint.VmId = vm;
            _checkpoint.Name.Set("soak-snapshot");
            if (!Check(_requests.Send(_checkpoint))) return;
            _restore.VmId = _removeSnapshot.VmId = vm;
            _restore.SnapshotId = _removeSnapshot.SnapshotId = _checkpoint.NewId;
            Check(_requests.Send(_restore));
            Check(_requests.Send(_removeSnapshot));
        }

        // An export read to its end; imported back as a new VM (then removed) when `import` is set.
        private void ExportCycle(uint vm, bool import)
        {
            _export.VmId = vm;
            if (!Check(_requests.Send(_export))) return;
            _prepared.ExportId = _export.ExportId;
            _prepared.TotalBytes = _export.TotalBytes;
            while (_prepared.TotalBytes == 0 && Check(_requests.Send(_prepared))) { }
            int total = (int)_prepared.TotalBytes;
            _read.ExportId = _export.ExportId;
            for (int at = 0; at < total; at += _read.Count)
            {
                _read.Offset = (ulong)at;
                _read.MaxBytes = ProtocolInfo.MaxTransferChunk;
                if (!Check(_requests.Send(_read)) || _read.Count == 0) break;
                for (int i = 0; i < _read.Count && at + i < _exported.Length; i++) _exported[at + i] = _read.Data[i];
            }
            _endExport.TransferId = _export.ExportId;
            Check(_requests.Send(_endExport));
            if (!import || total > _exported.Length) return;
            _import.Name.Set("soak-imported");
            _import.TotalBytes = (ulong)total;
            if (!Check(_requests.Send(_import))) return;
            _write.TransferId = _import.ImportId;
            for (int at = 0; at < total; at += ProtocolInfo.MaxTransferChunk)
            {
                _write.Offset = (ulong)at;
                _write.Data = _exported;
                _write.DataOffset = at;
                _write.DataCount = System.Math.Min(ProtocolInfo.MaxTransferChunk, total - at);
                Check(_requests.Send(_write));
            }
            _commitImport.ImportId = _import.ImportId;
            if (Check(_requests.Send(_commitImport))) Check(StopRemove(_commitImport.VmId));
        }

        private uint CreateVm(string name, string template)
        {
            _create.Template.Set(template);
            _create.Name.Set(name);
            _create.MemoryMiB = 0;
            _create.Vcpus = 0;
            return Check(_requests.Send(_create)) ? _create.VmId : 0;
        }

        // Turns a paused VM off, then removes it.
        private ErrorCode StopRemove(uint vm)
        {
            _stop.VmId = vm;
            _stop.Force = true;
            ErrorCode stopped = _requests.Send(_stop);
            return stopped != ErrorCode.Ok ? stopped : RemoveVm(vm);
        }

        private ErrorCode RemoveVm(uint vm)
        {
            _remove.VmId = vm;
            return _requests.Send(_remove);
        }

        // Counts a refused request; the first few are logged with the request that failed.
        private bool Check(ErrorCode status)
        {
            if (status == ErrorCode.Ok) return true;
            if (_failures++ < 8 && _log != null)
            {
                _log.Write("soak: request ");
                _log.WriteDecimal((ulong)_requests.LastOpcode);
                _log.Write(" refused with status ");
                _log.WriteDecimal((ulong)status);
                _log.WriteLine();
            }
            return false;
        }

        private static void Report(TextSink log, string name, long value)
        {
            log.Write("bench: ");
            log.Write(name);
            log.Write("=");
            log.WriteDecimal(value);
            log.WriteLine();
        }
    }
}
