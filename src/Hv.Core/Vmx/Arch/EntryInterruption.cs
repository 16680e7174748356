namespace Hv.Core.Vmx.Arch
{
    /// <summary>
    /// The VM-entry interruption-information field (SDM Vol. 3C §24.8.3, Table 24-16): vector in bits 7:0, type in
    /// 10:8, deliver-error-code in bit 11, valid in bit 31; and the guest interruptibility state (§24.4.2, Table 24-3).
    /// </summary>
    public static class EntryInterruption
    {
        /// <summary>Type 0: an external interrupt.</summary>
        public const uint TypeExternalInterrupt = 0u << 8;
        /// <summary>Type 2: an NMI.</summary>
        public const uint TypeNmi = 2u << 8;
        /// <summary>Type 3: a hardware exception.</summary>
        public const uint TypeHardwareException = 3u << 8;
        /// <summary>Types 4-6 (software interrupt, privileged software exception, software exception) need the instruction length on entry.</summary>
        public const uint TypeSoftwareInterrupt = 4u << 8;
        public const uint TypeSoftwareException = 6u << 8;
        public const uint TypeMask = 7u << 8;
        /// <summary>IDT-vectoring information bit 12: the exit came from an IRET that unblocked NMIs; not an entry field bit.</summary>
        public const uint NmiUnblockingByIret = 1u << 12;
        public const uint DeliverErrorCode = 1u << 11;
        public const uint Valid = 1u << 31;

        /// <summary>Interruptibility state: blocking by STI (bit 0) and by MOV SS (bit 1).</summary>
        public const ulong BlockingByStiOrMovSs = 0x3;
        /// <summary>Interruptibility state bit 3: blocking by NMI (an NMI handler has not IRETed yet).</summary>
        public const ulong BlockingByNmi = 0x8;
    }
}
