using System;
using Hv.Core.Guests;
using Hv.Core.Memory;
using Hv.Core.Vmx;
using Hv.Crypto;

namespace Hv.Core.Vm
{
    /// <summary>
    /// The VMs of one host. Every template keeps a golden address space (its image loaded, or its primed state); a VM
    /// made from it is a copy-on-write fork of that space, so creating one costs O(1) in the template's size. The same
    /// forks give snapshots and VM copies. A VM that stops gives its memory back at once; its record (state, reason,
    /// console, counters) stays until it is removed.
    /// </summary>
    public sealed class Hypervisor
    {
        public const ulong MaxMemorySize = 1UL << 30;
        public const int MaxNameLength = 64;
        public const int MaxSnapshotsPerVm = 16;
        public const string RequestedStopReason = "stopped on request";
        public const string ForcedStopReason = "turned off on request";
        public const string HostTurnOffReason = "turned off by the host";

        private sealed class TemplateSlot
        {
            public Template Template;
            public AddressSpace Golden;
            public readonly GuestEntryState Entry = new GuestEntryState();
            public VcpuState Primed;
        }

        private sealed class Snapshot
        {
            public uint Id;
            public string Name;
            public ulong CreatedTicks;
            public AddressSpace Memory;
            public readonly VcpuState State = new VcpuState();
            public readonly GuestMsrs Msrs = new GuestMsrs();
        }

        private sealed class Slot
        {
            public VirtualMachine Vm;
            public Template Template;
            public AddressSpace Memory;
            public Vcpu Cpu;
            public readonly Snapshot[] Snapshots = new Snapshot[MaxSnapshotsPerVm];
        }

        private readonly PageSource _pages;
        private readonly PageSharing _sharing;
        private readonly CpuBackend _backend;
        private readonly ExitDispatcher _dispatcher;
        private readonly EntropySource _entropy;
        private readonly Scheduler _scheduler;
        private readonly Slot[] _slots;   // dense: the live VMs are _slots[0.._vmCount)
        private readonly TemplateSlot[] _templates;
        private readonly Slot[] _recycled;
        private readonly VcpuState _scratch = new VcpuState();
        private readonly byte[] _random = new byte[24];
        private int _templateCount, _recycledCount, _vmCount;
        private uint _nextId = 1, _nextSnapshotId = 1;

        public Hypervisor(PageSource pages, PageSharing sharing, CpuBackend backend, ExitDispatcher dispatcher,
                          EntropySource entropy, int maxVms, int maxTemplates)
        {
            _pages = pages;
            _sharing = sharing;
            _backend = backend;
            _dispatcher = dispatcher;
            _entropy = entropy;
            _scheduler = new Scheduler(maxVms);
            _slots = new Slot[maxVms];
            _recycled = new Slot[maxVms];
            _templates = new TemplateSlot[maxTemplates];
        }

        public int TemplateCount => _templateCount;
        public Template TemplateAt(int index) => _templates[index].Template;
        public bool IsPrimed(int templateIndex) => _templates[templateIndex].Primed != null;
        public int Capacity => _slots.Length;

        /// <summary>The index-th live VM (0..VmCount-1); null beyond. Removing a VM changes the order.</summary>
        public VirtualMachine VmAt(int index) => index < _vmCount ? _slots[index].Vm : null;

        public int VmCount => _vmCount;

        // ---- templates ----

        /// <summary>Registers a template and loads its image into its golden address space (validated by the loader).</summary>
        public HypervisorStatus AddTemplate(Template template)
        {
            if (template == null || template.Name == null || template.Name.Length == 0 || template.Name.Length > MaxNameLength)
                return HypervisorStatus.InvalidArgument;
            if (FindTemplateSlot(template.Name) != null) return HypervisorStatus.NameInUse;
            if (_templateCount == _templates.Length) return HypervisorStatus.TooManyVms;
            if (template.MemorySize == 0 || template.MemorySize > MaxMemorySize || (template.MemorySize & 0xFFF) != 0)
                return HypervisorStatus.InvalidArgument;
            var slot = new TemplateSlot();
            slot.Template = template;
            AddressSpace golden;
            if (AddressSpace.Create(_pages, _sharing, template.MemorySize, out golden) != AddressSpaceStatus.Ok) return HypervisorStatus.OutOfMemory;
            slot.Entry.Reset();
            if (Load(template, golden, template.MemorySize, slot.Entry) != GuestLoadStatus.Ok)
            {
                golden.Release();
                return HypervisorStatus.LoadFailed;
            }
            slot.Golden = golden;
            _templates[_templateCount++] = slot;
            return HypervisorStatus.Ok;
        }

