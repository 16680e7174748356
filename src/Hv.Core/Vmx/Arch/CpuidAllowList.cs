namespace Hv.Core.Vmx.Arch
{
    /// <summary>
    /// The CPUID feature bits a guest may see, when the host has them (SDM Vol. 2A CPUID, Tables 3-8 to 3-10): every
    /// bit here works inside Hv as on hardware. <see cref="CpuidPolicy"/> says what is left out and why.
    /// </summary>
    public static class CpuidAllowList
    {
        /// <summary>SSE3, PCLMULQDQ, SSSE3, FMA, CMPXCHG16B, PCID, SSE4.1, SSE4.2, MOVBE, POPCNT, AES, XSAVE, AVX, F16C, RDRAND.</summary>
        public const uint Leaf1Ecx = (1u << 0) | (1u << 1) | (1u << 9) | (1u << 12) | (1u << 13) | (1u << 17) | (1u << 19)
                                   | (1u << 20) | (1u << 22) | (1u << 23) | (1u << 25) | (1u << 26) | (1u << 28) | (1u << 29) | (1u << 30);

        /// <summary>
        /// FPU, VME, DE, PSE, TSC, MSR, PAE, CX8, SEP, MTRR (emulated per vCPU, GuestMtrrs), PGE, CMOV, PAT, PSE-36, CLFSH,
        /// MMX, FXSR, SSE, SSE2, SS, HTT.
        /// </summary>
        public const uint Leaf1Edx = (1u << 0) | (1u << 1) | (1u << 2) | (1u << 3) | (1u << 4) | (1u << 5) | (1u << 6) | (1u << 8)
                                   | (1u << 11) | (1u << 12) | (1u << 13) | (1u << 15) | (1u << 16) | (1u << 17) | (1u << 19)
                                   | (1u << 23) | (1u << 24) | (1u << 25) | (1u << 26) | (1u << 27) | (1u << 28);

        /// <summary>A PC VM's (one with a platform) too: x2APIC and the TSC-deadline timer, its local APIC model's.</summary>
        public const uint PcLeaf1Ecx = CpuidBits.Leaf1EcxX2Apic | CpuidBits.Leaf1EcxTscDeadline;

        /// <summary>A PC VM's too: APIC (the platform's local APIC at 0xFEE00000).</summary>
        public const uint PcLeaf1Edx = CpuidBits.Leaf1EdxApic;

        /// <summary>ARAT only.</summary>
        public const uint Leaf6Eax = 1u << 2;

        /// <summary>FSGSBASE, TSC_ADJUST (emulated whatever the host has: MsrPolicy), BMI1, HLE, AVX2, FDP_EXCPTN_ONLY, SMEP, BMI2, ERMS, RTM, FPU CS/DS deprecation, RDSEED, ADX, SMAP, CLFLUSHOPT, CLWB, SHA.</summary>
        public const uint Leaf7Ebx = (1u << 0) | (1u << 1) | (1u << 3) | (1u << 4) | (1u << 5) | (1u << 6) | (1u << 7) | (1u << 8) | (1u << 9)
                                   | (1u << 11) | (1u << 13) | (1u << 18) | (1u << 19) | (1u << 20) | (1u << 23) | (1u << 24) | (1u << 29);

        /// <summary>GFNI, VAES, VPCLMULQDQ, RDPID (reads IA32_TSC_AUX, which is per VM).</summary>
        public const uint Leaf7Ecx = (1u << 8) | (1u << 9) | (1u << 10) | (1u << 22);

        /// <summary>LAHF/SAHF in 64-bit mode, LZCNT, PREFETCHW.</summary>
        public const uint Extended1Ecx = (1u << 0) | (1u << 5) | (1u << 8);

        /// <summary>SYSCALL, NX, 1-GiB pages, RDTSCP, long mode.</summary>
        public const uint Extended1Edx = (1u << 11) | (1u << 20) | (1u << 26) | (1u << 27) | (1u << 29);

        /// <summary>XSAVE components: x87, SSE, AVX.</summary>
        public const ulong Xcr0 = ControlRegisterBits.Xcr0X87 | ControlRegisterBits.Xcr0Sse | ControlRegisterBits.Xcr0Avx;

        /// <summary>Leaf 0xD subleaf 1: XSAVEOPT, XSAVEC, XGETBV with ECX = 1 (not XSAVES: no IA32_XSS).</summary>
        public const uint XsaveFeatures = (1u << 0) | (1u << 1) | (1u << 2);

        /// <summary>CR4 bits of every x86-64 CPU: VME, PVI, TSD, DE, PSE, PAE, PGE, PCE, OSFXSR, OSXMMEXCPT.</summary>
        public const ulong Cr4Always = 0x7FF & ~(1UL << 6);
    }
}
