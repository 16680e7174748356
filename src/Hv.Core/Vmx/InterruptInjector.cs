using Hv.Core.Vmx.Arch;

namespace Hv.Core.Vmx
{
    /// <summary>
    /// The policy for external interrupts (SDM Vol. 3C §26.3.1.5 and §25.2): an interrupt can be injected only when
    /// RFLAGS.IF = 1, there is no blocking by STI or MOV SS, and no other event is already queued for this entry (a
    /// re-injected or emulated one goes first); otherwise the hypervisor asks for an interrupt-window exit, which comes
    /// the moment the guest can take one.
    /// </summary>
    public static class InterruptInjector
    {
        public static InjectionDecision Decide(int pendingVector, ulong rflags, ulong interruptibility, bool eventQueued)
        {
            if (pendingVector < 0) return InjectionDecision.Nothing;
            if (eventQueued) return InjectionDecision.RequestWindow;
            if ((rflags & ControlRegisterBits.RflagsInterruptEnable) == 0) return InjectionDecision.RequestWindow;
            if ((interruptibility & EntryInterruption.BlockingByStiOrMovSs) != 0) return InjectionDecision.RequestWindow;
            return InjectionDecision.InjectNow;
        }

        /// <summary>
        /// NMIs ignore RFLAGS.IF but not an NMI still being handled (blocking by NMI, cleared by the guest's IRET), the
        /// STI/MOV SS shadow (§26.3.1.5 refuses the entry otherwise) or an event already queued. A blocked NMI stays
        /// pending and is retried before the next entry (a PC VM's entries end at least at its next timer deadline).
        /// </summary>
        public static bool CanInjectNmi(ulong interruptibility, bool eventQueued)
        {
            return !eventQueued && (interruptibility & (EntryInterruption.BlockingByStiOrMovSs | EntryInterruption.BlockingByNmi)) == 0;
        }
    }
}