        /// <summary>Forgets a template. VMs made from it keep running: they hold their own references to its pages.</summary>
        public HypervisorStatus RemoveTemplate(string name)
        {
            for (int i = 0; i < _templateCount; i++)
            {
                if (_templates[i].Template.Name != name) continue;
                _templates[i].Golden.Release();
                for (int j = i; j < _templateCount - 1; j++) _templates[j] = _templates[j + 1];
                _templates[--_templateCount] = null;
                for (int s = 0; s < _vmCount; s++)
                    if (_slots[s].Template != null && _slots[s].Template.Name == name) _slots[s].Template = null;
                return HypervisorStatus.Ok;
            }
            return HypervisorStatus.NotFound;
        }

        public Template FindTemplate(string name)
        {
            TemplateSlot t = FindTemplateSlot(name);
            return t == null ? null : t.Template;
        }

        /// <summary>
        /// Primes a template: boots a VM from it until the guest makes the Ready hypercall (within
        /// <paramref name="budgetTicks"/> of guest time), then that VM's memory and vCPU state become the template's
        /// start state, so its clones begin after the boot path.
        /// </summary>
        public HypervisorStatus Prime(string templateName, ulong budgetTicks)
        {
            TemplateSlot t = FindTemplateSlot(templateName);
            if (t == null) return HypervisorStatus.NotFound;
            VirtualMachine vm;
            HypervisorStatus status = Create(templateName, "priming", 0, out vm);
            if (status != HypervisorStatus.Ok) return status;
            Slot s = SlotOf(vm.Id);
            vm.Start();
            ulong spent = 0;
            while (!vm.Ready && vm.State == VmState.Running && spent < budgetTicks)
            {
                ulong before = vm.Counters.GuestTscTicks;
                RunSlot(s, 1000000);
                spent += vm.Counters.GuestTscTicks - before;
            }
            if (!vm.Ready || vm.State != VmState.Running)
            {
                if (vm.State != VmState.Stopped) Stop(vm.Id, "priming failed");
                Remove(vm.Id);
                return HypervisorStatus.PrimeFailed;
            }
            vm.Pause();
            var state = new VcpuState();
            _backend.Capture(s.Cpu, state);
            AddressSpace golden;
            if (s.Memory.Fork(out golden) != AddressSpaceStatus.Ok)
            {
                Stop(vm.Id, "priming failed");
                Remove(vm.Id);
                return HypervisorStatus.OutOfMemory;
            }
            t.Golden.Release();
            t.Golden = golden;
            t.Primed = state;
            Stop(vm.Id, "primed");
            Remove(vm.Id);
            return HypervisorStatus.Ok;
        }

        // ---- VMs ----

        public VirtualMachine Find(uint id)
        {
            Slot s = SlotOf(id);
            return s == null ? null : s.Vm;
        }

        /// <summary>The template VM <paramref name="id"/> was made from (null when made otherwise, or removed).</summary>
        public Template TemplateOf(uint id)
        {
            Slot s = SlotOf(id);
            return s == null ? null : s.Template;
        }

        public VirtualMachine FindByName(string name)
        {
            for (int i = 0; i < _vmCount; i++)
                if (_slots[i].Vm.Name == name) return _slots[i].Vm;
            return null;
        }

        /// <summary>Pages only this VM uses, and pages it shares with its template, snapshots or other clones.</summary>
        public bool MemoryUse(uint id, out ulong privatePages, out ulong sharedPages)
        {
            privatePages = sharedPages = 0;
            Slot s = SlotOf(id);
            if (s == null || s.Memory == null || s.Memory.IsReleased) return s != null;
            privatePages = s.Memory.PrivatePages;
            sharedPages = s.Memory.SharedPages;
            return true;
        }

