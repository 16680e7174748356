namespace Hv.Protocol.Wire
{
    /// <summary>Bits of a host's CPU features (HostInfo). Stable; only append.</summary>
    public static class CpuFeature
    {
        public const ulong Vmx = 1UL << 0;
        public const ulong Ept = 1UL << 1;
        public const ulong Vpid = 1UL << 2;
        public const ulong UnrestrictedGuest = 1UL << 3;
        public const ulong Svm = 1UL << 4;
        public const ulong Npt = 1UL << 5;
        public const ulong X2Apic = 1UL << 6;
        public const ulong InvariantTsc = 1UL << 7;
        public const ulong Rdrand = 1UL << 8;
        public const ulong Xsave = 1UL << 9;
        public const ulong OneGiBPages = 1UL << 10;
    }
}
