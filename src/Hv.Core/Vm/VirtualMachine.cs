using Hv.Core.Devices;
using Hv.Core.Devices.Pc;
using Hv.Core.Devices.Virtio;
using Hv.Core.Memory;
using Hv.Core.Vmx;

namespace Hv.Core.Vm
{
    /// <summary>
    /// One guest, as one object: its identity, its life-cycle state (with the exact stop cause), the address space and
    /// vCPU it runs on, its devices on its port bus, the template it came from, its snapshots and its counters. Every
    /// life-cycle command is a transition that either succeeds or returns <see cref="VmTransitionStatus.InvalidTransition"/>
    /// and changes nothing (ARCHITECTURE.md principle 5). The <see cref="VmTable"/> owns the record and frees it, devices,
    /// buffers and name included, when the VM is removed (the image has no garbage collector).
    /// </summary>
    public sealed partial class VirtualMachine
    {
        /// <summary>COM1, where test kernels and Linux's console=ttyS0 look for the first UART.</summary>
        public const ushort Com1Port = 0x3F8;
        // 16 KiB of console history per VM: the image's heap holds a thousand VMs' rings at once.
        public const int ConsoleOutputCapacity = 16 * 1024;
        public const int ConsoleInputCapacity = 4096;
        /// <summary>CPU weights are 1..10000 (Hyper-V's relative-weight range); a new VM has 100.</summary>
        public const uint DefaultCpuWeight = 100, MinCpuWeight = 1, MaxCpuWeight = 10000;
        /// <summary>The largest cap: a whole core (all of a VM's vCPUs share the one host core).</summary>
        public const uint MaxCpuCapPercent = 100;

        private uint _id;
        private int _slot;
        private string _name;
        private ulong _memorySize;
        private AddressSpace _memory;
        private readonly VcpuSet _cpus = new VcpuSet();
        private Template _template;
        private readonly ConsoleRing _console;
        private readonly Uart16550 _uart;
        private readonly PortBus _ports;
        private readonly MmioBus _mmio = new MmioBus();
        private readonly RequestedInterrupts _requestedInterrupts = new RequestedInterrupts();
        private InterruptSource _interrupts;
        private PcPlatform _platform;
        private VirtioBlock _disk;
        private VmNetworkAdapter _network;
        private readonly DebugExitPort _debugExit;
        private readonly VmCounters _counters;
        private readonly VmSnapshots _snapshots = new VmSnapshots();
        private VmState _state;
        private StopCause _stopCause;
        private ulong _stopDetail;
        private ulong _stopAccess;
        private ulong _exitCode;
        private bool _ready;
        private uint _cpuWeight = DefaultCpuWeight;
        private uint _cpuCapPercent;
        private string _notes;

        /// <summary>A VM object with its devices wired; <see cref="VmTable"/> gives it an identity.</summary>
        public VirtualMachine()
        {
            _console = new ConsoleRing(ConsoleOutputCapacity, ConsoleInputCapacity);
            _counters = new VmCounters(_console);
            _uart = new Uart16550(_console);
            _ports = new PortBus();
            _ports.Map(Com1Port, Uart16550.PortCount, _uart);
            _state = VmState.Created;
            _debugExit = new DebugExitPort(this);
            _ports.Map(DebugExitPort.DefaultPort, 1, _debugExit);
            _interrupts = _requestedInterrupts;
        }

        /// <summary>Its place in the table's dense list of live VMs.</summary>
        internal int DenseIndex;

        /// <summary>Gives the new VM (state Created) its identity; it owns <paramref name="name"/> from now on.</summary>
        internal void Assign(uint id, int slot, string name)
        {
            _id = id;
            _slot = slot;
            _name = name;
        }

