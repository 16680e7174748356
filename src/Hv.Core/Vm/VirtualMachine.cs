using Hv.Core.Devices;
using Hv.Core.Memory;

namespace Hv.Core.Vm
{
    /// <summary>
    /// One guest: identity, lifecycle state, devices and counters. The portable half of a VM; the backend
    /// keeps the VMCS and EPT beside it. Every lifecycle command is a transition that either succeeds or
    /// returns <see cref="VmTransitionStatus.InvalidTransition"/> and changes nothing (ARCHITECTURE.md
    /// principle 5).
    /// </summary>
    public sealed class VirtualMachine
    {
        /// <summary>COM1, where test kernels and Linux's console=ttyS0 look for the first UART.</summary>
        public const ushort Com1Port = 0x3F8;
        // 16 KiB of console history per VM: the image's heap holds a thousand VMs' rings at once.
        public const int ConsoleOutputCapacity = 16 * 1024;
        public const int ConsoleInputCapacity = 4096;

        private uint _id;
        private string _name;
        private ulong _memorySize;
        private GuestMemoryAccess _memory;
        private readonly ConsoleRing _console;
        private readonly Uart16550 _uart;
        private readonly PortBus _ports;
        private readonly VmCounters _counters;
        private readonly GuestMsrs _msrs = new GuestMsrs();
        private VmState _state = VmState.Created;
        private string _stopReason;
        private ulong _exitCode;
        private bool _ready;

        /// <param name="memory">Access to the guest's physical memory (null until the backend has built it).</param>
        public VirtualMachine(uint id, string name, ulong memorySize, GuestMemoryAccess memory)
        {
            _console = new ConsoleRing(ConsoleOutputCapacity, ConsoleInputCapacity);
            _counters = new VmCounters(_console);
            _uart = new Uart16550(_console);
            _ports = new PortBus();
            _ports.Map(Com1Port, Uart16550.PortCount, _uart);
            _ports.Map(DebugExitPort.DefaultPort, 1, new DebugExitPort(this));
            Reuse(id, name, memorySize, memory);
        }

        /// <summary>
        /// Makes this object a brand-new VM. The image has no garbage collector, so the hypervisor recycles removed
        /// VMs (and their console buffers) instead of allocating new ones for every create.
        /// </summary>
        public void Reuse(uint id, string name, ulong memorySize, GuestMemoryAccess memory)
        {
            _id = id;
            _name = name;
            _memorySize = memorySize;
            _memory = memory;
            _console.Reset();
            _counters.Reset();
            _uart.Reset();
            _msrs.Star = _msrs.Lstar = _msrs.Cstar = _msrs.Fmask = _msrs.KernelGsBase = 0;
            _state = VmState.Created;
            _stopReason = null;
            _exitCode = 0;
            _ready = false;
            SeedLow = SeedHigh = MacAddress = LogEchoOffset = 0;
            LogEchoMidLine = false;
        }

        public uint Id { get { return _id; } }
        public string Name { get { return _name; } }
        public ulong MemorySize { get { return _memorySize; } }
        public GuestMemoryAccess Memory { get { return _memory; } }
        public ConsoleRing Console { get { return _console; } }
        public Uart16550 Uart { get { return _uart; } }
        public PortBus Ports { get { return _ports; } }
        public VmCounters Counters { get { return _counters; } }
        public GuestMsrs Msrs { get { return _msrs; } }
        public VmState State { get { return _state; } }
        /// <summary>Why the VM stopped; null until it has.</summary>
        public string StopReason { get { return _stopReason; } }
        public ulong ExitCode { get { return _exitCode; } }
        /// <summary>The guest announced it finished booting (hypercall Ready); a template can be primed from here.</summary>
        public bool Ready { get { return _ready; } }

        /// <summary>This VM's own 128-bit random seed (hypercall 5) and MAC address; set once by the hypervisor.</summary>
        public ulong SeedLow, SeedHigh;
        public ulong MacAddress;

        /// <summary>
        /// How far the host has copied this VM's console into its own log, and whether it stopped mid-line (the image
        /// echoes every VM's console onto its log).
        /// </summary>
        public ulong LogEchoOffset;
        public bool LogEchoMidLine;

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
        /// Stopped → Created, for a restart from the VM's template: the stop reason goes, the console history and the
        /// counters stay.
        /// </summary>
        public VmTransitionStatus Rearm()
        {
            if (_state != VmState.Stopped)
            {
                return VmTransitionStatus.InvalidTransition;
            }
            _state = VmState.Created;
            _stopReason = null;
            _exitCode = 0;
            _ready = false;
            return VmTransitionStatus.Ok;
        }

        public VmTransitionStatus Resume()
        {
            return Move(VmState.Paused, VmState.Running);
        }

        /// <summary>
        /// Stops a Created, Running or Paused VM with a reason and exit code. The first stop wins: a VM that is
        /// already stopped keeps its original reason (a triple fault after a debug-exit write must not hide it).
        /// </summary>
        public VmTransitionStatus Stop(string reason, ulong exitCode)
        {
            if (_state != VmState.Created && _state != VmState.Running && _state != VmState.Paused)
            {
                return VmTransitionStatus.InvalidTransition;
            }
            _state = VmState.Stopped;
            _stopReason = reason;
            _exitCode = exitCode;
            return VmTransitionStatus.Ok;
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

        /// <summary>The VM's RAM is now <paramref name="memory"/> (after a restart rebuilt it).</summary>
        public void ReplaceMemory(GuestMemoryAccess memory)
        {
            _memory = memory;
        }

        public void MarkReady()
        {
            _ready = true;
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
