using System;
using Hv.Core.Memory;
using Hv.Core.Text;
using Hv.Core.Vm;
using Hv.Crypto;
using Hv.Protocol.Server;
using Hv.Protocol.Wire;
using ProtocolCounters = Hv.Protocol.Server.VmCounters;

namespace Hv.Management
{
    /// <summary>
    /// The management server's requests carried out on a <see cref="Hypervisor"/>: the one place that translates between
    /// the wire's view of VMs and the hypervisor's. Runs in the image and, with a test CPU backend, in .NET.
    /// </summary>
    public sealed class HypervisorControl : HostControl
    {
        private const ulong MiB = 1UL << 20;
        // Transfers in progress. Few at a time: each holds memory until it ends (an upload its image, an export a fork of
        // the VM's memory).
        private const int MaxTransfers = 4;
        private const ulong MaxTemplateBytes = 4UL << 20;

        private sealed class Upload
        {
            public uint Id;
            public string Name, CommandLine;
            public GuestEntryMode Mode;
            public ulong MemoryBytes;
            public readonly byte[] Sha256 = new byte[32];
            public byte[] Data;
            public ulong Received;
        }

        private sealed class Import
        {
            public uint Id;
            public string Name;
            public VmImageReader Reader;
        }

        private readonly Hypervisor _hypervisor;
        private readonly HostPlatform _platform;
        private readonly PageSource _pages;
        private readonly PageSharing _sharing;
        private readonly Upload[] _uploads = new Upload[MaxTransfers];
        private readonly VmImageWriter[] _exports = new VmImageWriter[MaxTransfers];
        private readonly uint[] _exportIds = new uint[MaxTransfers];
        private readonly Import[] _imports = new Import[MaxTransfers];
        private readonly Sha256 _hash = new Sha256();
        private readonly byte[] _digest = new byte[32];
        private uint _nextTransferId = 1;
        private readonly CharBufferSink _detail = new CharBufferSink(ProtocolInfo.MaxTextBytes);

        public HypervisorControl(Hypervisor hypervisor, HostPlatform platform, PageSource pages, PageSharing sharing)
        {
            _hypervisor = hypervisor;
            _platform = platform;
            _pages = pages;
            _sharing = sharing;
        }

        public override ulong UptimeMilliseconds() => _platform.UptimeMilliseconds();

        public override ErrorCode GetHostInfo(HostInfoResult result)
        {
            result.Version = _platform.Version;
            result.CpuFeatures = _platform.CpuFeatures;
            result.CpuFeatureNames = _platform.CpuFeatureNames;
            result.MemoryTotalBytes = _platform.MemoryTotalBytes;
            result.MemoryFreeBytes = _platform.MemoryFreeBytes();
            result.UptimeMs = _platform.UptimeMilliseconds();
            result.VmCount = (uint)_hypervisor.Vms.Count;
            result.MemorySharedBytes = _sharing.CountSharedPages() * 4096;
            return ErrorCode.Ok;
        }

        public override ErrorCode ListTemplates(TemplateListWriter list)
        {
            for (int i = 0; i < _hypervisor.Templates.Count; i++)
            {
                TemplateImage image = _hypervisor.Templates.At(i);
                Template t = image.Template;
                ulong flags = (image.IsPrimed ? TemplateFlags.Primed : 0) | (t.Uploaded ? TemplateFlags.Uploaded : 0);
                if (!list.Add(t.Name, (uint)(t.MemorySize / MiB), 1, ModeName(t.Mode), flags)) break;
            }
            return ErrorCode.Ok;
        }

        public override ErrorCode CreateVm(CreateVmRequest request, out uint vmId)
        {
            vmId = 0;
            if (!request.Template.IsCleanText() || !request.Name.IsCleanText() || request.Name.Length == 0)
                return Fail(ErrorCode.InvalidArgument, "template and name must be printable text");
            if (request.Vcpus > 1) return Fail(ErrorCode.Unsupported, "one vCPU per VM in this version");
            if (request.MemoryMiB > Hypervisor.MaxMemorySize / MiB)
                return Fail(ErrorCode.InvalidArgument, "memory above the per-VM limit of 1024 MiB");
            VirtualMachine vm;
            HypervisorStatus status = _hypervisor.Create(request.Template.ToNewString(), request.Name.ToNewString(),
                                                         request.MemoryMiB * MiB, out vm);
            if (status != HypervisorStatus.Ok) return Translate(status);
            vmId = vm.Id;
            return ErrorCode.Ok;
        }

