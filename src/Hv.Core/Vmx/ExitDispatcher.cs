using Hv.Core.Devices.Pc;
using Hv.Core.Vm;
using Hv.Core.Vmx.Arch;
using Hv.Core.Vmx.Handlers;

namespace Hv.Core.Vmx
{
    /// <summary>
    /// Routes each VM exit to the handler for its basic reason through a table indexed by reason (ACRN
    /// vmexit.c style). Every exit is counted on the VM first; a reason with no handler stops that VM
    /// (<see cref="StopCause.UnhandledExit"/>, with the reason), never the host (ARCHITECTURE.md principle 3).
    /// </summary>
    public sealed class ExitDispatcher
    {
        public const int TableSize = VmCounters.ReasonSlots;

        private readonly ExitHandler[] _handlers = new ExitHandler[TableSize];

        /// <summary>Installs <paramref name="handler"/> for <paramref name="reason"/>; false if the reason is outside the table.</summary>
        public bool Register(ExitReason reason, ExitHandler handler)
        {
            if ((uint)reason >= TableSize)
            {
                return false;
            }
            _handlers[(int)reason] = handler;
            return true;
        }

        public ExitAction Dispatch(VirtualMachine vm, Vcpu cpu)
        {
            // Bits 15:0 are the basic reason; bit 31 flags a failed VM entry, whose basic reason (33, 34, 41)
            // already says what failed (SDM Vol. 3C 24.9.1).
            uint basic = (uint)(cpu.ReadField(VmcsField.ExitReason) & 0xFFFF);
            vm.Counters.RecordExit(basic);

            ExitHandler handler = basic < TableSize ? _handlers[basic] : null;
            if (handler == null)
            {
                vm.Stop(StopCause.UnhandledExit, basic);
                return ExitAction.Stop;
            }
            EventInjection.ReinjectInterruptedEvent(cpu);
            PcPlatform platform = vm.Platform;
            if (platform != null) platform.Advance(cpu.GuestTsc()); // devices see the exit at the guest's present
            ExitAction action = handler.Handle(vm, cpu);
            if (platform != null) PowerEvents(vm, platform);
            // Whatever the handler said, a VM that is no longer running must not be entered again.
            if (vm.State != VmState.Running) return ExitAction.Stop;
            EventInjection.DeliverPendingInterrupt(vm, cpu);
            return action;
        }

        // The guest switched itself off (ACPI S5: on its own, or as the host asked) or pulsed the reset line: it stops, and
        // a reset is restarted by the host.
        private static void PowerEvents(VirtualMachine vm, PcPlatform platform)
        {
            if (platform.PowerOffRequested) vm.Stop(vm.ShutdownDeadline != 0 ? StopCause.Requested : StopCause.GuestPowerOff);
            else if (platform.ResetRequested) vm.Stop(StopCause.GuestReset);
        }

        /// <summary>The standard table: every exit our VMCS configuration can produce, with its policy.</summary>
        /// <param name="rdtscpEnabled">The VM controls enable RDTSCP (CPUID advertises it only then).</param>
        public static ExitDispatcher CreateStandard(CpuidSource hostCpuid, bool rdtscpEnabled = true)
        {
            CpuidPolicy cpuid = new CpuidPolicy(hostCpuid, rdtscpEnabled);
            ExitDispatcher dispatcher = new ExitDispatcher();
            YieldHandler yield = new YieldHandler();
            InvalidOpcodeHandler invalidOpcode = new InvalidOpcodeHandler();

            dispatcher.Register(ExitReason.ExternalInterrupt, yield);
            dispatcher.Register(ExitReason.VmxPreemptionTimerExpired, yield);
            dispatcher.Register(ExitReason.TripleFault, new StopVmHandler(StopCause.TripleFault));
            dispatcher.Register(ExitReason.EntryFailureInvalidGuestState, new StopVmHandler(StopCause.InvalidGuestState));
            dispatcher.Register(ExitReason.EntryFailureMsrLoading, new StopVmHandler(StopCause.MsrLoading));
            dispatcher.Register(ExitReason.EntryFailureMachineCheck, new StopVmHandler(StopCause.MachineCheck));
            dispatcher.Register(ExitReason.Cpuid, new CpuidHandler(cpuid));
            dispatcher.Register(ExitReason.Xsetbv, new XsetbvHandler(cpuid.SupportedXcr0Bits));
            dispatcher.Register(ExitReason.ControlRegisterAccess, new ControlRegisterAccessHandler(CpuidPolicy.GuestCr4Bits(hostCpuid)));
            dispatcher.Register(ExitReason.MovDr, new MovDrHandler());
            dispatcher.Register(ExitReason.Hlt, new HltHandler());
            dispatcher.Register(ExitReason.Pause, new PauseHandler());
            dispatcher.Register(ExitReason.InterruptWindow, new InterruptWindowHandler());
            dispatcher.Register(ExitReason.IoInstruction, new IoInstructionHandler());
            dispatcher.Register(ExitReason.Rdmsr, new RdmsrHandler());
            dispatcher.Register(ExitReason.Wrmsr, new WrmsrHandler());
            dispatcher.Register(ExitReason.EptViolation, new EptViolationHandler());
            dispatcher.Register(ExitReason.EptMisconfiguration, new EptMisconfigurationHandler());
            dispatcher.Register(ExitReason.Vmcall, new HypercallHandler());

            dispatcher.Register(ExitReason.Getsec, invalidOpcode);
            dispatcher.Register(ExitReason.Vmclear, invalidOpcode);
            dispatcher.Register(ExitReason.Vmlaunch, invalidOpcode);
            dispatcher.Register(ExitReason.Vmptrld, invalidOpcode);
            dispatcher.Register(ExitReason.Vmptrst, invalidOpcode);
            dispatcher.Register(ExitReason.Vmread, invalidOpcode);
            dispatcher.Register(ExitReason.Vmresume, invalidOpcode);
            dispatcher.Register(ExitReason.Vmwrite, invalidOpcode);
            dispatcher.Register(ExitReason.Vmxoff, invalidOpcode);
            dispatcher.Register(ExitReason.Vmxon, invalidOpcode);
            dispatcher.Register(ExitReason.Invept, invalidOpcode);
            dispatcher.Register(ExitReason.Invvpid, invalidOpcode);
            return dispatcher;
        }
    }
}
