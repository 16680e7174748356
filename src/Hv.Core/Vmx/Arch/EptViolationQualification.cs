namespace Hv.Core.Vmx.Arch
{
    /// <summary>
    /// The exit qualification of an EPT violation (SDM Vol. 3C §27.2.1, Table 27-7): the kind of access that caused
    /// it in bits 0 (data read), 1 (data write) and 2 (instruction fetch).
    /// </summary>
    public static class EptViolationQualification
    {
        public const ulong Read = 1UL << 0;
        public const ulong Write = 1UL << 1;
        public const ulong Fetch = 1UL << 2;
        public const ulong AccessMask = Read | Write | Fetch;
    }
}
