using System;
using Hv.Core.Guests;
using Hv.Core.Memory;
using Hv.Core.Vmx;

namespace Hv.Core.Vm
{
    /// <summary>
    /// The VMs of one host: creates them from templates (guest RAM, EPT, loader, vCPU), drives their state machine,
    /// and runs them in turns through the scheduler. A VM that stops gives its memory back at once; its record
    /// (state, reason, console, counters) stays until it is removed.
    /// </summary>
    public sealed class Hypervisor
    {
        public const ulong MaxMemorySize = 1UL << 30;
        public const int MaxNameLength = 64;
        public const string RequestedStopReason = "stopped on request";
        public const string ForcedStopReason = "turned off on request";
        public const string HostTurnOffReason = "turned off by the host";

        private sealed class Slot
        {
            public VirtualMachine Vm;
            public Template Template;
            public GuestMemory Memory;
            public EptBuilder Ept;
            public Vcpu Cpu;
        }

        private readonly PageSource _pages;
        private readonly CpuBackend _backend;
        private readonly ExitDispatcher _dispatcher;
        private readonly Scheduler _scheduler;
        private readonly Slot[] _slots;
        private readonly Template[] _templates;
        private readonly GuestEntryState _entry = new GuestEntryState();
        private int _templateCount;
        private uint _nextId = 1;

        public Hypervisor(PageSource pages, CpuBackend backend, ExitDispatcher dispatcher, int maxVms, int maxTemplates)
        {
            _pages = pages;
            _backend = backend;
            _dispatcher = dispatcher;
            _scheduler = new Scheduler(maxVms);
            _slots = new Slot[maxVms];
            _templates = new Template[maxTemplates];
        }

        public int TemplateCount => _templateCount;
        public Template TemplateAt(int index) => _templates[index];
        public int Capacity => _slots.Length;

        /// <summary>The VM in slot <paramref name="index"/> (0..Capacity-1), or null.</summary>
        public VirtualMachine VmAt(int index) => _slots[index] == null ? null : _slots[index].Vm;

        public int VmCount
        {
            get
            {
                int n = 0;
                for (int i = 0; i < _slots.Length; i++) if (_slots[i] != null) n++;
                return n;
            }
        }

        public bool AddTemplate(Template template)
        {
            if (template == null || _templateCount == _templates.Length || FindTemplate(template.Name) != null) return false;
            _templates[_templateCount++] = template;
            return true;
        }

        public Template FindTemplate(string name)
        {
            for (int i = 0; i < _templateCount; i++) if (_templates[i].Name == name) return _templates[i];
            return null;
        }

        public VirtualMachine Find(uint id)
        {
            Slot s = SlotOf(id);
            return s == null ? null : s.Vm;
        }

        /// <summary>The template VM <paramref name="id"/> was made from, or null.</summary>
        public Template TemplateOf(uint id)
        {
            Slot s = SlotOf(id);
            return s == null ? null : s.Template;
        }

        public VirtualMachine FindByName(string name)
        {
            for (int i = 0; i < _slots.Length; i++)
                if (_slots[i] != null && _slots[i].Vm.Name == name) return _slots[i].Vm;
            return null;
        }

