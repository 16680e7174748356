namespace Internal.Runtime
{
    // Where the heap gets whole 4 KiB pages: the kernel's page allocator in the image (Hv.CoreLib cannot reference
    // Hv.Core, so the kernel hands one over at start-up), a fake in tests. An abstract class rather than an interface
    // or a delegate, which the image does not support.
    public abstract unsafe class HeapPageProvider
    {
        // `count` contiguous, 4 KiB-aligned pages (contents unspecified), or null when there are none.
        public abstract byte* AllocatePages(int count);

        // Pages the provider could still hand out (bounds the buffers a client may make the heap allocate).
        public abstract ulong AvailablePages { get; }

        // Gives back exactly a run that AllocatePages returned.
        public abstract void FreePages(byte* first, int count);
    }
}
