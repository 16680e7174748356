using Hv.Core.Memory;
using Hv.Core.Text;
using Hv.Core.Vm;
using Hv.Core.Vmx.Arch;
using Hv.Protocol.Messages;
using Hv.Protocol.Server;
using Hv.Protocol.Wire;

namespace Hv.Management
{
    /// <summary>
    /// The one adapter between the management protocol and the hypervisor, the only code that sees both: it registers
    /// one handler per message with the <see cref="ProtocolServer"/>, and each handler carries its message out with one
    /// call on the <see cref="Hypervisor"/> and answers the status directly. What the handlers share lives here: the
    /// translation of hypervisor outcomes into statuses with the host's explanation, and the VM facts a response reports.
    /// Runs in the image and, with a scripted host processor, in .NET.
    /// </summary>
    public sealed class HypervisorAdapter
    {
        internal const ulong MiB = 1UL << 20;
        /// <summary>
        /// Pages of an export's preparation done in one step (by a request, or by the host loop between its other work):
        /// small enough that a step is a few milliseconds even in an emulator (a page is about 90,000 instructions to scan),
        /// so no request waits long behind one.
        /// </summary>
        public const int PreparationStepPages = 4;

        internal readonly Hypervisor Hypervisor;
        internal readonly HostFacts Facts;
        internal readonly PageSource Pages;
        internal readonly TemplateUploads Uploads = new TemplateUploads();
        internal readonly VmExports Exports = new VmExports();
        internal readonly VmImports Imports = new VmImports();
        private uint _nextTransferId = 1;
        private readonly char[] _nameUnits = new char[ProtocolInfo.MaxNameBytes];
        private readonly byte[] _digest = new byte[ProtocolInfo.Sha256Bytes];

        public HypervisorAdapter(Hypervisor hypervisor, HostFacts facts, PageSource pages)
        {
            Hypervisor = hypervisor;
            Facts = facts;
            Pages = pages;
        }

        /// <summary>Registers a handler for every message this host carries out: the server's table, by opcode.</summary>
        public void RegisterWith(ProtocolServer server)
        {
            MessageHandler[] handlers =
            {
                new HostInfoHandler(this),
                new ListTemplatesHandler(this), new BeginTemplateUploadHandler(this), new UploadTemplateChunkHandler(this),
                new CommitTemplateUploadHandler(this), new RemoveTemplateHandler(this),
                new CreateVmHandler(this), new CreateVmsHandler(this), new StartVmHandler(this), new StopVmHandler(this),
                new PauseVmHandler(this), new ResumeVmHandler(this), new RemoveVmHandler(this), new ListVmsHandler(this),
                new GetVmHandler(this), new GetMetricsHandler(this), new ForkVmHandler(this),
                new ReadConsoleHandler(this), new WriteConsoleHandler(this),
                new CheckpointVmHandler(this), new ListSnapshotsHandler(this), new RestoreSnapshotHandler(this),
                new RemoveSnapshotHandler(this),
                new BeginExportHandler(this), new ReadExportHandler(this), new EndExportHandler(this), new BeginImportHandler(this),
                new WriteImportHandler(this), new CommitImportHandler(this), new AbortImportHandler(this), new GetExportHandler(this),
                new SetVmHandler(this),
                new GetHardDiskDriveHandler(this), new CreateDiskHandler(this), new AddHardDiskDriveHandler(this),
                new RemoveHardDiskDriveHandler(this), new BeginDiskUploadHandler(this), new CommitDiskUploadHandler(this),
                new CreateSwitchHandler(this), new ListSwitchesHandler(this), new RemoveSwitchHandler(this),
                new AddNetworkAdapterHandler(this), new RemoveNetworkAdapterHandler(this), new GetNetworkAdapterHandler(this),
                new ConnectNetworkAdapterHandler(this), new ListDisksHandler(this), new RemoveDiskHandler(this),
            };
            for (int i = 0; i < handlers.Length; i++) server.Register(handlers[i].Opcode, handlers[i]);
        }

        /// <summary>Host time for the transfers' deadlines.</summary>
        internal ulong NowMs { get { return Facts.UptimeMilliseconds(); } }

        /// <summary>
        /// Frees the uploads, exports and imports their clients abandoned (<see cref="TransferDeadline"/>). Called before
        /// every new transfer and by the host loop, so their memory comes back even when no request follows.
        /// </summary>
        public void ReclaimAbandoned()
        {
            ulong now = NowMs;
            Uploads.ReclaimIdle(now);
            Exports.ReclaimIdle(now);
            Imports.ReclaimIdle(now);
        }

