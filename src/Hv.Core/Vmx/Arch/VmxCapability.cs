namespace Hv.Core.Vmx.Arch
{
    /// <summary>
    /// Interprets the VMX capability MSRs (SDM Vol. 3D Appendix A). The kernel reads the MSRs; everything
    /// here is arithmetic on the values, so it is unit-tested without a CPU.
    /// </summary>
    public static class VmxCapability
    {
        // ---- Capability MSR indices (Appendix A, Table 2-2 of Vol. 4) ----
        public const uint MsrVmxBasic = 0x480;
        public const uint MsrPinBasedControls = 0x481;
        public const uint MsrProcessorBasedControls = 0x482;
        public const uint MsrExitControls = 0x483;
        public const uint MsrEntryControls = 0x484;
        public const uint MsrMisc = 0x485;
        public const uint MsrCr0Fixed0 = 0x486;
        public const uint MsrCr0Fixed1 = 0x487;
        public const uint MsrCr4Fixed0 = 0x488;
        public const uint MsrCr4Fixed1 = 0x489;
        public const uint MsrSecondaryProcessorBasedControls = 0x48B;
        public const uint MsrEptVpidCapabilities = 0x48C;
        public const uint MsrTruePinBasedControls = 0x48D;
        public const uint MsrTrueProcessorBasedControls = 0x48E;
        public const uint MsrTrueExitControls = 0x48F;
        public const uint MsrTrueEntryControls = 0x490;

        // ---- IA32_VMX_EPT_VPID_CAP bits (A.10) ----
        public const ulong EptPageWalkLength4 = 1UL << 6;
        public const ulong EptWriteBackType = 1UL << 14;
        public const ulong Ept2MiBPages = 1UL << 16;
        public const ulong EptInvept = 1UL << 20;
        public const ulong Invvpid = 1UL << 32;

        /// <summary>Bits 30:0 of IA32_VMX_BASIC: the revision id written at the start of VMXON/VMCS regions (A.1).</summary>
        public static uint VmcsRevision(ulong vmxBasic)
        {
            return (uint)vmxBasic & 0x7FFFFFFFu;
        }

        /// <summary>
        /// Bit 55 of IA32_VMX_BASIC: the TRUE_* control MSRs exist and must be used instead of the legacy
        /// ones, because the legacy ones report some "default1" bits as fixed even when they can be cleared (A.2).
        /// </summary>
        public static bool HasTrueControls(ulong vmxBasic)
        {
            return (vmxBasic & (1UL << 55)) != 0;
        }

        /// <summary>Bits 31:0 of a control capability MSR: a 1 here means the control must be 1 (A.3.1).</summary>
        public static uint MustBeOne(ulong capability)
        {
            return (uint)capability;
        }

        /// <summary>Bits 63:32 of a control capability MSR: a 0 here means the control must be 0 (A.3.1).</summary>
        public static uint MayBeOne(ulong capability)
        {
            return (uint)(capability >> 32);
        }

        /// <summary>
        /// The value to write into a VMX control field: the desired bits plus the bits the CPU requires,
        /// minus the bits it cannot set (A.3). <paramref name="unsupported"/> receives the desired bits that
        /// had to be dropped, so the caller can decide whether it can live without them.
        /// </summary>
        public static uint Adjust(ulong capability, uint desired, out uint unsupported)
        {
            uint allowedOne = MayBeOne(capability);
            unsupported = desired & ~allowedOne;
            return (desired | MustBeOne(capability)) & allowedOne;
        }

        /// <summary>
        /// Applies IA32_VMX_CR0_FIXED0/1 or CR4_FIXED0/1 (A.7, A.8): a bit set in FIXED0 must be 1, a bit clear
        /// in FIXED1 must be 0. With unrestricted guest, the caller clears PE and PG from FIXED0 first (26.3.1.1).
        /// </summary>
        public static ulong ApplyFixedBits(ulong value, ulong fixed0, ulong fixed1)
        {
            return (value | fixed0) & fixed1;
        }
    }
}
