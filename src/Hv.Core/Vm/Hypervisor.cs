using Hv.Core.Networking;
using Hv.Core.Text;
using Hv.Core.Guests;
using Hv.Core.Devices.Pc;
using Hv.Core.Memory;
using Hv.Core.Storage;
using Hv.Core.Vmx;
using Hv.Crypto;

namespace Hv.Core.Vm
{
    /// <summary>
    /// The operations on one host's VMs, each one method: it holds the VM table, the template store and the runner,
    /// and makes the host processor's vCPUs. Every template keeps a golden address space; a VM made from it is a
    /// copy-on-write fork of that space, so creating one costs O(1) in the template's size. The same forks give
    /// snapshots and VM copies. Nothing is left behind by an operation that fails.
    ///
    /// Ownership (src/PORTABLE.md, Memory): a name or template handed to a method here becomes the hypervisor's when
    /// the method returns Ok (a VM frees its name when removed, a snapshot its name when removed, an uploaded template
    /// its name, image and command line when removed); on any other status the caller still owns it.
    /// </summary>
    public sealed partial class Hypervisor
    {
        public const ulong MaxMemorySize = 1UL << 30;
        public const int MaxNameLength = NameRule.MaxLength;

        private readonly PageSource _pages;
        private readonly PageSharing _sharing;
        private readonly HostProcessor _processor;
        private readonly EntropySource _entropy;
        private readonly VmTable _vms;
        private readonly TemplateStore _templates;
        private readonly VmRunner _runner;
        private readonly VcpuState _scratch = new VcpuState();
        private readonly byte[] _random = new byte[24];
        private uint _nextSnapshotId = 1;

        public Hypervisor(PageSource pages, PageSharing sharing, HostProcessor processor, ExitDispatcher dispatcher,
                          EntropySource entropy, int maxVms, int maxTemplates)
        {
            _pages = pages;
            _sharing = sharing;
            _processor = processor;
            _entropy = entropy;
            _vms = new VmTable(maxVms);
            _templates = new TemplateStore(pages, sharing, maxTemplates);
            _runner = new VmRunner(processor, dispatcher, maxVms);
            _switches = new HostSwitches(MaxSwitches, processor.TscHz);
        }

        public VmTable Vms { get { return _vms; } }
        public TemplateStore Templates { get { return _templates; } }
        public PageSharing Sharing { get { return _sharing; } }

        /// <summary>Gives the next runnable VM one time slice; the VM that ran, or null when none can.</summary>
        public VirtualMachine RunNext(ulong sliceTicks)
        {
            _switches.AdvanceClock(_processor.Now());
            return _runner.RunNext(sliceTicks);
        }

        /// <summary>After a <see cref="RunNext"/> that ran nothing: a Running VM waits for its CPU cap, so the host should not sleep.</summary>
        public bool Throttled { get { return _runner.Throttled; } }

        // ---- VMs ----

        public VirtualMachine Find(uint id)
        {
            return _vms.Find(id);
        }

        public VirtualMachine FindByName(string name)
        {
            return _vms.FindByName(name);
        }

        /// <summary>
        /// Creates a VM from <paramref name="templateName"/> in state Created: a copy-on-write clone of the template when
        /// <paramref name="memorySize"/> is 0 or the template's size, else a fresh load of its image at that size.
        /// </summary>
        public HypervisorStatus Create(string templateName, string name, ulong memorySize, out VirtualMachine vm)
        {
            vm = null;
            TemplateImage image = _templates.Find(templateName);
            if (image == null) return HypervisorStatus.NotFound;
            HypervisorStatus status = CheckNewVm(name, memorySize);
            if (status != HypervisorStatus.Ok) return status;
            VirtualMachine created = _vms.Add(name);
            bool clone = ClonesAt(image, memorySize);
            status = Build(image, created, memorySize);
            if (status != HypervisorStatus.Ok)
            {
                _vms.Cancel(created);
                return status;
            }
            status = Admit(created, clone ? image.PrimedState : null, image.DiskFor(clone));
            if (status != HypervisorStatus.Ok)
            {
                created.ReleaseResources();
                _vms.Cancel(created);
                return status;
            }
            vm = created;
            return HypervisorStatus.Ok;
        }