        /// <summary>
        /// One bounded step (<see cref="PreparationStepPages"/>) of the exports still being prepared; true while work
        /// remains. The host loop calls it between guests' time slices and requests, so an export of any size never
        /// holds them up for more than a step.
        /// </summary>
        public bool AdvanceExports()
        {
            return Exports.Advance(PreparationStepPages);
        }

        /// <summary>Uploads, exports and imports share one series of ids, from 1.</summary>
        internal uint NextTransferId()
        {
            return _nextTransferId++;
        }

        /// <summary>
        /// The start of an upload (a template's, or a raw disk's with <paramref name="isDisk"/>): the unfinished one of the
        /// same name, kind and image to carry on (<paramref name="fresh"/> false), or a new one holding the whole image in
        /// host memory (the caller sets its kind's fields); one the host cannot spare the memory for is refused.
        /// </summary>
        internal Reply BeginUpload(Utf8Field name, ulong totalBytes, byte[] sha256, bool isDisk, out TemplateUploads.Upload upload, out bool fresh)
        {
            fresh = false;
            ReclaimAbandoned();
            ulong now = NowMs;
            upload = Uploads.Resumable(name, totalBytes, sha256, isDisk, now);
            if (upload != null) return Reply.Ok;
            if (Uploads.IsFull) return Fail(ErrorCode.Busy, "too many uploads in progress");
            byte[] data = Owned.TryNewBytes((int)totalBytes);
            if (data == null) return Fail(ErrorCode.ResourceUnavailable, "not enough free host memory for an image that size now");
            upload = new TemplateUploads.Upload();
            upload.Id = NextTransferId();
            upload.Name = name.ToNewString();
            upload.IsDisk = isDisk;
            for (int i = 0; i < ProtocolInfo.Sha256Bytes; i++) upload.Sha256[i] = sha256[i];
            upload.Data = data;
            upload.LastUsedMs = now;
            Uploads.Add(upload);
            fresh = true;
            return Reply.Ok;
        }

        /// <summary>
        /// The end of an upload of the kind asked for: every byte arrived and the SHA-256 (hashed as the chunks came)
        /// matches; the upload is then the caller's to free. A damaged one is freed and refused (ChecksumMismatch).
        /// </summary>
        internal Reply FinishUpload(uint id, bool isDisk, out TemplateUploads.Upload upload)
        {
            upload = Uploads.Find(id, NowMs);
            if (upload == null) return Fail(ErrorCode.NotFound, "no upload with that id");
            if (upload.IsDisk != isDisk) return Fail(ErrorCode.InvalidArgument, isDisk ? "that upload is a template's" : "that upload is a disk's");
            if (!upload.Complete) return Fail(ErrorCode.InvalidState, "the upload is not complete");
            Uploads.Take(upload);
            upload.Hash.Finish(_digest, 0);
            if (!TemplateUploads.SameDigest(_digest, upload.Sha256))
            {
                upload.Free(withContents: true);
                upload = null;
                return Fail(ErrorCode.ChecksumMismatch, "the image's SHA-256 does not match; upload it again");
            }
            return Reply.Ok;
        }

        internal static Reply NoSuchVm { get { return new Reply(ErrorCode.NotFound, "no VM with that id"); } }

        internal static Reply Fail(ErrorCode status, string detail)
        {
            return new Reply(status, detail);
        }

