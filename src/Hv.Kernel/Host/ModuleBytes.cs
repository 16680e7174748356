using System;
using Hv.Core.Boot;
using Hv.Core.Memory;

namespace Hv.Kernel.Host
{
    // A boot module's bytes where GRUB left them (BootMemory keeps them out of the page allocator for good): templates
    // boot from them with no copy, and guests map their whole pages read-only (AddressSpace.Place) instead of copies.
    internal sealed unsafe class ModuleBytes : ImageBytes
    {
        private readonly ulong _start;
        private readonly int _length;

        private ModuleBytes(ulong start, int length)
        {
            _start = start;
            _length = length;
        }

        /// <summary>The module's bytes, or null when its bounds are bad or it is larger than <paramref name="limit"/>.</summary>
        public static ModuleBytes Of(BootModule module, ulong limit)
        {
            if (module.End < module.Start || module.End - module.Start > limit) return null;
            return new ModuleBytes(module.Start, (int)(module.End - module.Start));
        }

        public override ReadOnlySpan<byte> Span => new ReadOnlySpan<byte>((void*)_start, _length);

        // GRUB page-aligns modules (Multiboot2 module alignment); an unaligned one is only ever copied.
        public override ulong PinnedAddress => (_start & 0xFFF) == 0 ? _start : 0;

        // The module's pages stay reserved; only this record goes.
        public override void Free() => Hv.Owned.Free(this);
    }
}