        /// <summary>
        /// Copies a paused VM: the copy shares its memory copy-on-write and continues from the same instruction, paused,
        /// with as many processors (each AP as it was).
        /// </summary>
        public HypervisorStatus Fork(uint sourceId, string name, out VirtualMachine vm)
        {
            vm = null;
            VirtualMachine source = _vms.Find(sourceId);
            if (source == null) return HypervisorStatus.NotFound;
            if (source.State != VmState.Paused) return HypervisorStatus.InvalidState;
            if (source.Disk != null && source.Disk.Disk == null) return HypervisorStatus.NoMedia;
            HypervisorStatus status = CheckNewVm(name, 0);
            if (status != HypervisorStatus.Ok) return status;
            AddressSpace memory;
            if (source.Memory.Fork(out memory) != AddressSpaceStatus.Ok) return HypervisorStatus.OutOfMemory;
            source.Capture(_scratch);
            VirtualMachine copy = _vms.Add(name);
            copy.SetProcessorCountForNextStart(source.ProcessorCount);
            Vcpu cpu = _processor.ResumeVcpu(_scratch, memory.Eptp, copy.Vpid);
            if (cpu == null)
            {
                _vms.Cancel(copy);
                memory.Free();
                return HypervisorStatus.VcpuFailed;
            }
            copy.Attach(memory, cpu, source.Template);
            copy.SetCpuShare(source.CpuWeight, source.CpuCapPercent);
            status = Admit(copy, _scratch, source.Disk != null ? source.Disk.Disk : null);
            ApStates aps = status == HypervisorStatus.Ok ? ApStates.Capture(source) : null;
            if (aps != null && !aps.Restore(_processor, copy)) status = HypervisorStatus.VcpuFailed;
            if (aps != null) aps.Free();
            if (status != HypervisorStatus.Ok)
            {
                copy.ReleaseResources();
                _vms.Cancel(copy);
                return status;
            }
            copy.EnterPaused();
            vm = copy;
            return HypervisorStatus.Ok;
        }

        /// <summary>
        /// Admits an imported VM (its memory, state, disk and network adapter come from a <see cref="VmImageReader"/>),
        /// paused. The VM's disk is a fork of the reader's, which the reader still releases.
        /// </summary>
        public HypervisorStatus Import(VmImageReader image, string name, out VirtualMachine vm)
        {
            vm = null;
            HypervisorStatus status = CheckNewVm(name, 0);
            if (status != HypervisorStatus.Ok) return status;
            VirtualMachine imported = _vms.Add(name);
            Vcpu cpu = _processor.ResumeVcpu(image.State, image.Memory.Eptp, imported.Vpid);
            if (cpu == null)
            {
                _vms.Cancel(imported);
                return HypervisorStatus.VcpuFailed;
            }
            TemplateImage template = _templates.Find(image.Template);
            imported.Attach(image.Memory, cpu, template == null ? null : template.Template);
            imported.SetCpuShare(image.CpuWeight, image.CpuCapPercent);
            image.HandOverMemory();
            status = Admit(imported, image.State, image.Disk);
            if (status != HypervisorStatus.Ok)
            {
                imported.ReleaseResources();
                _vms.Cancel(imported);
                return status;
            }
            KeepImportedAdapter(imported, image.AdapterMac, image.SwitchName);
            imported.EnterPaused();
            vm = imported;
            return HypervisorStatus.Ok;
        }

        /// <summary>
        /// An export of a paused (or never started) VM: its state now and copy-on-write forks of its memory and disk, so
        /// the VM may go on while the image is prepared and read. The caller prepares the image (<see cref="VmImageWriter.Advance"/>,
        /// in steps) and releases the writer.
        /// </summary>
        public HypervisorStatus Export(uint id, out VmImageWriter writer)
        {
            writer = null;
            VirtualMachine vm = _vms.Find(id);
            if (vm == null) return HypervisorStatus.NotFound;
            if (vm.State != VmState.Paused && vm.State != VmState.Created) return HypervisorStatus.InvalidState;
            if (!vm.Exportable) return HypervisorStatus.SeveralProcessors;
            if (vm.Disk != null && vm.Disk.Disk == null) return HypervisorStatus.NoMedia;
            AddressSpace memory;
            if (vm.Memory.Fork(out memory) != AddressSpaceStatus.Ok) return HypervisorStatus.OutOfMemory;
            DiskImage disk = null;
            if (vm.Disk != null && vm.Disk.Disk.Fork(out disk) != DiskStatus.Ok)
            {
                memory.Free();
                return HypervisorStatus.OutOfMemory;
            }
            vm.Capture(_scratch);
            VmNetworkAdapter nic = vm.Network;
            writer = new VmImageWriter(vm.Name, vm.Template == null ? "" : vm.Template.Name, vm.CpuWeight, vm.CpuCapPercent, _scratch, memory, disk,
                                       nic == null ? 0 : nic.Mac, nic == null || nic.Switch == null ? null : nic.Switch.Name);
            return HypervisorStatus.Ok;
        }

