namespace Hv.Core.Vm
{
    /// <summary>
    /// Exactly what stopped a VM, recorded with the VM's stop detail (<see cref="VirtualMachine.StopDetail"/>, and for an
    /// EPT violation the access kind) at the moment it stops. Its kind (<see cref="StopReason"/>) and its text
    /// (<see cref="StopCauses.Describe"/>) are derived from it where they are needed, never parsed back from text.
    /// </summary>
    public enum StopCause
    {
        None,
        /// <summary>StopVm, graceful.</summary>
        Requested,
        /// <summary>StopVm with force.</summary>
        Forced,
        /// <summary>The host turned every VM off (hv.turnoff_tsc).</summary>
        HostTurnOff,
        /// <summary>The guest wrote its exit code to the debug-exit port.</summary>
        DebugExit,
        /// <summary>The guest made the exit hypercall.</summary>
        ExitHypercall,
        TripleFault,
        /// <summary>HLT with RFLAGS.IF clear: nothing can wake the guest.</summary>
        HaltWithInterruptsOff,
        /// <summary>Detail: the guest-physical address; access: the qualification's access bits.</summary>
        EptViolation,
        /// <summary>Detail: the guest-physical address.</summary>
        EptMisconfiguration,
        /// <summary>No host page for a copy-on-write copy. Detail: the guest-physical address.</summary>
        CopyOnWriteOutOfMemory,
        /// <summary>INS/OUTS whose memory operand does not translate to guest RAM. Detail: the port.</summary>
        StringIo,
        /// <summary>
        /// An access to a memory-mapped device by an instruction the hypervisor does not emulate (or cannot fetch).
        /// Detail: the guest-physical address; access: the instruction's first 8 bytes, the first in the top byte.
        /// </summary>
        MmioInstructionRefused,
        /// <summary>An I/O exit whose size encoding the SDM does not define.</summary>
        InvalidIoSize,
        /// <summary>An exit reason with no handler. Detail: the basic exit reason.</summary>
        UnhandledExit,
        /// <summary>VM entry failed: invalid guest state (exit reason 33).</summary>
        InvalidGuestState,
        /// <summary>VM entry failed: MSR loading (exit reason 34).</summary>
        MsrLoading,
        /// <summary>VM entry failed: machine check (exit reason 41).</summary>
        MachineCheck,
        /// <summary>VMLAUNCH/VMRESUME itself failed.</summary>
        EntryFailed,
        /// <summary>A template's priming boot did not reach its Ready hypercall.</summary>
        PrimingFailed,
        /// <summary>A template's priming VM, done: its state became the template's.</summary>
        Primed,
        /// <summary>The guest switched itself off (ACPI S5: Linux's poweroff).</summary>
        GuestPowerOff,
        /// <summary>The guest pulsed the reset line (8042): the host restarts it from its template.</summary>
        GuestReset,
    }
}