        public override ErrorCode StartVm(uint vmId) => Translate(_hypervisor.Start(vmId));
        public override ErrorCode PauseVm(uint vmId) => Translate(_hypervisor.Pause(vmId));
        public override ErrorCode ResumeVm(uint vmId) => Translate(_hypervisor.Resume(vmId));
        public override ErrorCode RemoveVm(uint vmId) => Translate(_hypervisor.Remove(vmId));

        // Guests have no shutdown signal yet (no ACPI), so a graceful stop is a turn-off that is recorded as requested.
        public override ErrorCode StopVm(uint vmId, bool force, uint gracefulTimeoutMs)
            => Translate(_hypervisor.Stop(vmId, force ? StopCause.Forced : StopCause.Requested));

        public override ErrorCode ListVms(uint fromId, VmListWriter list)
        {
            // In id order, so a client can continue a list cut at the frame limit from NextId.
            uint next = fromId;
            for (;;)
            {
                VirtualMachine vm = LowestIdFrom(next);
                if (vm == null) return ErrorCode.Ok;
                ulong privatePages, sharedPages;
                vm.MemoryUse(out privatePages, out sharedPages);
                if (!list.Add(vm.Id, vm.Name, vm.State, vm.StopReason, (uint)(vm.MemorySize / MiB), 1, privatePages, sharedPages))
                    return ErrorCode.Ok;
                if (vm.Id == uint.MaxValue) return ErrorCode.Ok;
                next = vm.Id + 1;
            }
        }

        private VirtualMachine LowestIdFrom(uint fromId)
        {
            VirtualMachine best = null;
            for (int i = 0; i < _hypervisor.Vms.Count; i++)
            {
                VirtualMachine vm = _hypervisor.Vms.At(i);
                if (vm.Id >= fromId && (best == null || vm.Id < best.Id)) best = vm;
            }
            return best;
        }

        public override ErrorCode GetVm(uint vmId, VmDetails result)
        {
            VirtualMachine vm = _hypervisor.Find(vmId);
            if (vm == null) return Fail(ErrorCode.NotFound, "no VM with that id");
            Template template = vm.Template;
            _detail.Clear();
            StopCauses.Describe(_detail, vm.StopCause, vm.StopDetail, vm.StopAccess);
            result.Id = vm.Id;
            result.Name = vm.Name;
            result.State = vm.State;
            result.StopReason = vm.StopReason;
            result.StopDetail = _detail.Length == 0 ? null : _detail.ToString();
            result.ExitCode = (int)vm.ExitCode;
            result.MemoryMiB = (uint)(vm.MemorySize / MiB);
            result.Vcpus = 1;
            result.Template = template == null ? null : template.Name;
            FillCounters(vm, result.Counters);
            return ErrorCode.Ok;
        }

        public override ErrorCode GetMetrics(uint vmId, ProtocolCounters counters)
        {
            VirtualMachine vm = _hypervisor.Find(vmId);
            if (vm == null) return Fail(ErrorCode.NotFound, "no VM with that id");
            FillCounters(vm, counters);
            return ErrorCode.Ok;
        }

        public override ErrorCode ReadConsole(uint vmId, ulong fromOffset, int maxBytes, ConsoleReadResult result)
        {
            VirtualMachine vm = _hypervisor.Find(vmId);
            if (vm == null) return Fail(ErrorCode.NotFound, "no VM with that id");
            int max = maxBytes < 0 ? 0 : maxBytes > result.Data.Length ? result.Data.Length : maxBytes;
            ulong start;
            result.Count = vm.Console.ReadOutput(fromOffset, new Span<byte>(result.Data, 0, max), out start);
            result.NextOffset = start + (ulong)result.Count;
            result.Dropped = start > fromOffset;
            return ErrorCode.Ok;
        }

