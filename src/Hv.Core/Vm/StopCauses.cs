using Hv.Core.Text;
using Hv.Core.Vmx.Arch;

namespace Hv.Core.Vm
{
    /// <summary>What a <see cref="StopCause"/> means to the outside: its kind, and the one line that describes it.</summary>
    public static class StopCauses
    {
        /// <summary>The kind the protocol and the module report.</summary>
        public static StopReason ReasonOf(StopCause cause)
        {
            switch (cause)
            {
                case StopCause.None: return StopReason.None;
                case StopCause.Requested: return StopReason.Requested;
                case StopCause.Forced:
                case StopCause.HostTurnOff: return StopReason.Forced;
                case StopCause.DebugExit:
                case StopCause.ExitHypercall: return StopReason.GuestExit;
                case StopCause.TripleFault: return StopReason.TripleFault;
                case StopCause.HaltWithInterruptsOff: return StopReason.GuestHalt;
                case StopCause.GuestPowerOff:
                case StopCause.GuestReset: return StopReason.GuestPowerOff;
                case StopCause.UnhandledExit: return StopReason.UnhandledExit;
                case StopCause.InvalidGuestState:
                case StopCause.MsrLoading:
                case StopCause.MachineCheck:
                case StopCause.EntryFailed: return StopReason.HostError;
                default: return StopReason.GuestFault;
            }
        }

        /// <summary>
        /// Writes the cause as the host's log and the stop detail of GetVm show it, e.g. "ept-violation at GPA
        /// 0x40000000 (write)"; nothing for <see cref="StopCause.None"/>.
        /// </summary>
        public static void Describe(TextSink text, StopCause cause, ulong detail, ulong access)
        {
            switch (cause)
            {
                case StopCause.Requested: text.Write("stopped on request"); break;
                case StopCause.Forced: text.Write("turned off on request"); break;
                case StopCause.HostTurnOff: text.Write("turned off by the host"); break;
                case StopCause.DebugExit: text.Write("debug-exit"); break;
                case StopCause.ExitHypercall: text.Write("guest exit hypercall"); break;
                case StopCause.TripleFault: text.Write("triple fault"); break;
                case StopCause.HaltWithInterruptsOff: text.Write("hlt with interrupts disabled"); break;
                case StopCause.EptViolation:
                    text.Write("ept-violation at GPA ");
                    text.WriteHex(detail, 0);
                    text.Write(" (");
                    WriteAccess(text, access);
                    text.Write(')');
                    break;
                case StopCause.EptMisconfiguration:
                    text.Write("ept-misconfiguration at GPA ");
                    text.WriteHex(detail, 0);
                    break;
                case StopCause.CopyOnWriteOutOfMemory:
                    text.Write("out of memory for a copy-on-write page at GPA ");
                    text.WriteHex(detail, 0);
                    break;
                case StopCause.StringIo:
                    text.Write("string i/o operand outside guest memory, port ");
                    text.WriteHex(detail, 4);
                    break;
                case StopCause.MmioInstructionRefused:
                    text.Write("mmio access at GPA ");
                    text.WriteHex(detail, 0);
                    text.Write(" by an instruction not emulated, bytes ");
                    text.WriteHex(access, 16);
                    break;
                case StopCause.InvalidIoSize: text.Write("i/o exit with invalid size"); break;
                case StopCause.UnhandledExit: ExitReasonNames.WriteUnsupported(text, detail); break;
                case StopCause.InvalidGuestState: text.Write("vm-entry failed: invalid guest state"); break;
                case StopCause.MsrLoading: text.Write("vm-entry failed: msr loading"); break;
                case StopCause.MachineCheck: text.Write("vm-entry failed: machine check"); break;
                case StopCause.EntryFailed: text.Write("vm-entry failed"); break;
                case StopCause.PrimingFailed: text.Write("priming failed"); break;
                case StopCause.Primed: text.Write("primed"); break;
                case StopCause.GuestPowerOff: text.Write("guest power-off"); break;
                case StopCause.GuestReset: text.Write("guest reset"); break;
            }
        }

        // "read", "write", "execute" joined by '+', from the qualification's bits 0..2.
        private static void WriteAccess(TextSink text, ulong access)
        {
            bool first = true;
            first = WriteKind(text, access, EptViolationQualification.Read, "read", first);
            first = WriteKind(text, access, EptViolationQualification.Write, "write", first);
            first = WriteKind(text, access, EptViolationQualification.Fetch, "execute", first);
            if (first)
            {
                text.Write("unknown access");
            }
        }

        private static bool WriteKind(TextSink text, ulong access, ulong bit, string name, bool first)
        {
            if ((access & bit) == 0)
            {
                return first;
            }
            if (!first)
            {
                text.Write('+');
            }
            text.Write(name);
            return false;
        }
    }
}
