namespace Hv.Core.Vmx.Arch
{
    /// <summary>
    /// Bits of the VM-execution, VM-exit and VM-entry control fields (SDM Vol. 3C §24.6-24.8). These are the
    /// desired bits; <see cref="VmxCapability.Adjust"/> folds in what the CPU forces or forbids.
    /// </summary>
    public static class VmxControls
    {
        // ---- Pin-based VM-execution controls (Table 24-5) ----
        public const uint ExternalInterruptExiting = 1u << 0;
        public const uint NmiExiting = 1u << 3;
        public const uint VirtualNmis = 1u << 5;
        /// <summary>Counts VMX-preemption timer down in non-root operation; the scheduler's time slice (SDM 25.5.1).</summary>
        public const uint ActivateVmxPreemptionTimer = 1u << 6;

        // ---- Primary processor-based VM-execution controls (Table 24-6) ----
        public const uint InterruptWindowExiting = 1u << 2;
        public const uint UseTscOffsetting = 1u << 3;
        public const uint HltExiting = 1u << 7;
        public const uint InvlpgExiting = 1u << 9;
        public const uint MwaitExiting = 1u << 10;
        public const uint RdpmcExiting = 1u << 11;
        public const uint RdtscExiting = 1u << 12;
        public const uint Cr3LoadExiting = 1u << 15;
        public const uint Cr3StoreExiting = 1u << 16;
        public const uint Cr8LoadExiting = 1u << 19;
        public const uint Cr8StoreExiting = 1u << 20;
        public const uint UseTprShadow = 1u << 21;
        public const uint NmiWindowExiting = 1u << 22;
        public const uint MovDrExiting = 1u << 23;
        public const uint UnconditionalIoExiting = 1u << 24;
        public const uint UseIoBitmaps = 1u << 25;
        public const uint MonitorTrapFlag = 1u << 27;
        public const uint UseMsrBitmaps = 1u << 28;
        public const uint MonitorExiting = 1u << 29;
        public const uint PauseExiting = 1u << 30;
        public const uint ActivateSecondaryControls = 1u << 31;

        // ---- Secondary processor-based VM-execution controls (Table 24-7) ----
        public const uint VirtualizeApicAccesses = 1u << 0;
        public const uint EnableEpt = 1u << 1;
        public const uint DescriptorTableExiting = 1u << 2;
        public const uint EnableRdtscp = 1u << 3;
        public const uint EnableVpid = 1u << 5;
        public const uint WbinvdExiting = 1u << 6;
        /// <summary>Lets the guest run with CR0.PE=0 or PG=0 (real mode, paging off) under EPT (SDM 25.6).</summary>
        public const uint UnrestrictedGuest = 1u << 7;
        public const uint EnableInvpcid = 1u << 12;
        public const uint EnableXsavesXrstors = 1u << 20;

        // ---- Primary VM-exit controls (Table 24-11) ----
        public const uint ExitSaveDebugControls = 1u << 2;
        /// <summary>Host is 64-bit: return to IA-32e mode on every exit (required for a 64-bit host, SDM 26.2.4).</summary>
        public const uint HostAddressSpaceSize = 1u << 9;
        public const uint ExitLoadIa32PerfGlobalCtrl = 1u << 12;
        /// <summary>The exit acknowledges the interrupt and stores its vector in the exit interruption info.</summary>
        public const uint AcknowledgeInterruptOnExit = 1u << 15;
        public const uint ExitSaveIa32Pat = 1u << 18;
        public const uint ExitLoadIa32Pat = 1u << 19;
        public const uint ExitSaveIa32Efer = 1u << 20;
        public const uint ExitLoadIa32Efer = 1u << 21;
        /// <summary>Saves the remaining timer count so a preempted vCPU resumes its slice (SDM 27.3.2).</summary>
        public const uint SaveVmxPreemptionTimerValue = 1u << 22;

        // ---- VM-entry controls (Table 24-13) ----
        public const uint EntryLoadDebugControls = 1u << 2;
        /// <summary>Must equal the guest's EFER.LMA (SDM 26.3.1.1).</summary>
        public const uint Ia32eModeGuest = 1u << 9;
        public const uint EntryLoadIa32PerfGlobalCtrl = 1u << 13;
        public const uint EntryLoadIa32Pat = 1u << 14;
        public const uint EntryLoadIa32Efer = 1u << 15;
    }
}