        public override ErrorCode WriteConsole(uint vmId, byte[] data, int offset, int count, out int accepted)
        {
            accepted = 0;
            VirtualMachine vm = _hypervisor.Find(vmId);
            if (vm == null) return Fail(ErrorCode.NotFound, "no VM with that id");
            if (vm.State == VmState.Stopped || vm.State == VmState.Removed)
                return Fail(ErrorCode.InvalidState, "the VM has stopped");
            accepted = vm.Console.QueueInput(new ReadOnlySpan<byte>(data, offset, count));
            return ErrorCode.Ok;
        }

        // ---- forks and snapshots ----

        public override ErrorCode ForkVm(uint vmId, Utf8Field newName, out uint newVmId)
        {
            newVmId = 0;
            VirtualMachine vm;
            HypervisorStatus status = _hypervisor.Fork(vmId, newName.ToNewString(), out vm);
            if (status == HypervisorStatus.InvalidState) return Fail(ErrorCode.InvalidState, "only a paused VM can be copied");
            if (status != HypervisorStatus.Ok) return Translate(status);
            newVmId = vm.Id;
            return ErrorCode.Ok;
        }

        public override ErrorCode CheckpointVm(uint vmId, Utf8Field name, out uint snapshotId)
        {
            HypervisorStatus status = _hypervisor.Checkpoint(vmId, name.ToNewString(), out snapshotId);
            if (status == HypervisorStatus.NameInUse) return Fail(ErrorCode.AlreadyExists, "the VM has a snapshot with that name");
            if (status == HypervisorStatus.TooManyVms) return Fail(ErrorCode.ResourceUnavailable, "the VM has its maximum of 16 snapshots");
            return Translate(status);
        }

        public override ErrorCode ListSnapshots(uint vmId, uint fromId, SnapshotListWriter list)
        {
            VirtualMachine vm = _hypervisor.Find(vmId);
            if (vm == null) return Fail(ErrorCode.NotFound, "no VM with that id");
            ulong rate = _platform.TscTicksPerMillisecond;
            for (Snapshot s = vm.Snapshots.LowestFrom(fromId); s != null; s = s.Id == uint.MaxValue ? null : vm.Snapshots.LowestFrom(s.Id + 1))
            {
                if (!list.Add(s.Id, s.Name, rate == 0 ? 0 : s.CreatedTicks / rate, s.Memory.PrivatePages, s.Memory.SharedPages)) break;
            }
            return ErrorCode.Ok;
        }

        public override ErrorCode RestoreSnapshot(uint vmId, uint snapshotId) => Translate(_hypervisor.Restore(vmId, snapshotId));
        public override ErrorCode RemoveSnapshot(uint vmId, uint snapshotId) => Translate(_hypervisor.RemoveSnapshot(vmId, snapshotId));

        // ---- templates over the channel ----

        public override ErrorCode BeginTemplateUpload(TemplateUploadRequest request, out uint uploadId, out ulong nextOffset)
        {
            uploadId = 0;
            nextOffset = 0;
            string name = request.Name.ToNewString();
            if (_hypervisor.Templates.Find(name) != null) return Fail(ErrorCode.AlreadyExists, "a template with that name exists");
            if (request.TotalBytes == 0 || request.TotalBytes > MaxTemplateBytes)
                return Fail(ErrorCode.TooLarge, "a template image is 1 byte to 4 MiB");
            ulong memory = (ulong)request.MemoryMiB << 20;
            if (memory == 0 || memory > Hypervisor.MaxMemorySize) return Fail(ErrorCode.InvalidArgument, "memory must be 1 to 1024 MiB");
            int free = -1;
            for (int i = 0; i < MaxTransfers; i++)
            {
                Upload u = _uploads[i];
                if (u == null) { if (free < 0) free = i; continue; }
                if (u.Name != name) continue;
                if (request.Sha256Equals(u.Sha256, 0) && (ulong)u.Data.Length == request.TotalBytes)
                {
                    uploadId = u.Id; // the same image again: carry on where it stopped
                    nextOffset = u.Received;
                    return ErrorCode.Ok;
                }
                _uploads[i] = null; // another image under that name: start over
                if (free < 0) free = i;
            }
            if (free < 0) return Fail(ErrorCode.Busy, "too many uploads in progress");
            var upload = new Upload();
            upload.Id = _nextTransferId++;
            upload.Name = name;
            upload.CommandLine = request.CommandLine.Length == 0 ? null : request.CommandLine.ToNewString();
            upload.Mode = request.EntryMode == GuestEntryMode.Real ? GuestEntryMode.Real
                        : request.EntryMode == GuestEntryMode.Long ? GuestEntryMode.Long : GuestEntryMode.Multiboot;
            upload.MemoryBytes = memory;
            for (int i = 0; i < 32; i++) upload.Sha256[i] = request.Sha256[i];
            upload.Data = new byte[(int)request.TotalBytes];
            _uploads[free] = upload;
            uploadId = upload.Id;
            return ErrorCode.Ok;
        }