        /// <summary>
        /// Creates a VM from <paramref name="templateName"/> in state Created: a copy-on-write clone of the template when
        /// <paramref name="memorySize"/> is 0 or the template's size, else a fresh load of its image at that size.
        /// Nothing is left behind on failure.
        /// </summary>
        public HypervisorStatus Create(string templateName, string name, ulong memorySize, out VirtualMachine vm)
        {
            vm = null;
            TemplateSlot t = FindTemplateSlot(templateName);
            if (t == null) return HypervisorStatus.NotFound;
            HypervisorStatus check = CheckNewVm(name, memorySize);
            if (check != HypervisorStatus.Ok) return check;

            uint id = _nextId;
            AddressSpace memory;
            Vcpu cpu;
            if (memorySize == 0 || memorySize == t.Template.MemorySize)
            {
                HypervisorStatus cloned = Clone(t, id, out memory, out cpu);
                if (cloned != HypervisorStatus.Ok) return cloned;
            }
            else
            {
                if (AddressSpace.Create(_pages, _sharing, memorySize, out memory) != AddressSpaceStatus.Ok) return HypervisorStatus.OutOfMemory;
                var entry = new GuestEntryState();
                if (Load(t.Template, memory, memorySize, entry) != GuestLoadStatus.Ok)
                {
                    memory.Release();
                    return HypervisorStatus.LoadFailed;
                }
                cpu = _backend.Create(id, entry, memory.Eptp);
                if (cpu == null)
                {
                    memory.Release();
                    return HypervisorStatus.VcpuFailed;
                }
            }
            vm = Admit(name, memory, cpu, t.Template);
            return HypervisorStatus.Ok;
        }

        // A copy-on-write clone of the template's golden memory and a vCPU at its start state (primed or loaded).
        private HypervisorStatus Clone(TemplateSlot t, uint id, out AddressSpace memory, out Vcpu cpu)
        {
            cpu = null;
            if (t.Golden.Fork(out memory) != AddressSpaceStatus.Ok) return HypervisorStatus.OutOfMemory;
            cpu = t.Primed != null ? _backend.CreateFromState(id, t.Primed, memory.Eptp) : _backend.Create(id, t.Entry, memory.Eptp);
            if (cpu != null) return HypervisorStatus.Ok;
            memory.Release();
            return HypervisorStatus.VcpuFailed;
        }

        /// <summary>Copies a paused VM: the copy shares its memory copy-on-write and continues from the same instruction, paused.</summary>
        public HypervisorStatus Fork(uint sourceId, string name, out VirtualMachine vm)
        {
            vm = null;
            Slot source = SlotOf(sourceId);
            if (source == null) return HypervisorStatus.NotFound;
            if (source.Vm.State != VmState.Paused) return HypervisorStatus.InvalidState;
            HypervisorStatus check = CheckNewVm(name, 0);
            if (check != HypervisorStatus.Ok) return check;
            AddressSpace memory;
            if (source.Memory.Fork(out memory) != AddressSpaceStatus.Ok) return HypervisorStatus.OutOfMemory;
            _backend.Capture(source.Cpu, _scratch);
            Vcpu cpu = _backend.CreateFromState(_nextId, _scratch, memory.Eptp);
            if (cpu == null)
            {
                memory.Release();
                return HypervisorStatus.VcpuFailed;
            }
            vm = Admit(name, memory, cpu, source.Template);
            CopyMsrs(source.Vm.Msrs, vm.Msrs);
            vm.EnterPaused();
            return HypervisorStatus.Ok;
        }

        /// <summary>Admits an imported VM (its memory and state come from a <see cref="VmImageReader"/>), paused.</summary>
        public HypervisorStatus Import(VmImageReader image, string name, out VirtualMachine vm)
        {
            vm = null;
            HypervisorStatus check = CheckNewVm(name, 0);
            if (check != HypervisorStatus.Ok) return check;
            Vcpu cpu = _backend.CreateFromState(_nextId, image.State, image.Memory.Eptp);
            if (cpu == null) return HypervisorStatus.VcpuFailed;
            TemplateSlot t = FindTemplateSlot(image.Template);
            vm = Admit(name, image.Memory, cpu, t == null ? null : t.Template);
            CopyMsrs(image.Msrs, vm.Msrs);
            vm.EnterPaused();
            return HypervisorStatus.Ok;
        }

        /// <summary>
        /// An export of a paused (or never started) VM: its state now and a copy-on-write fork of its memory, so the VM
        /// may go on while the image is read. The caller releases the writer.
        /// </summary>
        public HypervisorStatus Export(uint id, out VmImageWriter writer)
        {
            writer = null;
            Slot s = SlotOf(id);
            if (s == null) return HypervisorStatus.NotFound;
            if (s.Vm.State != VmState.Paused && s.Vm.State != VmState.Created) return HypervisorStatus.InvalidState;
            AddressSpace memory;
            if (s.Memory.Fork(out memory) != AddressSpaceStatus.Ok) return HypervisorStatus.OutOfMemory;
            _backend.Capture(s.Cpu, _scratch);
            writer = new VmImageWriter(s.Vm.Name, s.Template == null ? "" : s.Template.Name, _scratch, s.Vm.Msrs, memory);
            return HypervisorStatus.Ok;
        }

