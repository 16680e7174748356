namespace Hv
{
    /// <summary>
    /// Why a VM stopped, as a kind. The hypervisor records the exact cause with its detail (Hv.Core.Vm.StopCause);
    /// this is the kind that travels as one byte to the client and the module. Stable numbers: only append.
    /// </summary>
    public enum StopReason
    {
        None = 0,
        /// <summary>StopVm, graceful.</summary>
        Requested = 1,
        /// <summary>StopVm with force, the graceful timeout ran out, or the host turned every VM off.</summary>
        Forced = 2,
        /// <summary>The guest halted with interrupts disabled.</summary>
        GuestHalt = 3,
        /// <summary>The guest ended itself with an exit code (debug-exit port, exit hypercall).</summary>
        GuestExit = 4,
        TripleFault = 5,
        /// <summary>An exit with no handler (ARCHITECTURE.md principle 3).</summary>
        UnhandledExit = 6,
        /// <summary>The guest broke a rule (EPT violation outside its memory, unsupported I/O, ...).</summary>
        GuestFault = 7,
        /// <summary>A hypervisor-side error (VM entry failed).</summary>
        HostError = 8,
        /// <summary>The guest switched itself off (ACPI), or reset itself (and is restarted).</summary>
        GuestPowerOff = 9,
    }
}
