using System.Runtime.CompilerServices;
using Hv.Core.Devices;
using Hv.Core.Vmx.Arch;

namespace Hv.Core.Vm
{
    /// <summary>
    /// Per-VM metrics (Firecracker style: every exit arm bumps one), read by Measure-HvVm. Plain counters,
    /// no allocation after construction, so they can be bumped on every exit.
    /// </summary>
    public sealed class VmCounters
    {
        /// <summary>Basic exit reasons are 16-bit, but those defined so far (SDM Vol. 3D Appendix C) are below 80.</summary>
        public const int ReasonSlots = 80;

        private readonly ulong[] _exitsByReason = new ulong[ReasonSlots];
        private readonly ConsoleRing _console;
        private ulong _totalExits;
        private ulong _unknownReasonExits;
        private ulong _unhandledPortAccesses;
        private ulong _injectedExceptions;
        private ulong _injectedInterrupts;
        private ulong _guestRuns;
        private ulong _guestTscTicks;

        public VmCounters(ConsoleRing console)
        {
            _console = console;
        }

        /// <summary>Gives back the counters (their VM is being removed).</summary>
        public void Free()
        {
            Owned.Free(_exitsByReason);
            Owned.Free(this);
        }

        public ulong TotalExits { get { return _totalExits; } }
        /// <summary>Exits whose basic reason is at or above <see cref="ReasonSlots"/>.</summary>
        public ulong UnknownReasonExits { get { return _unknownReasonExits; } }
        public ulong IoExits { get { return ExitsFor((uint)ExitReason.IoInstruction); } }
        /// <summary>Port reads and writes no device claimed.</summary>
        public ulong UnhandledPortAccesses { get { return _unhandledPortAccesses; } }
        public ulong InjectedExceptions { get { return _injectedExceptions; } }
        /// <summary>External interrupts injected into the guest.</summary>
        public ulong InjectedInterrupts { get { return _injectedInterrupts; } }
        /// <summary>VM entries the backend reported via <see cref="RecordGuestRun"/>.</summary>
        public ulong GuestRuns { get { return _guestRuns; } }
        /// <summary>Host TSC ticks spent in guest mode (entry to exit).</summary>
        public ulong GuestTscTicks { get { return _guestTscTicks; } }
        /// <summary>Bytes the guest wrote to its console (UART and hypercall); the console ring counts them.</summary>
        public ulong ConsoleBytes { get { return _console.OutputEnd; } }

        public ulong ExitsFor(uint basicReason)
        {
            return basicReason < ReasonSlots ? _exitsByReason[basicReason] : 0;
        }

        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public void RecordExit(uint basicReason)
        {
            _totalExits++;
            if (basicReason < ReasonSlots)
            {
                _exitsByReason[basicReason]++;
            }
            else
            {
                _unknownReasonExits++;
            }
        }

        public void RecordUnhandledPortAccess()
        {
            _unhandledPortAccesses++;
        }

        public void RecordInjectedException()
        {
            _injectedExceptions++;
        }

        public void RecordInjectedInterrupt()
        {
            _injectedInterrupts++;
        }

        public void RecordGuestRun(ulong tscTicks)
        {
            _guestRuns++;
            _guestTscTicks += tscTicks;
        }
    }
}