        /// <summary>Starts a VM; a stopped VM starts over from its template (a restart: fresh memory and vCPU, same id and name).</summary>
        public HypervisorStatus Start(uint id)
        {
            VirtualMachine vm = _vms.Find(id);
            if (vm == null) return HypervisorStatus.NotFound;
            if (vm.State == VmState.Stopped)
            {
                HypervisorStatus rebuilt = Rebuild(vm);
                if (rebuilt != HypervisorStatus.Ok) return rebuilt;
            }
            HypervisorStatus started = Outcome(vm.Start());
            if (started == HypervisorStatus.Ok && vm.Network != null) vm.Network.Deliver();
            return started;
        }

        public HypervisorStatus Pause(uint id)
        {
            VirtualMachine vm = _vms.Find(id);
            return vm == null ? HypervisorStatus.NotFound : Outcome(vm.Pause());
        }

        public HypervisorStatus Resume(uint id)
        {
            VirtualMachine vm = _vms.Find(id);
            if (vm == null) return HypervisorStatus.NotFound;
            HypervisorStatus resumed = Outcome(vm.Resume());
            if (resumed == HypervisorStatus.Ok && vm.Network != null) vm.Network.Deliver(); // frames that came while it was paused
            return resumed;
        }

        /// <summary>
        /// A graceful stop: a running PC VM gets the ACPI power button and <paramref name="graceMs"/> milliseconds to
        /// switch itself off (its stop is then "stopped on request"), after which it is turned off. A VM without a
        /// platform has no shutdown signal: it stops at once, as requested.
        /// </summary>
        public HypervisorStatus Shutdown(uint id, ulong graceMs)
        {
            VirtualMachine vm = _vms.Find(id);
            if (vm == null) return HypervisorStatus.NotFound;
            if (vm.Platform == null || vm.State != VmState.Running) return Stop(id, StopCause.Requested);
            vm.Platform.PressPowerButton();
            vm.ShutdownDeadline = _processor.Now() + graceMs * (_processor.TscHz / 1000);
            return HypervisorStatus.Ok;
        }

        /// <summary>Stops a VM from outside (turn off): it never runs again and its memory is freed.</summary>
        public HypervisorStatus Stop(uint id, StopCause cause)
        {
            VirtualMachine vm = _vms.Find(id);
            if (vm == null) return HypervisorStatus.NotFound;
            if (vm.Stop(cause) != VmTransitionStatus.Ok) return HypervisorStatus.InvalidState;
            vm.ReleaseResources();
            return HypervisorStatus.Ok;
        }

        /// <summary>Removes a VM that is not running (a running or paused one must be stopped first), with its snapshots.</summary>
        public HypervisorStatus Remove(uint id)
        {
            VirtualMachine vm = _vms.Find(id);
            if (vm == null) return HypervisorStatus.NotFound;
            if (vm.Remove() != VmTransitionStatus.Ok) return HypervisorStatus.InvalidState;
            vm.ReleaseResources();
            vm.Snapshots.RemoveAll();
            vm.ForgetTemplate();
            _runner.Remove(vm);
            _vms.Remove(vm);
            return HypervisorStatus.Ok;
        }

        // ---- helpers ----

        private HypervisorStatus CheckNewVm(string name, ulong memorySize)
        {
            if (NameRule.Check(name, out _) != NameStatus.Ok) return HypervisorStatus.InvalidName;
            if (_vms.FindByName(name) != null) return HypervisorStatus.NameInUse;
            if (memorySize > MaxMemorySize || (memorySize & (PageSource.PageSize - 1)) != 0) return HypervisorStatus.InvalidArgument;
            if (_vms.IsFull) return HypervisorStatus.TooManyVms;
            return HypervisorStatus.Ok;
        }

        // The template's image in fresh memory of another size than the template's (no clone).
        private HypervisorStatus LoadFresh(TemplateImage image, VirtualMachine vm, ulong memorySize)
        {
            AddressSpace memory;
            if (AddressSpace.CreateOnWrite(_pages, _sharing, memorySize, out memory) != AddressSpaceStatus.Ok) return HypervisorStatus.OutOfMemory;
            var entry = new GuestEntryState();
            GuestLoadStatus loaded = image.LoadInto(memory, entry, vm.ProcessorCount);
            Vcpu cpu = loaded == GuestLoadStatus.Ok ? _processor.CreateVcpu(entry, memory.Eptp, vm.Vpid) : null;
            Owned.Free(entry);
            if (cpu == null)
            {
                memory.Free();
                return loaded == GuestLoadStatus.Ok ? HypervisorStatus.VcpuFailed : HypervisorStatus.LoadFailed;
            }
            vm.Attach(memory, cpu, image.Template);
            return HypervisorStatus.Ok;
        }