        private HypervisorStatus CheckNewVm(string name, ulong memorySize)
        {
            if (name == null || name.Length == 0 || name.Length > MaxNameLength) return HypervisorStatus.InvalidArgument;
            if (FindByName(name) != null) return HypervisorStatus.NameInUse;
            if (memorySize > MaxMemorySize || (memorySize & (EptBuilder.SmallPageSize - 1)) != 0) return HypervisorStatus.InvalidArgument;
            if (_vmCount == _slots.Length) return HypervisorStatus.TooManyVms;
            return HypervisorStatus.Ok;
        }

        private VirtualMachine Admit(string name, AddressSpace memory, Vcpu cpu, Template template)
        {
            uint id = _nextId++;
            // Removed VMs are recycled (the image has no garbage collector): their console buffers are reused.
            Slot slot;
            VirtualMachine vm;
            if (_recycledCount > 0)
            {
                slot = _recycled[--_recycledCount];
                _recycled[_recycledCount] = null;
                vm = slot.Vm;
                vm.Reuse(id, name, memory.Size, memory);
            }
            else
            {
                slot = new Slot();
                vm = new VirtualMachine(id, name, memory.Size, memory);
                slot.Vm = vm;
            }
            // Each VM's own identity: a random seed (hypercall 5) and a locally administered unicast MAC address.
            _entropy.Fill(_random, 0, _random.Length);
            vm.SeedLow = ToUInt64(_random, 0);
            vm.SeedHigh = ToUInt64(_random, 8);
            vm.MacAddress = (ToUInt64(_random, 16) & 0xFEFFFFFFFFFFUL) | 0x020000000000UL;
            slot.Template = template;
            slot.Memory = memory;
            slot.Cpu = cpu;
            _slots[_vmCount++] = slot;
            _scheduler.Add(vm);
            return vm;
        }

        /// <summary>Starts a VM; a stopped VM starts over from its template (a restart: fresh memory and vCPU).</summary>
        public HypervisorStatus Start(uint id)
        {
            Slot s = SlotOf(id);
            if (s == null) return HypervisorStatus.NotFound;
            if (s.Vm.State == VmState.Stopped)
            {
                HypervisorStatus rebuilt = Rebuild(s);
                if (rebuilt != HypervisorStatus.Ok) return rebuilt;
            }
            return Transition(id, 0);
        }

        // A fresh clone of the template for a stopped VM, same id and name.
        private HypervisorStatus Rebuild(Slot s)
        {
            TemplateSlot t = s.Template == null ? null : FindTemplateSlot(s.Template.Name);
            if (t == null || t.Template.MemorySize != s.Vm.MemorySize) return HypervisorStatus.InvalidState;
            AddressSpace memory;
            Vcpu cpu;
            HypervisorStatus cloned = Clone(t, s.Vm.Id, out memory, out cpu);
            if (cloned != HypervisorStatus.Ok) return cloned;
            s.Memory = memory;
            s.Cpu = cpu;
            s.Vm.Rearm();
            s.Vm.ReplaceMemory(memory);
            return HypervisorStatus.Ok;
        }
        public HypervisorStatus Pause(uint id) => Transition(id, 1);
        public HypervisorStatus Resume(uint id) => Transition(id, 2);

        private HypervisorStatus Transition(uint id, int which)
        {
            Slot s = SlotOf(id);
            if (s == null) return HypervisorStatus.NotFound;
            VmTransitionStatus t = which == 0 ? s.Vm.Start() : which == 1 ? s.Vm.Pause() : s.Vm.Resume();
            return t == VmTransitionStatus.Ok ? HypervisorStatus.Ok : HypervisorStatus.InvalidState;
        }

        /// <summary>Stops a VM from outside (turn off): it never runs again and its memory is freed.</summary>
        public HypervisorStatus Stop(uint id, string reason)
        {
            Slot s = SlotOf(id);
            if (s == null) return HypervisorStatus.NotFound;
            if (s.Vm.Stop(reason, 0) != VmTransitionStatus.Ok) return HypervisorStatus.InvalidState;
            ReleaseResources(s);
            return HypervisorStatus.Ok;
        }

