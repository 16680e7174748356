using Hv.Core.Text;

namespace Hv.Core.Vmx.Arch
{
    /// <summary>
    /// What each basic exit reason (SDM Vol. 3D Appendix C) means in words, for stop reasons a person reads:
    /// "guest executed INVD (exit reason 13)". Instruction exits name the instruction; the others say what happened.
    /// </summary>
    public static class ExitReasonNames
    {
        /// <summary>What happened, for an exit that is not an instruction (e.g. "INIT signal"); null otherwise and for unassigned numbers.</summary>
        public static string EventOf(uint reason)
        {
            switch ((ExitReason)reason)
            {
                case ExitReason.ExceptionOrNmi: return "guest raised an exception or NMI";
                case ExitReason.ExternalInterrupt: return "external interrupt";
                case ExitReason.TripleFault: return "guest triple fault";
                case ExitReason.InitSignal: return "INIT signal";
                case ExitReason.StartupIpi: return "start-up IPI";
                case ExitReason.IoSmi: return "I/O system-management interrupt";
                case ExitReason.OtherSmi: return "system-management interrupt";
                case ExitReason.InterruptWindow: return "interrupt window";
                case ExitReason.NmiWindow: return "NMI window";
                case ExitReason.TaskSwitch: return "guest attempted a task switch";
                case ExitReason.ControlRegisterAccess: return "guest accessed a control register";
                case ExitReason.MovDr: return "guest accessed a debug register";
                case ExitReason.IoInstruction: return "guest executed an I/O instruction";
                case ExitReason.EntryFailureInvalidGuestState: return "vm-entry failed: invalid guest state";
                case ExitReason.EntryFailureMsrLoading: return "vm-entry failed: MSR loading";
                case ExitReason.MonitorTrapFlag: return "monitor trap flag";
                case ExitReason.EntryFailureMachineCheck: return "vm-entry failed: machine check";
                case ExitReason.TprBelowThreshold: return "TPR below threshold";
                case ExitReason.ApicAccess: return "guest accessed the APIC page";
                case ExitReason.VirtualizedEoi: return "virtualized EOI";
                case ExitReason.GdtrIdtrAccess: return "guest accessed GDTR or IDTR";
                case ExitReason.LdtrTrAccess: return "guest accessed LDTR or TR";
                case ExitReason.EptViolation: return "EPT violation";
                case ExitReason.EptMisconfiguration: return "EPT misconfiguration";
                case ExitReason.VmxPreemptionTimerExpired: return "preemption timer expired";
                case ExitReason.ApicWrite: return "guest wrote the APIC page";
                case ExitReason.PageModificationLogFull: return "page-modification log full";
                case ExitReason.SppRelatedEvent: return "sub-page permission event";
                case ExitReason.EnqcmdPasidTranslationFailure: return "ENQCMD PASID translation failure";
                case ExitReason.EnqcmdsPasidTranslationFailure: return "ENQCMDS PASID translation failure";
                case ExitReason.BusLock: return "guest bus lock";
                case ExitReason.InstructionTimeout: return "instruction timeout";
                default: return null;
            }
        }

        /// <summary>The instruction whose execution is the exit, in its assembler spelling; null for other exits.</summary>
        public static string InstructionOf(uint reason)
        {
            switch ((ExitReason)reason)
            {
                case ExitReason.Cpuid: return "CPUID";
                case ExitReason.Getsec: return "GETSEC";
                case ExitReason.Hlt: return "HLT";
                case ExitReason.Invd: return "INVD";
                case ExitReason.Invlpg: return "INVLPG";
                case ExitReason.Rdpmc: return "RDPMC";
                case ExitReason.Rdtsc: return "RDTSC";
                case ExitReason.Rsm: return "RSM";
                case ExitReason.Vmcall: return "VMCALL";
                case ExitReason.Vmclear: return "VMCLEAR";
                case ExitReason.Vmlaunch: return "VMLAUNCH";
                case ExitReason.Vmptrld: return "VMPTRLD";
                case ExitReason.Vmptrst: return "VMPTRST";
                case ExitReason.Vmread: return "VMREAD";
                case ExitReason.Vmresume: return "VMRESUME";
                case ExitReason.Vmwrite: return "VMWRITE";
                case ExitReason.Vmxoff: return "VMXOFF";
                case ExitReason.Vmxon: return "VMXON";
                case ExitReason.Rdmsr: return "RDMSR";
                case ExitReason.Wrmsr: return "WRMSR";
                case ExitReason.Mwait: return "MWAIT";
                case ExitReason.Monitor: return "MONITOR";
                case ExitReason.Pause: return "PAUSE";
                case ExitReason.Invept: return "INVEPT";
                case ExitReason.Rdtscp: return "RDTSCP";
                case ExitReason.Invvpid: return "INVVPID";
                case ExitReason.WbinvdOrWbnoinvd: return "WBINVD";
                case ExitReason.Xsetbv: return "XSETBV";
                case ExitReason.Rdrand: return "RDRAND";
                case ExitReason.Invpcid: return "INVPCID";
                case ExitReason.Vmfunc: return "VMFUNC";
                case ExitReason.Encls: return "ENCLS";
                case ExitReason.Rdseed: return "RDSEED";
                case ExitReason.Xsaves: return "XSAVES";
                case ExitReason.Xrstors: return "XRSTORS";
                case ExitReason.Pconfig: return "PCONFIG";
                case ExitReason.Umwait: return "UMWAIT";
                case ExitReason.Tpause: return "TPAUSE";
                case ExitReason.Loadiwkey: return "LOADIWKEY";
                case ExitReason.Enclv: return "ENCLV";
                default: return null;
            }
        }

        /// <summary>Writes e.g. "guest executed INVD (exit reason 13), not supported".</summary>
        public static void WriteUnsupported(TextSink text, ulong reason)
        {
            uint basic = reason <= uint.MaxValue ? (uint)reason : uint.MaxValue;
            string instruction = InstructionOf(basic);
            if (instruction != null)
            {
                text.Write("guest executed ");
                text.Write(instruction);
            }
            else
            {
                text.Write(EventOf(basic) ?? "unknown exit");
            }
            text.Write(" (exit reason ");
            text.WriteDecimal(reason);
            text.Write("), not supported");
        }
    }
}