        public override ErrorCode UploadTemplateChunk(uint uploadId, ulong offset, byte[] data, int off, int count, out ulong nextOffset)
        {
            nextOffset = 0;
            Upload u = FindUpload(uploadId);
            if (u == null) return Fail(ErrorCode.NotFound, "no upload with that id");
            if (offset == u.Received)
            {
                if (u.Received + (ulong)count > (ulong)u.Data.Length) return Fail(ErrorCode.TooLarge, "more bytes than announced");
                for (int i = 0; i < count; i++) u.Data[(int)u.Received + i] = data[off + i];
                u.Received += (ulong)count;
            }
            nextOffset = u.Received;
            return ErrorCode.Ok;
        }

        public override ErrorCode CommitTemplateUpload(uint uploadId)
        {
            Upload u = FindUpload(uploadId);
            if (u == null) return Fail(ErrorCode.NotFound, "no upload with that id");
            if (u.Received != (ulong)u.Data.Length) return Fail(ErrorCode.InvalidState, "the upload is not complete");
            DropUpload(uploadId);
            _hash.Reset();
            _hash.Update(u.Data, 0, u.Data.Length);
            _hash.Finish(_digest, 0);
            int difference = 0;
            for (int i = 0; i < 32; i++) difference |= _digest[i] ^ u.Sha256[i];
            if (difference != 0) return Fail(ErrorCode.ChecksumMismatch, "the image's SHA-256 does not match; upload it again");
            HypervisorStatus status = _hypervisor.AddTemplate(new Template(u.Name, u.Data, u.Mode, u.MemoryBytes, u.CommandLine,
                                                                           uploaded: true));
            if (status == HypervisorStatus.LoadFailed) return Fail(ErrorCode.InvalidArgument, "the image cannot boot in that entry mode and memory size");
            return Translate(status);
        }

        public override ErrorCode RemoveTemplate(Utf8Field name)
        {
            string text = name.ToNewString();
            for (int i = 0; i < MaxTransfers; i++) if (_uploads[i] != null && _uploads[i].Name == text) _uploads[i] = null;
            return Translate(_hypervisor.RemoveTemplate(text));
        }

        private Upload FindUpload(uint id)
        {
            for (int i = 0; i < MaxTransfers; i++) if (_uploads[i] != null && _uploads[i].Id == id) return _uploads[i];
            return null;
        }

        private void DropUpload(uint id)
        {
            for (int i = 0; i < MaxTransfers; i++) if (_uploads[i] != null && _uploads[i].Id == id) _uploads[i] = null;
        }

        // ---- export and import ----

        public override ErrorCode BeginExport(uint vmId, out uint exportId, out ulong totalBytes)
        {
            exportId = 0;
            totalBytes = 0;
            int free = -1;
            for (int i = 0; i < MaxTransfers && free < 0; i++) if (_exports[i] == null) free = i;
            if (free < 0) return Fail(ErrorCode.Busy, "too many exports in progress");
            VmImageWriter writer;
            HypervisorStatus status = _hypervisor.Export(vmId, out writer);
            if (status == HypervisorStatus.InvalidState) return Fail(ErrorCode.InvalidState, "only a paused VM can be exported");
            if (status != HypervisorStatus.Ok) return Translate(status);
            _exports[free] = writer;
            _exportIds[free] = exportId = _nextTransferId++;
            totalBytes = writer.TotalBytes;
            return ErrorCode.Ok;
        }

