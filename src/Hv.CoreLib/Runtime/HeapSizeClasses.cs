namespace Internal.Runtime
{
    // The heap's block sizes: multiples of 16 up to 128 bytes, then four steps between powers of two up to 8 KiB
    // (160, 192, 224, 256, 320, ...), so above 128 bytes rounding up loses less than a fifth of a block. Bigger
    // requests are whole pages.
    // Each class carves blocks from slabs of 1 to 8 pages holding at most 256 blocks (one 256-bit map per slab).
    public static class HeapSizeClasses
    {
        public const int Count = 32;
        public const ulong LargestBlock = 8192;
        public const int MaxBlocksPerSlab = 256;
        public const int MaxSlabPages = 8;
        private const int PageSize = 4096;
        private const int LinearClasses = 8;   // 16 .. 128
        private const int StepsPerDoubling = 4;

        // The class whose blocks hold `size` bytes (size <= LargestBlock; 0 is served like 1).
        public static int ClassOf(ulong size)
        {
            if (size <= 128) return size == 0 ? 0 : (int)((size - 1) >> 4);
            int k = 7; // 2^k < size <= 2^(k+1)
            while (((size - 1) >> (k + 1)) != 0) k++;
            return LinearClasses + (k - 7) * StepsPerDoubling + (int)((size - (1UL << k) - 1) >> (k - 2));
        }

        public static uint BlockSize(int sizeClass)
        {
            if (sizeClass < LinearClasses) return (uint)(sizeClass + 1) * 16;
            int k = 7 + (sizeClass - LinearClasses) / StepsPerDoubling;
            uint step = (uint)((sizeClass - LinearClasses) % StepsPerDoubling + 1);
            return (1u << k) + (step << (k - 2));
        }

        // The fewest pages whose slab loses at most 1/16 of its bytes after its last block (every class finds one
        // within MaxSlabPages; the tests check it).
        public static int SlabPages(int sizeClass)
        {
            uint size = BlockSize(sizeClass);
            for (int pages = 1; pages < MaxSlabPages; pages++)
            {
                uint bytes = (uint)pages * PageSize;
                if (bytes >= size && (bytes - (uint)Capacity(bytes, size) * size) * 16 <= bytes) return pages;
            }
            return MaxSlabPages;
        }

        public static int BlocksPerSlab(int sizeClass) => Capacity((uint)SlabPages(sizeClass) * PageSize, BlockSize(sizeClass));

        private static int Capacity(uint bytes, uint size)
        {
            uint blocks = bytes / size;
            return blocks > MaxBlocksPerSlab ? MaxBlocksPerSlab : (int)blocks;
        }
    }
}
