namespace Internal.Runtime
{
    // The kernel heap: a bump allocator over one region the kernel hands over at start-up.
    // There is no garbage collector, so code that runs repeatedly must reuse its buffers (PORTABLE.md).
    public static unsafe class Heap
    {
        private static byte* s_next;
        private static byte* s_end;
        private static ulong s_used;

        public static void Initialize(void* start, ulong size)
        {
            s_next = (byte*)start;
            s_end = (byte*)start + size;
        }

        public static ulong UsedBytes => s_used;
        public static ulong FreeBytes => (ulong)(s_end - s_next);

        public static void* Allocate(ulong size)
        {
            size = (size + 15) & ~15UL;
            if (s_next == null || size > (ulong)(s_end - s_next)) Panic.Fail("kernel heap exhausted");
            byte* p = s_next;
            s_next += size;
            s_used += size;
            ulong* q = (ulong*)p;
            for (ulong i = 0; i < size / 8; i++) q[i] = 0;
            return p;
        }
    }
}
