namespace Internal.Runtime
{
    // The kernel heap. Until the kernel's page allocator exists, a bump arena (the boot heap in the image's .bss)
    // serves the start-up objects, which live for good; from UsePages on, a SlabHeap (see there) serves every block
    // and takes them back with Free. There is no garbage collector: code that allocates per request or per VM frees
    // what it allocated, and code that runs per exit or per packet reuses its buffers (PORTABLE.md).
    public static unsafe class Heap
    {
        private static byte* s_bootStart;
        private static byte* s_bootNext;
        private static byte* s_bootEnd;
        // s_slabs is a reference-type static: it has a home only once Startup has run, so it is read only when set.
        private static bool s_pagesInUse;
        private static SlabHeap s_slabs;
        private static HeapPageProvider s_provider;

        public static void Initialize(void* bootArena, ulong size)
        {
            s_bootStart = (byte*)bootArena;
            s_bootNext = s_bootStart;
            s_bootEnd = s_bootStart + size;
        }

        // From now on blocks come from `pages`, all of which lie in [rangeStart, rangeEnd).
        public static void UsePages(HeapPageProvider pages, ulong rangeStart, ulong rangeEnd)
        {
            s_slabs = new SlabHeap(pages, rangeStart, rangeEnd);
            s_provider = pages;
            s_pagesInUse = true;
        }

        // Bytes of the start-up arena used (for good).
        public static ulong BootBytes => (ulong)(s_bootNext - s_bootStart);
        // Bytes handed out and not freed, start-up arena included.
        public static ulong UsedBytes => BootBytes + (s_pagesInUse ? s_slabs.BytesInUse : 0);
        // Blocks from pages handed out and not freed.
        public static ulong BlocksInUse => s_pagesInUse ? s_slabs.BlocksInUse : 0;
        // Pages the heap holds from the page allocator (blocks, slabs and its own metadata).
        public static ulong PagesHeld => s_pagesInUse ? s_slabs.PagesHeld : 0;

        // A zeroed, 16-byte aligned block; panics when memory is exhausted.
        public static void* Allocate(ulong size)
        {
            byte* p = s_pagesInUse ? s_slabs.Allocate(size) : AllocateBoot(size);
            if (p == null) Panic.Fail("kernel heap exhausted");
            return p;
        }

        // Gives back a block from Allocate. A pointer that is not the start of a live block panics, naming it.
        public static void Free(void* block)
        {
            if (block == null) return;
            RefuseBootBlock(block);
            Check(s_slabs.Free((byte*)block), block);
        }

        // Gives back an object or array (a string too) that kernel code owns; nothing may reference it any more.
        public static void Free(object o)
        {
            if (o == null) return;
            byte* block = *(byte**)&o;
            RefuseBootBlock(block);
            MethodTable* type = *(MethodTable**)block;
            ulong size = type->BaseSize;
            if (type->HasComponentSize) size += (ulong)type->ComponentSize * *(uint*)(block + 8);
            Check(s_slabs.Free(block, size), block);
        }

        // A zeroed byte[] of `length` for a size a client announced, or null when it does not fit now: the block (whole
        // pages, when large) may take at most half of the page allocator's free pages, and a run that long must exist.
        // The caller refuses the request instead of the host panicking (Allocate's "kernel heap exhausted").
        public static byte[] TryNewBytes(int length)
        {
            if (length < 0 || !s_pagesInUse) return null;
            byte[] model = new byte[0];
            MethodTable* type = *(MethodTable**)*(byte**)&model;
            Free(model);
            ulong size = type->BaseSize + (ulong)length;
            if (SlabHeap.BlockBytesFor(size) / SlabHeap.PageSize > s_provider.AvailablePages / 2) return null;
            byte* p = s_slabs.Allocate(size);
            if (p == null) return null;
            *(MethodTable**)p = type;
            *(int*)(p + 8) = length;
            return *(byte[]*)&p;
        }

        private static byte* AllocateBoot(ulong size)
        {
            size = (size + 15) & ~15UL;
            if (size > (ulong)(s_bootEnd - s_bootNext)) return null;
            byte* p = s_bootNext;
            s_bootNext += size;
            ulong* q = (ulong*)p;
            for (ulong i = 0; i < size / 8; i++) q[i] = 0;
            return p;
        }

        private static void RefuseBootBlock(void* block)
        {
            if (block >= s_bootStart && block < s_bootEnd) Fail("heap: free of a start-up block (they live for good) at ", block);
            if (!s_pagesInUse) Fail("heap: free before the page heap is up, at ", block);
        }

        private static void Check(HeapFreeStatus status, void* block)
        {
            if (status == HeapFreeStatus.NotHeapBlock) Fail("heap: free of a pointer that is no live heap block (foreign, or freed before) at ", block);
            else if (status == HeapFreeStatus.InsideBlock) Fail("heap: free of a pointer inside a heap block, not at its start, at ", block);
            else if (status == HeapFreeStatus.AlreadyFree) Fail("heap: double free of the block at ", block);
            else if (status == HeapFreeStatus.SizeMismatch) Fail("heap: free of an object whose size does not match its block at ", block);
        }

        // The message with the address in hex appended (the heap is intact when this runs: nothing was changed).
        private static void Fail(string message, void* address)
        {
            int length = message.Length + 18;
            char* text = stackalloc char[length];
            for (int i = 0; i < message.Length; i++) text[i] = message[i];
            text[message.Length] = '0';
            text[message.Length + 1] = 'x';
            ulong value = (ulong)address;
            for (int i = 0; i < 16; i++) text[length - 1 - i] = "0123456789abcdef"[(int)((value >> (4 * i)) & 15)];
            Panic.Fail(new string(text, length));
        }
    }
}
