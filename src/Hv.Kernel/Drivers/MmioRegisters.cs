using Hv.Core.Drivers;

namespace Hv.Kernel.Drivers
{
    // A device's registers in memory space, reached through the identity map (made uncached by UncachedMapping).
    // Each access is volatile (a volatile field read through a pointer), so the compiler neither drops, merges nor
    // reorders it with other memory accesses; uncached memory keeps the CPU from doing so.
    internal sealed unsafe class MmioRegisters : DeviceRegisters
    {
        private struct Register32 { public volatile uint Value; }
        private struct Register16 { public volatile ushort Value; }
        private struct Register8 { public volatile byte Value; }

        private readonly ulong _base;
        private readonly int _length;

        public MmioRegisters(ulong physicalBase, int length)
        {
            _base = physicalBase;
            _length = length;
        }

        public override int Length => _length;

        public override uint Read32(int offset) => Contains(offset, 4) ? ((Register32*)(_base + (ulong)offset))->Value : 0xFFFFFFFF;

        public override void Write32(int offset, uint value)
        {
            if (Contains(offset, 4)) ((Register32*)(_base + (ulong)offset))->Value = value;
        }

        public override ushort Read16(int offset) => Contains(offset, 2) ? ((Register16*)(_base + (ulong)offset))->Value : (ushort)0xFFFF;

        public override void Write16(int offset, ushort value)
        {
            if (Contains(offset, 2)) ((Register16*)(_base + (ulong)offset))->Value = value;
        }

        public override byte Read8(int offset) => Contains(offset, 1) ? ((Register8*)(_base + (ulong)offset))->Value : (byte)0xFF;

        public override void Write8(int offset, byte value)
        {
            if (Contains(offset, 1)) ((Register8*)(_base + (ulong)offset))->Value = value;
        }
    }
}
