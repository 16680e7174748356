using System;
using Hv.Core.Memory;

namespace Hv.Kernel.Memory
{
    // Host pages for guests and their EPT, from the physical allocator; memory is identity mapped.
    internal sealed unsafe class KernelPageSource : PageSource
    {
        private readonly PageAllocator _pages;

        public KernelPageSource(PageAllocator pages) { _pages = pages; }

        public override ulong AllocatePage()
        {
            ulong page = _pages.Allocate();
            if (page != 0)
            {
                ulong* p = (ulong*)page;
                for (int i = 0; i < 512; i++) p[i] = 0;
            }
            return page;
        }

        public override void FreePage(ulong physical) => _pages.Free(physical);

        public override Span<byte> Page(ulong physical) => new Span<byte>((void*)physical, 4096);
    }
}
