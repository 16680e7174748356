namespace Hv.Core.Vmx.Arch
{
    /// <summary>
    /// The VM-entry interruption-information field (SDM Vol. 3C §24.8.3, Table 24-16): vector in bits 7:0, type in
    /// 10:8, deliver-error-code in bit 11, valid in bit 31; and the guest interruptibility state (§24.4.2, Table 24-3).
    /// </summary>
    public static class EntryInterruption
    {
        /// <summary>Type 3: a hardware exception.</summary>
        public const uint TypeHardwareException = 3u << 8;
        public const uint DeliverErrorCode = 1u << 11;
        public const uint Valid = 1u << 31;

        /// <summary>Interruptibility state: blocking by STI (bit 0) and by MOV SS (bit 1).</summary>
        public const ulong BlockingByStiOrMovSs = 0x3;
    }
}