        /// <summary>
        /// Creates a VM from <paramref name="templateName"/> in state Created. <paramref name="memorySize"/> 0 takes the
        /// template's size. Nothing is left behind on failure.
        /// </summary>
        public HypervisorStatus Create(string templateName, string name, ulong memorySize, out VirtualMachine vm)
        {
            vm = null;
            Template template = FindTemplate(templateName);
            if (template == null) return HypervisorStatus.NotFound;
            if (name == null || name.Length == 0 || name.Length > MaxNameLength) return HypervisorStatus.InvalidArgument;
            if (FindByName(name) != null) return HypervisorStatus.NameInUse;
            if (memorySize == 0) memorySize = template.MemorySize;
            if (memorySize > MaxMemorySize || (memorySize & (EptBuilder.SmallPageSize - 1)) != 0) return HypervisorStatus.InvalidArgument;
            int free = FreeSlot();
            if (free < 0) return HypervisorStatus.TooManyVms;

            EptBuilder ept = EptBuilder.Create(_pages);
            if (ept == null) return HypervisorStatus.OutOfMemory;
            GuestMemory memory;
            if (GuestMemory.Create(_pages, ept, memorySize, out memory) != GuestMemoryStatus.Ok)
            {
                ept.Destroy();
                return HypervisorStatus.OutOfMemory;
            }

            _entry.Reset();
            if (Load(template, memory, memorySize) != GuestLoadStatus.Ok)
            {
                memory.Release();
                ept.Destroy();
                return HypervisorStatus.LoadFailed;
            }

            uint id = _nextId++;
            Vcpu cpu = _backend.Create(id, _entry, ept.Eptp);
            if (cpu == null)
            {
                memory.Release();
                ept.Destroy();
                return HypervisorStatus.VcpuFailed;
            }

            vm = new VirtualMachine(id, name, memorySize, memory);
            Slot slot = new Slot();
            slot.Vm = vm;
            slot.Template = template;
            slot.Memory = memory;
            slot.Ept = ept;
            slot.Cpu = cpu;
            _slots[free] = slot;
            _scheduler.Add(vm);
            return HypervisorStatus.Ok;
        }

        private GuestLoadStatus Load(Template template, GuestMemory memory, ulong size)
        {
            ReadOnlySpan<byte> image = template.Image;
            switch (template.Mode)
            {
                case GuestEntryMode.RealMode: return RealModeLoader.Load(image, memory, size, _entry);
                case GuestEntryMode.LongMode: return LongModeLoader.Load(image, memory, size, _entry);
                default: return MultibootLoader.Load(image, memory, size, AsciiBytes(template.CommandLine), _entry);
            }
        }

        private static byte[] AsciiBytes(string text)
        {
            if (text == null) return new byte[0];
            byte[] bytes = new byte[text.Length];
            for (int i = 0; i < text.Length; i++) bytes[i] = text[i] < 128 ? (byte)text[i] : (byte)'?';
            return bytes;
        }

        public HypervisorStatus Start(uint id) => Transition(id, 0);
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

        /// <summary>Removes a VM that is not running (a running one must be stopped first).</summary>
        public HypervisorStatus Remove(uint id)
        {
            for (int i = 0; i < _slots.Length; i++)
            {
                Slot s = _slots[i];
                if (s == null || s.Vm.Id != id) continue;
                if (s.Vm.State == VmState.Running || s.Vm.State == VmState.Paused) return HypervisorStatus.InvalidState;
                if (s.Vm.Remove() != VmTransitionStatus.Ok) return HypervisorStatus.InvalidState;
                ReleaseResources(s);
                _scheduler.Remove(s.Vm);
                _slots[i] = null;
                return HypervisorStatus.Ok;
            }
            return HypervisorStatus.NotFound;
        }

        /// <summary>
        /// Gives the next runnable VM one time slice: it runs until it yields (HLT, its slice ends) or stops.
        /// Returns the VM that ran, or null when none is runnable.
        /// </summary>
        public VirtualMachine RunNext(ulong sliceTicks)
        {
            VirtualMachine vm = _scheduler.Next();
            if (vm == null) return null;
            Slot s = SlotOf(vm.Id);
            ulong start = _backend.Now();
            ulong slice = sliceTicks;
            for (;;)
            {
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
            return vm;
        }

        private void ReleaseResources(Slot s)
        {
            if (s.Cpu != null) _backend.Destroy(s.Cpu);
            if (s.Memory != null) s.Memory.Release();
            if (s.Ept != null) s.Ept.Destroy();
            s.Cpu = null;
            s.Memory = null;
            s.Ept = null;
        }

        private Slot SlotOf(uint id)
        {
            for (int i = 0; i < _slots.Length; i++)
                if (_slots[i] != null && _slots[i].Vm.Id == id) return _slots[i];
            return null;
        }

        private int FreeSlot()
        {
            for (int i = 0; i < _slots.Length; i++) if (_slots[i] == null) return i;
            return -1;
        }
    }
}