        public override ErrorCode ReadExport(uint exportId, ulong offset, int maxBytes, ExportChunk result)
        {
            int i = ExportIndex(exportId);
            if (i < 0) return Fail(ErrorCode.NotFound, "no export with that id");
            int max = maxBytes < 0 ? 0 : maxBytes > result.Data.Length ? result.Data.Length : maxBytes;
            result.Count = _exports[i].Read(offset, result.Data, 0, max);
            return ErrorCode.Ok;
        }

        public override ErrorCode EndExport(uint exportId)
        {
            int i = ExportIndex(exportId);
            if (i < 0) return Fail(ErrorCode.NotFound, "no export with that id");
            _exports[i].Release();
            _exports[i] = null;
            _exportIds[i] = 0;
            return ErrorCode.Ok;
        }

        private int ExportIndex(uint id)
        {
            for (int i = 0; i < MaxTransfers; i++) if (_exports[i] != null && _exportIds[i] == id) return i;
            return -1;
        }

        public override ErrorCode BeginImport(Utf8Field name, ulong totalBytes, out uint importId)
        {
            importId = 0;
            string text = name.Length == 0 ? null : name.ToNewString();
            if (text != null && _hypervisor.FindByName(text) != null) return Fail(ErrorCode.AlreadyExists, "a VM with that name exists");
            if (totalBytes > Hypervisor.MaxMemorySize + (1UL << 20)) return Fail(ErrorCode.TooLarge, "larger than any VM image");
            int free = -1;
            for (int i = 0; i < MaxTransfers && free < 0; i++) if (_imports[i] == null) free = i;
            if (free < 0) return Fail(ErrorCode.Busy, "too many imports in progress");
            var import = new Import();
            import.Id = _nextTransferId++;
            import.Name = text;
            import.Reader = new VmImageReader(_pages, _sharing, totalBytes);
            _imports[free] = import;
            importId = import.Id;
            return ErrorCode.Ok;
        }

        public override ErrorCode WriteImport(uint importId, ulong offset, byte[] data, int off, int count, out ulong nextOffset)
        {
            nextOffset = 0;
            int i = ImportIndex(importId);
            if (i < 0) return Fail(ErrorCode.NotFound, "no import with that id");
            VmImageReader reader = _imports[i].Reader;
            if (offset == reader.NextOffset)
            {
                VmImageStatus status = reader.Write(offset, data, off, count);
                if (status != VmImageStatus.Ok)
                {
                    _imports[i] = null;
                    return ImageError(status);
                }
            }
            nextOffset = reader.NextOffset;
            return ErrorCode.Ok;
        }

        public override ErrorCode CommitImport(uint importId, out uint vmId)
        {
            vmId = 0;
            int i = ImportIndex(importId);
            if (i < 0) return Fail(ErrorCode.NotFound, "no import with that id");
            Import import = _imports[i];
            _imports[i] = null;
            VmImageStatus status = import.Reader.Finish();
            if (status != VmImageStatus.Ok) return ImageError(status);
            VirtualMachine vm;
            HypervisorStatus admitted = _hypervisor.Import(import.Reader, import.Name ?? import.Reader.Name, out vm);
            if (admitted != HypervisorStatus.Ok)
            {
                import.Reader.Abandon();
                return Translate(admitted);
            }
            vmId = vm.Id;
            return ErrorCode.Ok;
        }

        public override ErrorCode AbortImport(uint importId)
        {
            int i = ImportIndex(importId);
            if (i < 0) return Fail(ErrorCode.NotFound, "no import with that id");
            _imports[i].Reader.Abandon();
            _imports[i] = null;
            return ErrorCode.Ok;
        }

        private int ImportIndex(uint id)
        {
            for (int i = 0; i < MaxTransfers; i++) if (_imports[i] != null && _imports[i].Id == id) return i;
            return -1;
        }

