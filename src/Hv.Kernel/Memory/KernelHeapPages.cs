using Hv.Core.Memory;

namespace Hv.Kernel.Memory
{
    // The kernel heap's pages, from the physical page allocator (memory is identity mapped, so a physical address
    // is the pointer). Runs of more than one page must be physically contiguous.
    internal sealed unsafe class KernelHeapPages : Internal.Runtime.HeapPageProvider
    {
        private readonly PageAllocator _pages;

        public KernelHeapPages(PageAllocator pages) { _pages = pages; }

        public override byte* AllocatePages(int count)
        {
            return (byte*)(count == 1 ? _pages.Allocate() : _pages.AllocateContiguous(count, 1));
        }

        public override ulong AvailablePages => _pages.FreePages;

        public override void FreePages(byte* first, int count)
        {
            for (int i = 0; i < count; i++)
            {
                if (_pages.Free((ulong)first + (ulong)i * PageAllocator.PageSize) != PageFreeStatus.Ok)
                    Internal.Runtime.Panic.Fail("heap: gave back a page the page allocator had not lent");
            }
        }
    }
}