        /// <summary>
        /// Gives back the record with its devices and buffers, once memory, vCPU and snapshots are let go
        /// (<see cref="Hypervisor.Remove"/>); the name too unless <paramref name="withName"/> is false (a VM that never
        /// came to be: its name is still the caller's). Nothing may use the VM afterwards.
        /// </summary>
        internal void Free(bool withName)
        {
            if (withName) Owned.Free(_name);
            if (_notes != null) Owned.Free(_notes);
            _console.Free();
            _counters.Free();
            _uart.Free();
            _ports.Free();
            Owned.Free(_debugExit);
            _mmio.Free();
            ReleaseNetwork(); // also for a VM cancelled after it got its adapter (a refused import)
            if (_disk != null && _disk.Disk != null) _disk.Disk.Free(); // an emptied drive has none
            if (_platform != null)
            {
                _platform.Free(); // with the disk's PCI function
                Owned.Free(_interrupts);
            }
            _requestedInterrupts.Free();
            _snapshots.Free();
            _cpus.Free();
            Owned.Free(this);
        }

        public uint Id { get { return _id; } }
        /// <summary>Its slot in the <see cref="VmTable"/> (0 .. capacity-1): unique among live VMs, taken over by a later VM once it is removed.</summary>
        public int Slot { get { return _slot; } }
        public string Name { get { return _name; } }
        /// <summary>The guest's RAM size; stays known after a stop has given the memory back.</summary>
        public ulong MemorySize { get { return _memorySize; } }
        /// <summary>Its guest-physical memory; null once the VM has stopped.</summary>
        public AddressSpace Memory { get { return _memory; } }
        /// <summary>Its bootstrap vCPU; null once the VM has stopped.</summary>
        public Vcpu Cpu { get { return _cpus.Bsp; } }
        /// <summary>All its vCPUs, the one being run or handled selected.</summary>
        public VcpuSet Cpus { get { return _cpus; } }
        public int ProcessorCount { get { return _cpus.Count; } }
        /// <summary>The template it was made from (its restarts start from it); null when made otherwise, or removed since.</summary>
        public Template Template { get { return _template; } }
        /// <summary>The VPID of its bootstrap vCPU (SDM Vol. 3C 28.1): never 0 (the host's), unique among live vCPUs.</summary>
        public ushort Vpid { get { return VpidOf(0); } }

        /// <summary>
        /// Each vCPU has its own VPID: siblings run different address spaces, and TLB entries tagged with one VPID would
        /// otherwise be used by the other.
        /// </summary>
        public ushort VpidOf(int index)
        {
            return (ushort)(1 + _slot * VcpuSet.MaxCount + index);
        }

        /// <summary>The run loop runs (or handles an exit of) vCPU <paramref name="index"/>: handlers and devices see its state.</summary>
        public void SelectCpu(int index)
        {
            _cpus.Select(index);
            if (_platform != null) _platform.SelectProcessor(index);
        }

        /// <summary>The processor count of its next start (it is off); its platform gets an APIC per processor.</summary>
        public void SetProcessorCountForNextStart(int count)
        {
            _cpus.SetCount(count);
            if (_platform != null) _platform.SetProcessorCount(count);
        }

        public ConsoleRing Console { get { return _console; } }
        public Uart16550 Uart { get { return _uart; } }
        /// <summary>The I/O-port bus its devices hang on (COM1, the debug-exit port).</summary>
        public PortBus Ports { get { return _ports; } }
        /// <summary>Its memory-mapped devices (above RAM, emulated on EPT violations).</summary>
        public MmioBus Mmio { get { return _mmio; } }
        public VmCounters Counters { get { return _counters; } }
        /// <summary>Vectors raised by hypercall or by the host; the interrupt source unless a controller model replaces it.</summary>
        public RequestedInterrupts RequestedInterrupts { get { return _requestedInterrupts; } }
        /// <summary>Where its external interrupts come from (<see cref="EventInjection"/> asks it before every entry).</summary>
        public InterruptSource Interrupts { get { return _interrupts; } }

        /// <summary>An interrupt controller model takes over as the VM's interrupt source.</summary>
        public void UseInterruptSource(InterruptSource source)
        {
            _interrupts = source != null ? source : _requestedInterrupts;
        }

        /// <summary>
        /// The selected vCPU executed HLT with interrupts enabled: it does not run again until its APIC has an interrupt
        /// for it (a bare VM has no such wake-up source, and just yields).
        /// </summary>
        public bool Halted { get { return _cpus.Halted; } set { _cpus.Halted = value; } }