        /// <summary>Removes a VM that is not running (a running one must be stopped first), with its snapshots.</summary>
        public HypervisorStatus Remove(uint id)
        {
            for (int i = 0; i < _vmCount; i++)
            {
                Slot s = _slots[i];
                if (s.Vm.Id != id) continue;
                if (s.Vm.State == VmState.Running || s.Vm.State == VmState.Paused) return HypervisorStatus.InvalidState;
                if (s.Vm.Remove() != VmTransitionStatus.Ok) return HypervisorStatus.InvalidState;
                ReleaseResources(s);
                for (int k = 0; k < MaxSnapshotsPerVm; k++) DropSnapshot(s, k);
                _scheduler.Remove(s.Vm);
                s.Memory = null;
                s.Template = null;
                _recycled[_recycledCount++] = s;
                _slots[i] = _slots[--_vmCount];
                _slots[_vmCount] = null;
                return HypervisorStatus.Ok;
            }
            return HypervisorStatus.NotFound;
        }

        // ---- snapshots ----

        /// <summary>
        /// Captures a VM's vCPU state and a copy-on-write fork of its memory. A running VM is paused for the capture
        /// and runs on afterwards.
        /// </summary>
        public HypervisorStatus Checkpoint(uint id, string name, out uint snapshotId)
        {
            snapshotId = 0;
            Slot s = SlotOf(id);
            if (s == null) return HypervisorStatus.NotFound;
            VmState state = s.Vm.State;
            if (state != VmState.Running && state != VmState.Paused && state != VmState.Created) return HypervisorStatus.InvalidState;
            if (name == null || name.Length == 0 || name.Length > MaxNameLength) return HypervisorStatus.InvalidArgument;
            int free = -1;
            for (int k = 0; k < MaxSnapshotsPerVm; k++)
            {
                Snapshot existing = s.Snapshots[k];
                if (existing == null) { if (free < 0) free = k; }
                else if (existing.Name == name) return HypervisorStatus.NameInUse;
            }
            if (free < 0) return HypervisorStatus.TooManyVms;
            var snap = new Snapshot();
            if (s.Memory.Fork(out snap.Memory) != AddressSpaceStatus.Ok) return HypervisorStatus.OutOfMemory;
            _backend.Capture(s.Cpu, snap.State);
            CopyMsrs(s.Vm.Msrs, snap.Msrs);
            snap.Id = _nextSnapshotId++;
            snap.Name = name;
            snap.CreatedTicks = _backend.Now();
            s.Snapshots[free] = snap;
            snapshotId = snap.Id;
            return HypervisorStatus.Ok;
        }

        /// <summary>Puts the VM back exactly as captured: memory, registers, MSRs. It is left paused.</summary>
        public HypervisorStatus Restore(uint id, uint snapshotId)
        {
            Slot s = SlotOf(id);
            if (s == null) return HypervisorStatus.NotFound;
            int k = SnapshotIndex(s, snapshotId);
            if (k < 0) return HypervisorStatus.NotFound;
            VmState state = s.Vm.State;
            if (state == VmState.Running) s.Vm.Pause();
            else if (state == VmState.Created) s.Vm.EnterPaused();
            else if (state != VmState.Paused) return HypervisorStatus.InvalidState;
            Snapshot snap = s.Snapshots[k];
            if (s.Memory.RestoreFrom(snap.Memory) != AddressSpaceStatus.Ok) return HypervisorStatus.OutOfMemory;
            Vcpu cpu = _backend.CreateFromState(id, snap.State, s.Memory.Eptp);
            if (cpu == null) return HypervisorStatus.VcpuFailed;
            _backend.Destroy(s.Cpu);
            s.Cpu = cpu;
            CopyMsrs(snap.Msrs, s.Vm.Msrs);
            return HypervisorStatus.Ok;
        }

        public HypervisorStatus RemoveSnapshot(uint id, uint snapshotId)
        {
            Slot s = SlotOf(id);
            if (s == null) return HypervisorStatus.NotFound;
            int k = SnapshotIndex(s, snapshotId);
            if (k < 0) return HypervisorStatus.NotFound;
            DropSnapshot(s, k);
            return HypervisorStatus.Ok;
        }

