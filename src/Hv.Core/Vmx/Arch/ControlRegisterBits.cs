namespace Hv.Core.Vmx.Arch
{
    /// <summary>
    /// Architectural bits of CR0, CR4, IA32_EFER and RFLAGS that the hypervisor sets in a guest's initial
    /// state or must force for VMX (SDM Vol. 3A §2.5, §2.2.1; EFER: §2.2.1 Table 2-1; RFLAGS: Vol. 1 §3.4.3).
    /// </summary>
    public static class ControlRegisterBits
    {
        public const ulong Cr0ProtectionEnable = 1UL << 0;
        /// <summary>Hard-wired to 1 on every processor since the 486; reset value keeps it set.</summary>
        public const ulong Cr0ExtensionType = 1UL << 4;
        public const ulong Cr0MonitorCoprocessor = 1UL << 1;
        public const ulong Cr0Emulation = 1UL << 2;
        public const ulong Cr0TaskSwitched = 1UL << 3;
        /// <summary>Numeric error: VMX requires it set (IA32_VMX_CR0_FIXED0); a guest may still believe it clear.</summary>
        public const ulong Cr0NumericError = 1UL << 5;
        public const ulong Cr0WriteProtect = 1UL << 16;
        public const ulong Cr0AlignmentMask = 1UL << 18;
        public const ulong Cr0NotWriteThrough = 1UL << 29;
        public const ulong Cr0CacheDisable = 1UL << 30;
        public const ulong Cr0Paging = 1UL << 31;

        public const ulong Cr4PhysicalAddressExtension = 1UL << 5;
        public const ulong Cr4MachineCheckEnable = 1UL << 6;
        public const ulong Cr4FsgsBase = 1UL << 16;
        public const ulong Cr4PcidEnable = 1UL << 17;
        public const ulong Cr4Smep = 1UL << 20;
        public const ulong Cr4Smap = 1UL << 21;
        /// <summary>Must stay 1 while in VMX operation (IA32_VMX_CR4_FIXED0, SDM 23.8).</summary>
        public const ulong Cr4VmxEnable = 1UL << 13;
        /// <summary>The OS supports XSAVE; CPUID.1:ECX.OSXSAVE mirrors it (SDM Vol. 3A §2.5).</summary>
        public const ulong Cr4OsXsave = 1UL << 18;

        /// <summary>XCR0 (SDM Vol. 1 13.3): x87 (must be 1), SSE, AVX (needs SSE).</summary>
        public const ulong Xcr0X87 = 1UL << 0;
        public const ulong Xcr0Sse = 1UL << 1;
        public const ulong Xcr0Avx = 1UL << 2;

        public const ulong EferSyscallEnable = 1UL << 0;

        public const ulong EferLongModeEnable = 1UL << 8;
        /// <summary>Long mode active; VM entry requires it to match the "IA-32e mode guest" control (26.3.1.1).</summary>
        public const ulong EferLongModeActive = 1UL << 10;
        public const ulong EferNoExecuteEnable = 1UL << 11;

        /// <summary>RFLAGS bit 1 is reserved and must be 1 (VM entry checks it, 26.3.1.4).</summary>
        public const ulong RflagsReserved1 = 1UL << 1;
        /// <summary>Maskable interrupts enabled (IF).</summary>
        public const ulong RflagsInterruptEnable = 1UL << 9;
    }
}
