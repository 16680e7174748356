namespace Hv.Core.Vmx.Arch
{
    /// <summary>CPUID feature bits the hypervisor reads or edits (SDM Vol. 2A, CPUID, Table 3-10 "Feature Information in ECX").</summary>
    public static class CpuidBits
    {
        public const uint Leaf1EcxVmx = 1u << 5;
        public const uint Leaf1EcxSmx = 1u << 6;
        /// <summary>Reflects CR4.OSXSAVE of whoever executes CPUID.</summary>
        public const uint Leaf1EcxOsXsave = 1u << 27;
        public const uint Leaf1EcxRdrand = 1u << 30;
        /// <summary>Reserved for hypervisors to say they are there (Intel and AMD both leave it 0 on hardware).</summary>
        public const uint Leaf1EcxHypervisor = 1u << 31;
    }
}