        // Memory and vCPU from the template: a copy-on-write clone at the template's size (or size 0), else a fresh load.
        private HypervisorStatus Build(TemplateImage image, VirtualMachine vm, ulong memorySize)
        {
            return Clones(image, vm, memorySize) ? image.Clone(_processor, vm) : LoadFresh(image, vm, memorySize);
        }

        // The template's golden memory (and a primed template's captured state) is a one-processor machine: its firmware
        // tables list one CPU and a primed guest has brought up one. A VM with more processors boots the template's
        // image afresh (the image stays the template's for its whole life, priming or not).
        private static bool Clones(TemplateImage image, VirtualMachine vm, ulong memorySize)
        {
            return vm.ProcessorCount == 1 && ClonesAt(image, memorySize);
        }

        // A VM of the template's own size is a clone of its golden memory (primed or not); another size boots afresh.
        private static bool ClonesAt(TemplateImage image, ulong memorySize)
        {
            return memorySize == 0 || memorySize == image.Template.MemorySize;
        }

        // A restart: the template afresh for a stopped VM, at the VM's memory size (Set-HvVm may have changed it).
        private HypervisorStatus Rebuild(VirtualMachine vm)
        {
            TemplateImage image = vm.Template == null ? null : _templates.Find(vm.Template.Name);
            if (image == null) return HypervisorStatus.InvalidState;
            HypervisorStatus status = Build(image, vm, vm.MemorySize);
            if (status != HypervisorStatus.Ok) return status;
            vm.Rearm();
            MatchPrimedNetwork(vm, image);
            // A clone of a primed template continues its devices too; a fresh boot starts them at power-on.
            if (vm.Platform != null && !(Clones(image, vm, vm.MemorySize) && image.IsPrimed && vm.LoadDevices(image.PrimedState))) vm.Platform.Reset(0);
            // Media put in or taken out while it was off (Add/Remove-HvVmHardDiskDrive): the continued driver rereads it.
            if (vm.Disk != null && vm.Disk.AnnounceAtStart) vm.Disk.Announce();
            return status;
        }

        // Each VM's own identity: a random seed (hypercall 5) and a locally administered unicast MAC address; its PC
        // platform if its template boots an operating system (a VM that continues a captured state gets its devices
        // back too), with a fork of <disk> as its disk (the template's, the primed one, or the copied VM's); then it is
        // scheduled. LoadFailed when captured device state is
        // refused (an import is untrusted, or names a disk the VM does not have).
        private HypervisorStatus Admit(VirtualMachine vm, VcpuState continued, DiskImage disk)
        {
            _entropy.Fill(_random, 0, _random.Length);
            vm.SeedLow = ToUInt64(_random, 0);
            vm.SeedHigh = ToUInt64(_random, 8);
            vm.MacAddress = (ToUInt64(_random, 16) & 0xFEFFFFFFFFFFUL) | 0x020000000000UL;
            vm.ContinuesCapture = continued != null;
            bool pc = continued != null ? continued.HasDevices : vm.Template != null && vm.Template.Mode == GuestEntryMode.Linux;
            if (pc)
            {
                // The CMOS clock starts at the epoch: the host has no wall clock of its own yet.
                var platform = new PcPlatform(_processor.TscHz, _processor.TscHz, 0, vm.Uart);
                if (!vm.InstallPlatform(platform))
                {
                    platform.Free();
                    return HypervisorStatus.OutOfMemory;
                }
                HypervisorStatus disked = GiveDisk(vm, disk);
                if (disked != HypervisorStatus.Ok) return disked;
                HypervisorStatus networked = GiveNetworkAdapter(vm, continued);
                if (networked != HypervisorStatus.Ok) return networked;
                if (continued != null && !vm.LoadDevices(continued)) return HypervisorStatus.LoadFailed;
            }
            _runner.Add(vm);
            return HypervisorStatus.Ok;
        }

        private static HypervisorStatus Outcome(VmTransitionStatus transition)
        {
            return transition == VmTransitionStatus.Ok ? HypervisorStatus.Ok : HypervisorStatus.InvalidState;
        }

        private static ulong ToUInt64(byte[] b, int at)
        {
            ulong v = 0;
            for (int i = 7; i >= 0; i--) v = (v << 8) | b[at + i];
            return v;
        }
    }
}