        /// <summary>A hypervisor outcome as the protocol reports it, with the host's explanation.</summary>
        internal static Reply Translate(HypervisorStatus status)
        {
            switch (status)
            {
                case HypervisorStatus.Ok: return Reply.Ok;
                case HypervisorStatus.NotFound: return Fail(ErrorCode.NotFound, "no such VM or template");
                case HypervisorStatus.InvalidState: return Fail(ErrorCode.InvalidState, "the VM is not in a state that allows this");
                case HypervisorStatus.InvalidArgument: return Fail(ErrorCode.InvalidArgument, "invalid memory size (whole 4 KiB pages, 1 GiB at most)");
                case HypervisorStatus.InvalidName: return Fail(ErrorCode.InvalidArgument, "the name is not allowed (printable characters only, no leading or trailing space, not '.' or '..')");
                case HypervisorStatus.NameInUse: return Fail(ErrorCode.AlreadyExists, "a VM with that name exists");
                case HypervisorStatus.TooManyVms: return Fail(ErrorCode.ResourceUnavailable, "the host runs its maximum number of VMs");
                case HypervisorStatus.OutOfMemory: return Fail(ErrorCode.ResourceUnavailable, "not enough free host memory");
                case HypervisorStatus.LoadFailed: return Fail(ErrorCode.InvalidArgument, "the template's image does not fit this memory size");
                case HypervisorStatus.NoDiskDrive: return Fail(ErrorCode.Unsupported, "the VM has no disk drive: its template has none (disk= in its manifest), and a VM's devices are its template's");
                case HypervisorStatus.NoMedia: return Fail(ErrorCode.InvalidState, "the VM's disk drive is empty (Add-HvVmHardDiskDrive puts a disk in it)");
                case HypervisorStatus.HasSnapshots: return Fail(ErrorCode.InvalidState, "the VM has snapshots, which hold the disk they captured: remove them first");
                case HypervisorStatus.NoSuchDisk: return Fail(ErrorCode.NotFound, "no host disk with that name (New-HvDisk makes one)");
                case HypervisorStatus.InvalidDiskSize: return Fail(ErrorCode.InvalidArgument, "a disk is whole 512-byte sectors, 512 bytes to 1 GiB");
                case HypervisorStatus.SeveralProcessors: return Fail(ErrorCode.Unsupported, "the VM has several processors: an export (Export-HvVm, Move-HvVm) holds one vCPU in this version (Set-HvVm -ProcessorCount 1 while it is off)");
                case HypervisorStatus.InvalidProcessorCount: return Fail(ErrorCode.InvalidArgument, "the processor count must be 1..4, and above 1 only for a VM whose template boots Linux (a PC with APICs)");
                case HypervisorStatus.PrimeFailed: return Fail(ErrorCode.InvalidState, "the template's guest stopped or took too long before its Ready hypercall");
                default: return Fail(ErrorCode.ResourceUnavailable, "this host cannot run the VM (no usable VT-x, or the CPU refused it)");
            }
        }

        /// <summary>
        /// The one check of a name a request brings for something new (VM, copy, import, template, snapshot): the
        /// <see cref="NameRule"/>, answered with its reason. Decoded into a reused buffer, so a refused name allocates
        /// nothing.
        /// </summary>
        internal Reply CheckName(Utf8Field name)
        {
            int length = Utf8.Decode(name.Bytes, 0, name.Length, _nameUnits, 0);
            NameStatus status = NameRule.Check(_nameUnits, length, out _);
            return status == NameStatus.Ok ? Reply.Ok : Fail(ErrorCode.InvalidArgument, NameRule.Explain(status));
        }

        /// <summary>
        /// Creates a VM from the template <paramref name="template"/> (CreateVm, and each of CreateVms); memory and vCPUs of
        /// 0 are the template's (one vCPU). The name is checked before it is copied, so a refused request allocates
        /// nothing; a VM of several vCPUs (a Linux template's) is created, then given its processors (and boots afresh).
        /// </summary>
        internal Reply CreateVm(Utf8Field template, Utf8Field name, uint memoryMiB, uint vcpus, out VirtualMachine vm)
        {
            vm = null;
            if (vcpus > VcpuSet.MaxCount) return Translate(HypervisorStatus.InvalidProcessorCount);
            if (memoryMiB > Hypervisor.MaxMemorySize / MiB) return Fail(ErrorCode.InvalidArgument, "memory above the per-VM limit of 1024 MiB");
            Reply named = CheckName(name);
            if (!named.IsOk) return named;
            TemplateImage image = FindTemplate(template);
            if (image == null) return Translate(HypervisorStatus.NotFound);
            if (vcpus > 1 && image.Template.Mode != GuestEntryMode.Linux) return Translate(HypervisorStatus.InvalidProcessorCount);
            for (int i = 0; i < Hypervisor.Vms.Count; i++)
                if (name.EqualsString(Hypervisor.Vms.At(i).Name)) return Translate(HypervisorStatus.NameInUse);
            string owned = name.ToNewString();
            HypervisorStatus status = Hypervisor.Create(image.Template.Name, owned, memoryMiB * MiB, out vm);
            if (status != HypervisorStatus.Ok)
            {
                Owned.Free(owned);
                return Translate(status);
            }
            if (vcpus > 1) status = Hypervisor.SetProcessorCount(vm.Id, (int)vcpus);
            if (status != HypervisorStatus.Ok)
            {
                Hypervisor.Remove(vm.Id);
                vm = null;
            }
            return Translate(status);
        }

