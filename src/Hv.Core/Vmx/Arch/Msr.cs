namespace Hv.Core.Vmx.Arch
{
    /// <summary>Model-specific register numbers the hypervisor uses (SDM Vol. 4, Table 2-2 "IA-32 Architectural MSRs").</summary>
    public static class Msr
    {
        public const uint Ia32Tsc = 0x10;
        /// <summary>IA32_TSC_ADJUST (SDM Vol. 3B 18.17.3): the amount software added to the TSC.</summary>
        public const uint Ia32TscAdjust = 0x3B;
        public const uint Ia32ApicBase = 0x1B;
        public const uint Ia32FeatureControl = 0x3A;
        /// <summary>IA32_BIOS_SIGN_ID: the microcode revision in bits 63:32 after a CPUID (SDM Vol. 3A 10.11.7.1).</summary>
        public const uint Ia32BiosSignId = 0x8B;
        public const uint Ia32SysenterCs = 0x174;
        public const uint Ia32SysenterEsp = 0x175;
        public const uint Ia32SysenterEip = 0x176;
        public const uint Ia32Pat = 0x277;
        public const uint Ia32Efer = 0xC0000080;
        public const uint Ia32Star = 0xC0000081;
        public const uint Ia32Lstar = 0xC0000082;
        public const uint Ia32Cstar = 0xC0000083;
        public const uint Ia32Fmask = 0xC0000084;
        public const uint Ia32FsBase = 0xC0000100;
        public const uint Ia32GsBase = 0xC0000101;
        public const uint Ia32KernelGsBase = 0xC0000102;
        /// <summary>IA32_TSC_AUX: what RDTSCP and RDPID return in ECX (SDM Vol. 4 Table 2-2).</summary>
        public const uint Ia32TscAux = 0xC0000103;
        public const uint Ia32SpecCtrl = 0x48;
        public const uint Ia32MtrrCap = 0xFE;
        public const uint Ia32MiscEnable = 0x1A0;
        /// <summary>IA32_MTRR_PHYSBASE0..PHYSMASK9: base/mask pairs, 0x200-0x213 (SDM Vol. 3A 12.11.2.3).</summary>
        public const uint Ia32MtrrPhysBase0 = 0x200;
        public const uint Ia32MtrrFix64K = 0x250;
        public const uint Ia32MtrrFix16K80000 = 0x258;
        public const uint Ia32MtrrFix16KA0000 = 0x259;
        public const uint Ia32MtrrFix4KC0000 = 0x268;
        public const uint Ia32MtrrFix4KF8000 = 0x26F;
        public const uint Ia32MtrrDefType = 0x2FF;

        /// <summary>IA32_FEATURE_CONTROL: bit 0 locks it, bit 2 allows VMXON outside SMX (SDM Vol. 3C §23.7).</summary>
        public const ulong FeatureControlLock = 1UL << 0;
        public const ulong FeatureControlVmxOutsideSmx = 1UL << 2;
    }
}
