using System;

namespace Hv.Core.Memory
{
    /// <summary>
    /// Where host-physical 4 KiB pages come from for structures the core builds in memory (EPT tables,
    /// guest RAM). The kernel backs it with the physical page allocator and the identity map; tests back it
    /// with managed arrays. Kept to three members so both sides stay trivial.
    /// </summary>
    public abstract class PageSource
    {
        public const int PageSize = 4096;

        /// <summary>Allocates one zeroed 4 KiB page; returns its physical address, or 0 when none is left.</summary>
        public abstract ulong AllocatePage();

        /// <summary>Returns a page obtained from <see cref="AllocatePage"/>.</summary>
        public abstract void FreePage(ulong physical);

        /// <summary>A 4096-byte view of the page at <paramref name="physical"/> (must be page-aligned).</summary>
        public abstract Span<byte> Page(ulong physical);
    }
}