        /// <summary>
        /// An export image holds one vCPU's state: a VM with more processors cannot be exported (snapshots and copies
        /// carry the APs beside it: <see cref="ApStates"/>).
        /// </summary>
        public bool Exportable { get { return _cpus.Count == 1; } }

        /// <summary>The host TSC by which a guest asked to shut down (ACPI power button) must be off; 0 when none was asked.</summary>
        public ulong ShutdownDeadline;
        public VmSnapshots Snapshots { get { return _snapshots; } }

        public VmState State { get { return _state; } }
        /// <summary>What stopped it; <see cref="StopCause.None"/> until it has.</summary>
        public StopCause StopCause { get { return _stopCause; } }
        /// <summary>The stop's detail: a guest-physical address, a port or an exit reason (<see cref="StopCause"/> says which).</summary>
        public ulong StopDetail { get { return _stopDetail; } }
        /// <summary>For an EPT violation, the access bits of its exit qualification; for a refused MMIO instruction, its first bytes.</summary>
        public ulong StopAccess { get { return _stopAccess; } }
        public StopReason StopReason { get { return StopCauses.ReasonOf(_stopCause); } }
        public ulong ExitCode { get { return _exitCode; } }
        /// <summary>The guest announced it finished booting (hypercall Ready); a template can be primed from here.</summary>
        public bool Ready { get { return _ready; } }

        /// <summary>Its share of the CPU against other VMs (<see cref="Scheduler"/>): <see cref="MinCpuWeight"/>..<see cref="MaxCpuWeight"/>.</summary>
        public uint CpuWeight { get { return _cpuWeight; } }
        /// <summary>The most of a core it may use, in percent of host time; 0 = no cap.</summary>
        public uint CpuCapPercent { get { return _cpuCapPercent; } }
        /// <summary>The administrator's notes about it (Set-HvVm -Notes); null when none.</summary>
        public string Notes { get { return _notes; } }

        /// <summary>Sets weight and cap (a running VM too: the scheduler reads them at every pick); false, changing nothing, when out of range.</summary>
        public bool SetCpuShare(uint weight, uint capPercent)
        {
            if (weight < MinCpuWeight || weight > MaxCpuWeight || capPercent > MaxCpuCapPercent) return false;
            _cpuWeight = weight;
            _cpuCapPercent = capPercent;
            return true;
        }

        /// <summary>Takes <paramref name="notes"/> (owned from now on; null for none) in place of the old ones, which are freed.</summary>
        public void ReplaceNotes(string notes)
        {
            if (_notes != null) Owned.Free(_notes);
            _notes = notes;
        }

        /// <summary>Takes <paramref name="name"/> (owned from now on) in place of the old name, which is freed; the caller checked it.</summary>
        internal void Rename(string name)
        {
            Owned.Free(_name);
            _name = name;
        }

        /// <summary>The memory size its next start builds (a stopped VM: <see cref="MemorySize"/> until then reports it).</summary>
        internal void ResizeForNextStart(ulong memorySize)
        {
            _memorySize = memorySize;
        }

        /// <summary>This VM's own 128-bit random seed (hypercall 5) and MAC address; set once by the hypervisor.</summary>
        public ulong SeedLow, SeedHigh;
        public ulong MacAddress;

        /// <summary>Gives the VM the memory and vCPU it runs on (at creation, and when a restart rebuilds them).</summary>
        public void Attach(AddressSpace memory, Vcpu cpu, Template template)
        {
            _memory = memory;
            _memorySize = memory.Size;
            _cpus.Put(0, cpu);
            if (_disk != null) _disk.Memory = memory;
            if (_network != null) _network.Device.Memory = memory;
            _template = template;
        }

        /// <summary>A snapshot restore put a new vCPU in place of the old one (which the caller releases).</summary>
        public void ReplaceCpu(Vcpu cpu)
        {
            _cpus.Put(0, cpu);
        }

        /// <summary>The template was removed: the VM keeps its pages but can no longer restart from it.</summary>
        public void ForgetTemplate()
        {
            _template = null;
        }

