namespace Hv.Core.X86
{
    /// <summary>
    /// The kind of access a translation is for, in the bit positions of the page-fault error code (SDM Vol. 3A
    /// §4.7): W (bit 1), U/S (bit 2), I/D (bit 4). A plain supervisor data read is 0.
    /// </summary>
    public static class PageAccess
    {
        public const uint Read = 0;
        public const uint Present = 1u << 0;
        public const uint Write = 1u << 1;
        public const uint User = 1u << 2;
        public const uint ReservedBit = 1u << 3;
        public const uint Fetch = 1u << 4;
    }
}