        /// <summary>
        /// The VM's k-th snapshot slot (0..MaxSnapshotsPerVm-1): false when empty or no such VM. Its pages: those only the
        /// snapshot holds (what removing it frees) and those it shares with the VM or other snapshots.
        /// </summary>
        public bool SnapshotAt(uint id, int k, out uint snapshotId, out string name, out ulong createdTicks,
                               out ulong privatePages, out ulong sharedPages)
        {
            snapshotId = 0;
            name = null;
            createdTicks = privatePages = sharedPages = 0;
            Slot s = SlotOf(id);
            if (s == null || s.Snapshots[k] == null) return false;
            Snapshot snap = s.Snapshots[k];
            snapshotId = snap.Id;
            name = snap.Name;
            createdTicks = snap.CreatedTicks;
            privatePages = snap.Memory.PrivatePages;
            sharedPages = snap.Memory.SharedPages;
            return true;
        }

        private static int SnapshotIndex(Slot s, uint snapshotId)
        {
            for (int k = 0; k < MaxSnapshotsPerVm; k++) if (s.Snapshots[k] != null && s.Snapshots[k].Id == snapshotId) return k;
            return -1;
        }

        private static void DropSnapshot(Slot s, int k)
        {
            if (s.Snapshots[k] == null) return;
            s.Snapshots[k].Memory.Release();
            s.Snapshots[k] = null;
        }

        // ---- running ----

        /// <summary>
        /// Gives the next runnable VM one time slice: it runs until it yields (HLT, its slice ends) or stops.
        /// Returns the VM that ran, or null when none is runnable.
        /// </summary>
        public VirtualMachine RunNext(ulong sliceTicks)
        {
            VirtualMachine vm = _scheduler.Next();
            if (vm == null) return null;
            RunSlot(SlotOf(vm.Id), sliceTicks);
            return vm;
        }

        private void RunSlot(Slot s, ulong sliceTicks)
        {
            VirtualMachine vm = s.Vm;
            ulong start = _backend.Now();
            ulong slice = sliceTicks;
            _backend.LoadGuestMsrs(vm.Msrs);
            for (;;)
            {
                // Write-protection by a fork or snapshot, or a copy-on-write, must reach the CPU's EPT caches first.
                if (s.Memory.FlushPending && s.Memory.TakeFlush()) _backend.FlushTranslations(s.Memory.Eptp);
                if (_backend.Run(s.Cpu, slice) == CpuBackend.EntryFailed)
                {
                    vm.Stop("vm-entry failed", 0);
                    break;
                }
                slice = 0;
                if (_dispatcher.Dispatch(vm, s.Cpu) != ExitAction.Resume) break;
            }
            vm.Counters.RecordGuestRun(_backend.Now() - start);
            if (vm.State == VmState.Stopped) ReleaseResources(s);
        }

        private void ReleaseResources(Slot s)
        {
            if (s.Cpu != null) _backend.Destroy(s.Cpu);
            if (s.Memory != null) s.Memory.Release();
            s.Cpu = null;
        }

        private GuestLoadStatus Load(Template template, GuestMemoryAccess memory, ulong size, GuestEntryState entry)
        {
            ReadOnlySpan<byte> image = template.Image;
            switch (template.Mode)
            {
                case GuestEntryMode.Real: return RealModeLoader.Load(image, memory, size, entry);
                case GuestEntryMode.Long: return LongModeLoader.Load(image, memory, size, entry);
                default: return MultibootLoader.Load(image, memory, size, AsciiBytes(template.CommandLine), entry);
            }
        }

        private static byte[] AsciiBytes(string text)
        {
            if (text == null) return new byte[0];
            byte[] bytes = new byte[text.Length];
            for (int i = 0; i < text.Length; i++) bytes[i] = text[i] < 128 ? (byte)text[i] : (byte)'?';
            return bytes;
        }

        private static void CopyMsrs(GuestMsrs from, GuestMsrs to)
        {
            to.Star = from.Star; to.Lstar = from.Lstar; to.Cstar = from.Cstar; to.Fmask = from.Fmask; to.KernelGsBase = from.KernelGsBase;
        }

        private static ulong ToUInt64(byte[] b, int at)
        {
            ulong v = 0;
            for (int i = 7; i >= 0; i--) v = (v << 8) | b[at + i];
            return v;
        }

        private TemplateSlot FindTemplateSlot(string name)
        {
            for (int i = 0; i < _templateCount; i++) if (_templates[i].Template.Name == name) return _templates[i];
            return null;
        }

        private Slot SlotOf(uint id)
        {
            for (int i = 0; i < _vmCount; i++)
                if (_slots[i].Vm.Id == id) return _slots[i];
            return null;
        }
    }
}
