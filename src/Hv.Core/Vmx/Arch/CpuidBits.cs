namespace Hv.Core.Vmx.Arch
{
    /// <summary>CPUID feature bits the hypervisor reads or edits (SDM Vol. 2A, CPUID, Tables 3-8 to 3-10).</summary>
    public static class CpuidBits
    {
        public const uint Leaf1EcxVmx = 1u << 5;
        public const uint Leaf1EcxSmx = 1u << 6;
        public const uint Leaf1EcxPcid = 1u << 17;
        public const uint Leaf1EcxX2Apic = 1u << 21;
        public const uint Leaf1EcxTscDeadline = 1u << 24;
        public const uint Leaf1EcxXsave = 1u << 26;
        /// <summary>Reflects CR4.OSXSAVE of whoever executes CPUID.</summary>
        public const uint Leaf1EcxOsXsave = 1u << 27;
        public const uint Leaf1EcxAvx = 1u << 28;
        public const uint Leaf1EcxRdrand = 1u << 30;
        /// <summary>Reserved for hypervisors to say they are there (Intel and AMD both leave it 0 on hardware).</summary>
        public const uint Leaf1EcxHypervisor = 1u << 31;

        public const uint Leaf1EdxApic = 1u << 9;
        public const uint Leaf1EdxMtrr = 1u << 12;

        public const uint Leaf7EbxFsgsbase = 1u << 0;
        public const uint Leaf7EbxTscAdjust = 1u << 1;
        public const uint Leaf7EbxSmep = 1u << 7;
        public const uint Leaf7EbxInvpcid = 1u << 10;
        public const uint Leaf7EbxSmap = 1u << 20;
        public const uint Leaf7EcxRdpid = 1u << 22;

        public const uint Extended1EdxRdtscp = 1u << 27;
        public const uint Extended7EdxInvariantTsc = 1u << 8;
    }
}
