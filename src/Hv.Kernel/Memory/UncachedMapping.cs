using Hv.Core.Memory;
using Hv.Kernel.Platform;

namespace Hv.Kernel.Memory
{
    // Device registers must not be cached: boot/entry.asm identity-maps the first 4 GiB with write-back 2 MiB pages,
    // so the pages under a BAR get PCD|PWT, which with the power-on PAT selects UC (SDM Vol. 3A §11.12.3, Table 11-11).
    // A BAR above 4 GiB gets a new page directory (zeroed page from the allocator) for its 1 GiB slot; the identity
    // map stays within PML4 entry 0, i.e. below 512 GiB.
    internal static unsafe class UncachedMapping
    {
        private const ulong Present = 1, Writable = 1 << 1, WriteThrough = 1 << 3, CacheDisable = 1 << 4, LargePage = 1 << 7;
        private const ulong NoExecute = 1UL << 63;
        private const ulong AddressMask = 0x000FFFFFFFFFF000;
        private const ulong LargePageBytes = 2UL << 20;
        private const ulong MappableLimit = 512UL << 30;

        // False when the range cannot be mapped (past 512 GiB, or no page for a new directory).
        public static bool Map(ulong physical, ulong length, PageSource pages)
        {
            ulong end = physical + length;
            if (length == 0 || end < physical || end > MappableLimit) return false;
            ulong* pml4 = (ulong*)(Native.hv_read_cr3() & AddressMask);
            ulong* pdpt = (ulong*)(pml4[0] & AddressMask);
            for (ulong page = physical & ~(LargePageBytes - 1); page < end; page += LargePageBytes)
            {
                int slot = (int)(page >> 30);
                if ((pdpt[slot] & Present) == 0)
                {
                    ulong directory = pages.AllocatePage();
                    if (directory == 0) return false;
                    pdpt[slot] = directory | Present | Writable;
                }
                ulong* pd = (ulong*)(pdpt[slot] & AddressMask);
                pd[(page >> 21) & 511] = page | Present | Writable | LargePage | WriteThrough | CacheDisable | NoExecute;
                Native.hv_invlpg(page);
            }
            return true;
        }
    }
}
