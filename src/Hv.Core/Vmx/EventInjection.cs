using Hv.Core.Vm;
using Hv.Core.Vmx.Arch;

namespace Hv.Core.Vmx
{
    /// <summary>
    /// Events around each VM exit. Before the exit is handled: an event the CPU was delivering when the exit happened
    /// (IDT-vectoring information, SDM Vol. 3C §27.2.4) is queued again for the next entry (§28.2.1.1 "re-injection"),
    /// with its error code and, for software events, the instruction length. After it: the VM's pending NMI, then its pending external
    /// interrupt is injected, or an interrupt window is requested (<see cref="InterruptInjector"/>). The queued event
    /// lives in the VMCS entry fields, which <see cref="VcpuState"/> captures, so snapshots and clones keep it.
    /// </summary>
    public static class EventInjection
    {
        private const uint NmiVector = 2;

        public static void ReinjectInterruptedEvent(Vcpu cpu)
        {
            ulong info = cpu.ReadField(VmcsField.IdtVectoringInfo);
            if ((info & EntryInterruption.Valid) == 0) return;
            info &= ~(ulong)EntryInterruption.NmiUnblockingByIret;
            if ((info & EntryInterruption.DeliverErrorCode) != 0)
            {
                cpu.WriteField(VmcsField.EntryExceptionErrorCode, cpu.ReadField(VmcsField.IdtVectoringErrorCode));
            }
            if ((info & EntryInterruption.TypeMask) >= EntryInterruption.TypeSoftwareInterrupt)
            {
                cpu.WriteField(VmcsField.EntryInstructionLength, cpu.ReadField(VmcsField.ExitInstructionLength));
            }
            cpu.WriteField(VmcsField.EntryInterruptionInfo, info);
        }

        public static void DeliverPendingInterrupt(VirtualMachine vm, Vcpu cpu)
        {
            InterruptSource source = vm.Interrupts;
            bool nmi = source.NmiPending;
            int vector = source.PendingVector();
            if (!nmi && vector < 0) return; // the common exit: no VMCS access
            bool queued = (cpu.ReadField(VmcsField.EntryInterruptionInfo) & EntryInterruption.Valid) != 0;
            if (nmi && InterruptInjector.CanInjectNmi(cpu.ReadField(VmcsField.GuestInterruptibilityState), queued))
            {
                cpu.WriteField(VmcsField.EntryInterruptionInfo, NmiVector | EntryInterruption.TypeNmi | EntryInterruption.Valid);
                source.AcknowledgeNmi();
                queued = true;
            }
            if (vector < 0) return;
            InjectionDecision decision = InterruptInjector.Decide(vector, cpu.Registers.Rflags,
                cpu.ReadField(VmcsField.GuestInterruptibilityState), queued);
            if (decision == InjectionDecision.InjectNow)
            {
                cpu.WriteField(VmcsField.EntryInterruptionInfo, (uint)vector | EntryInterruption.TypeExternalInterrupt | EntryInterruption.Valid);
                source.Acknowledge(vector);
                vm.Counters.RecordInjectedInterrupt();
            }
            else if (decision == InjectionDecision.RequestWindow)
            {
                SetInterruptWindow(cpu, true);
            }
        }

        /// <summary>Turns interrupt-window exiting on or off (primary processor-based control bit 2).</summary>
        public static void SetInterruptWindow(Vcpu cpu, bool on)
        {
            ulong controls = cpu.ReadField(VmcsField.ProcessorBasedControls);
            ulong wanted = on ? controls | VmxControls.InterruptWindowExiting : controls & ~(ulong)VmxControls.InterruptWindowExiting;
            if (wanted != controls) cpu.WriteField(VmcsField.ProcessorBasedControls, wanted);
        }
    }
}