        private ErrorCode ImageError(VmImageStatus status)
        {
            switch (status)
            {
                case VmImageStatus.ChecksumMismatch: return Fail(ErrorCode.ChecksumMismatch, "the VM image is damaged (SHA-256 mismatch)");
                case VmImageStatus.OutOfMemory: return Fail(ErrorCode.ResourceUnavailable, "not enough free host memory for the VM");
                case VmImageStatus.WrongLength: return Fail(ErrorCode.InvalidArgument, "the VM image has the wrong length");
                default: return Fail(ErrorCode.InvalidArgument, "not a VM image this host can read");
            }
        }

        private void FillCounters(VirtualMachine vm, ProtocolCounters c)
        {
            Hv.Core.Vm.VmCounters v = vm.Counters;
            c.Clear();
            c.TotalExits = v.TotalExits;
            c.IoExits = v.ExitsFor(ExitReasons.IoInstruction);
            c.EptExits = v.ExitsFor(ExitReasons.EptViolation) + v.ExitsFor(ExitReasons.EptMisconfiguration);
            c.HltExits = v.ExitsFor(ExitReasons.Hlt);
            c.CpuidExits = v.ExitsFor(ExitReasons.Cpuid);
            c.MsrExits = v.ExitsFor(ExitReasons.Rdmsr) + v.ExitsFor(ExitReasons.Wrmsr);
            c.InterruptExits = v.ExitsFor(ExitReasons.ExternalInterrupt) + v.ExitsFor(ExitReasons.PreemptionTimer);
            c.OtherExits = v.TotalExits - c.IoExits - c.EptExits - c.HltExits - c.CpuidExits - c.MsrExits - c.InterruptExits;
            c.ConsoleBytesOut = v.ConsoleBytes;
            c.GuestTsc = v.GuestTscTicks;
            ulong rate = _platform.TscTicksPerMillisecond;
            c.RunTimeMs = rate == 0 ? 0 : v.GuestTscTicks / rate;
            ulong privatePages, sharedPages;
            vm.MemoryUse(out privatePages, out sharedPages);
            c.Set(CounterId.PrivatePages, privatePages);
            c.Set(CounterId.SharedPages, sharedPages);
        }

        // The basic exit reasons the counters group (SDM Vol. 3D Appendix C).
        private static class ExitReasons
        {
            public const uint ExternalInterrupt = 1, Cpuid = 10, Hlt = 12, IoInstruction = 30, Rdmsr = 31, Wrmsr = 32,
                              EptViolation = 48, EptMisconfiguration = 49, PreemptionTimer = 52;
        }

        private static string ModeName(GuestEntryMode mode)
            => mode == GuestEntryMode.Real ? "real" : mode == GuestEntryMode.Long ? "long" : "multiboot";

        private ErrorCode Translate(HypervisorStatus status)
        {
            switch (status)
            {
                case HypervisorStatus.Ok: return ErrorCode.Ok;
                case HypervisorStatus.NotFound: return Fail(ErrorCode.NotFound, "no such VM or template");
                case HypervisorStatus.InvalidState: return Fail(ErrorCode.InvalidState, "the VM is not in a state that allows this");
                case HypervisorStatus.InvalidArgument: return Fail(ErrorCode.InvalidArgument, "invalid name or memory size (whole 4 KiB pages, 1 GiB at most)");
                case HypervisorStatus.NameInUse: return Fail(ErrorCode.AlreadyExists, "a VM with that name exists");
                case HypervisorStatus.TooManyVms: return Fail(ErrorCode.ResourceUnavailable, "the host runs its maximum number of VMs");
                case HypervisorStatus.OutOfMemory: return Fail(ErrorCode.ResourceUnavailable, "not enough free host memory");
                case HypervisorStatus.LoadFailed: return Fail(ErrorCode.InvalidArgument, "the template's image does not fit this memory size");
                case HypervisorStatus.PrimeFailed: return Fail(ErrorCode.InvalidState, "the template's guest stopped or took too long before its Ready hypercall");
                default: return Fail(ErrorCode.ResourceUnavailable, "this host cannot run the VM (no usable VT-x, or the CPU refused it)");
            }
        }
    }
}