        /// <summary>Gives back the vCPU and the memory (a stopped VM, or one being removed); the record stays.</summary>
        public void ReleaseResources()
        {
            _cpus.ReleaseAll();
            if (_platform != null) _platform.SelectProcessor(0);
            if (_memory != null) _memory.Free();
            if (_disk != null) _disk.Memory = null; // the disk stays: a restart finds its contents
            if (_network != null) _network.Device.Memory = null; // the adapter stays, connected: a restart finds it
            _memory = null;
        }

        /// <summary>Pages only this VM uses, and pages it shares with its template, snapshots or other clones (0 once stopped).</summary>
        public void MemoryUse(out ulong privatePages, out ulong sharedPages)
        {
            privatePages = sharedPages = 0;
            if (_memory == null || _memory.IsReleased) return;
            privatePages = _memory.PrivatePages;
            sharedPages = _memory.SharedPages;
        }

        public VmTransitionStatus Start()
        {
            return Move(VmState.Created, VmState.Running);
        }

        public VmTransitionStatus Pause()
        {
            return Move(VmState.Running, VmState.Paused);
        }

        /// <summary>
        /// Created → Paused: for a VM whose vCPU continues a captured state (a fork, an import) rather than booting,
        /// so it is resumed, not started.
        /// </summary>
        public VmTransitionStatus EnterPaused()
        {
            return Move(VmState.Created, VmState.Paused);
        }

        /// <summary>
        /// Stopped → Created, for a restart from the VM's template: the stop cause goes, the console history and the
        /// counters stay.
        /// </summary>
        public VmTransitionStatus Rearm()
        {
            if (_state != VmState.Stopped)
            {
                return VmTransitionStatus.InvalidTransition;
            }
            _state = VmState.Created;
            _stopCause = StopCause.None;
            _stopDetail = _stopAccess = _exitCode = 0;
            _ready = false;
            _cpus.WakeAll();
            ShutdownDeadline = 0;
            return VmTransitionStatus.Ok;
        }

        public VmTransitionStatus Resume()
        {
            return Move(VmState.Paused, VmState.Running);
        }

        /// <summary>Stops a Created, Running or Paused VM for <paramref name="cause"/>, which needs no detail.</summary>
        public VmTransitionStatus Stop(StopCause cause)
        {
            return Stop(cause, 0, 0, 0);
        }

        /// <summary>Stops the VM for <paramref name="cause"/> with its detail (an address, a port, an exit reason).</summary>
        public VmTransitionStatus Stop(StopCause cause, ulong detail)
        {
            return Stop(cause, detail, 0, 0);
        }

        /// <summary>Stops the VM for an EPT violation at <paramref name="gpa"/> with the access bits of its qualification.</summary>
        public VmTransitionStatus Stop(StopCause cause, ulong gpa, ulong access)
        {
            return Stop(cause, gpa, access, 0);
        }

        /// <summary>The guest ended itself (debug-exit port, exit hypercall) with <paramref name="exitCode"/>.</summary>
        public VmTransitionStatus StopWithExitCode(StopCause cause, ulong exitCode)
        {
            return Stop(cause, 0, 0, exitCode);
        }

        /// <summary>Removes a Stopped VM, or a Created one that never ran.</summary>
        public VmTransitionStatus Remove()
        {
            if (_state != VmState.Stopped && _state != VmState.Created)
            {
                return VmTransitionStatus.InvalidTransition;
            }
            _state = VmState.Removed;
            return VmTransitionStatus.Ok;
        }

        public void MarkReady()
        {
            _ready = true;
        }

        // The first stop wins: a VM that is already stopped keeps its original cause (a triple fault after a debug-exit
        // write must not hide it).
        private VmTransitionStatus Stop(StopCause cause, ulong detail, ulong access, ulong exitCode)
        {
            if (_state != VmState.Created && _state != VmState.Running && _state != VmState.Paused)
            {
                return VmTransitionStatus.InvalidTransition;
            }
            _state = VmState.Stopped;
            _stopCause = cause;
            _stopDetail = detail;
            _stopAccess = access;
            _exitCode = exitCode;
            return VmTransitionStatus.Ok;
        }

        private VmTransitionStatus Move(VmState from, VmState to)
        {
            if (_state != from)
            {
                return VmTransitionStatus.InvalidTransition;
            }
            _state = to;
            return VmTransitionStatus.Ok;
        }
    }
}