        /// <summary>The template named by a request field (compared in place: nothing is allocated), or null.</summary>
        internal TemplateImage FindTemplate(Utf8Field name)
        {
            for (int i = 0; i < Hypervisor.Templates.Count; i++)
            {
                TemplateImage image = Hypervisor.Templates.At(i);
                if (name.EqualsString(image.Template.Name)) return image;
            }
            return null;
        }

        /// <summary>Guest TSC ticks as milliseconds of the host's clock.</summary>
        internal ulong Milliseconds(ulong ticks)
        {
            ulong rate = Facts.TscTicksPerMillisecond;
            return rate == 0 ? 0 : ticks / rate;
        }

        /// <summary>The VM's counters as Measure-HvVm shows them: exits grouped by reason (SDM Vol. 3D Appendix C), console, time, pages, disk, network.</summary>
        internal void FillCounters(VirtualMachine vm, VmMetrics metrics)
        {
            VmCounters v = vm.Counters;
            metrics.Clear();
            ulong io = v.ExitsFor((uint)ExitReason.IoInstruction);
            ulong ept = v.ExitsFor((uint)ExitReason.EptViolation) + v.ExitsFor((uint)ExitReason.EptMisconfiguration);
            ulong hlt = v.ExitsFor((uint)ExitReason.Hlt);
            ulong cpuid = v.ExitsFor((uint)ExitReason.Cpuid);
            ulong msr = v.ExitsFor((uint)ExitReason.Rdmsr) + v.ExitsFor((uint)ExitReason.Wrmsr);
            ulong interrupts = v.ExitsFor((uint)ExitReason.ExternalInterrupt) + v.ExitsFor((uint)ExitReason.VmxPreemptionTimerExpired);
            metrics.Set(CounterId.TotalExits, v.TotalExits);
            metrics.Set(CounterId.IoExits, io);
            metrics.Set(CounterId.EptExits, ept);
            metrics.Set(CounterId.HltExits, hlt);
            metrics.Set(CounterId.CpuidExits, cpuid);
            metrics.Set(CounterId.MsrExits, msr);
            metrics.Set(CounterId.InterruptExits, interrupts);
            metrics.Set(CounterId.OtherExits, v.TotalExits - io - ept - hlt - cpuid - msr - interrupts);
            metrics.Set(CounterId.ConsoleBytesOut, v.ConsoleBytes);
            metrics.Set(CounterId.GuestTsc, v.GuestTscTicks);
            metrics.Set(CounterId.RunTimeMs, Milliseconds(v.GuestTscTicks));
            ulong privatePages, sharedPages;
            vm.MemoryUse(out privatePages, out sharedPages);
            metrics.Set(CounterId.PrivatePages, privatePages);
            metrics.Set(CounterId.SharedPages, sharedPages);
            if (vm.Disk != null)
            {
                metrics.Set(CounterId.DiskReads, vm.Disk.Reads);
                metrics.Set(CounterId.DiskWrites, vm.Disk.Writes);
                metrics.Set(CounterId.DiskBytesRead, vm.Disk.BytesRead);
                metrics.Set(CounterId.DiskBytesWritten, vm.Disk.BytesWritten);
            }
            VmNetworkAdapter nic = vm.Network;
            if (nic != null)
            {
                metrics.Set(CounterId.NetworkFramesSent, nic.Device.TransmittedFrames);
                metrics.Set(CounterId.NetworkFramesReceived, nic.Device.ReceivedFrames);
                metrics.Set(CounterId.NetworkBytesSent, nic.Device.TransmittedBytes);
                metrics.Set(CounterId.NetworkBytesReceived, nic.Device.ReceivedBytes);
                metrics.Set(CounterId.NetworkDrops, nic.Drops);
            }
        }

        /// <summary>"real", "long" or "multiboot", as ListTemplates reports an entry mode.</summary>
        internal static string ModeName(GuestEntryMode mode)
        {
            return mode == GuestEntryMode.Real ? "real" : mode == GuestEntryMode.Long ? "long"
                : mode == GuestEntryMode.Linux ? "linux" : "multiboot";
        }
    }
}
