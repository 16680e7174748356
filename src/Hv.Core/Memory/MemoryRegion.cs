namespace Hv.Core.Memory
{
    /// <summary>One firmware memory-map entry, exactly as reported (not yet aligned or validated).</summary>
    public struct MemoryRegion
    {
        public ulong Base;
        public ulong Length;
        public MemoryRegionType Type;

        public MemoryRegion(ulong baseAddress, ulong length, MemoryRegionType type)
        {
            Base = baseAddress;
            Length = length;
            Type = type;
        }
    }
}
