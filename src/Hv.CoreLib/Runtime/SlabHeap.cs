namespace Internal.Runtime
{
    // The kernel heap's allocator. There is no garbage collector: what is allocated is freed explicitly.
    //
    // - Small blocks (up to 8 KiB) come in 32 size classes (HeapSizeClasses), carved from slabs of 1-8 pages. A slab
    //   with a free block is on its class's partial list; a slab whose blocks are all free goes back to the page
    //   provider unless it is its class's only slab (so one object made and dropped in a loop does not take and
    //   return pages every time).
    // - Bigger blocks are runs of whole pages from the provider and go back as pages when freed.
    // - Every block is 16-byte aligned and handed out zeroed, whole.
    // - The metadata lives apart from the blocks, so an overrun in a block cannot corrupt the heap itself: one
    //   64-byte span descriptor per slab or page block (descriptors are carved from pages kept for reuse), holding
    //   the slab's allocation bitmap, and a page map from each page of [rangeStart, rangeEnd) to the descriptor of
    //   the span that owns it: one page of 512 entries per 2 MiB region that holds heap pages, given back when the
    //   region holds none (the kernel's range is all of memory: a flat map would cost 2 KiB per MiB of it).
    // - Free finds the block through the page map and bitmap alone, never by reading the block, and refuses with a
    //   status anything that is not the start of a live block: a foreign pointer, a pointer inside a block, a double
    //   free. What plain pointers cannot show: a stale pointer to a block that was freed and handed out again.
    //
    // This file is compiled into the image and into .NET for tests (tests/Hv.Heap.Tests): it uses only raw pointers,
    // arrays of primitives and HeapPageProvider.
    public sealed unsafe class SlabHeap
    {
        public const int PageSize = 4096;
        private const int PageShift = 12;
        private const int RegionShift = 21;
        private const int MapEntries = 1 << (RegionShift - PageShift);
        private const byte PageBlock = 0xFF;
        private const int BitmapWords = HeapSizeClasses.MaxBlocksPerSlab / 64;

        // A slab or a page block: 64 bytes, 64 to a page.
        private struct Span
        {
            public byte* Start;
            public Span* Next;      // on its class's partial list, or on the list of unused descriptors
            public Span* Previous;
            public uint Pages;
            public byte SizeClass;  // PageBlock for a page block
            public ushort Live;     // blocks handed out
            public ulong Used0, Used1, Used2, Used3;  // bit i: block i is handed out, or lies past the slab's end
        }

        private readonly HeapPageProvider _provider;
        private readonly ulong _rangeStart;
        private readonly ulong _rangeEnd;
        private readonly ulong[] _regionMaps;   // per 2 MiB region: its map page (Span*[512]), or 0
        private readonly ushort[] _regionUse;   // per region: pages mapped
        private readonly ulong[] _partial;      // per class: first slab with a free block (Span*)
        private readonly uint[] _slabs;         // per class: slabs held
        private readonly byte[] _slabPages;     // per class
        private readonly ushort[] _slabBlocks;  // per class
        private Span* _unusedSpans;
        private ulong _bytesInUse;
        private ulong _blocksInUse;
        private ulong _pagesHeld;

        // Serves blocks from pages of `provider`, which must all lie in [rangeStart, rangeEnd) (a page outside it is
        // handed straight back and the allocation fails).
        public SlabHeap(HeapPageProvider provider, ulong rangeStart, ulong rangeEnd)
        {
            _provider = provider;
            _rangeStart = rangeStart & ~(ulong)(PageSize - 1);
            _rangeEnd = rangeEnd < _rangeStart ? _rangeStart : rangeEnd;
            int regions = (int)((_rangeEnd - _rangeStart + (1UL << RegionShift) - 1) >> RegionShift);
            _regionMaps = new ulong[regions];
            _regionUse = new ushort[regions];
            _partial = new ulong[HeapSizeClasses.Count];
            _slabs = new uint[HeapSizeClasses.Count];
            _slabPages = new byte[HeapSizeClasses.Count];
            _slabBlocks = new ushort[HeapSizeClasses.Count];
            for (int c = 0; c < HeapSizeClasses.Count; c++)
            {
                _slabPages[c] = (byte)HeapSizeClasses.SlabPages(c);
                _slabBlocks[c] = (ushort)HeapSizeClasses.BlocksPerSlab(c);
            }
        }

        // Bytes of the blocks handed out (whole blocks: class sizes, whole pages).
        public ulong BytesInUse => _bytesInUse;
        public ulong BlocksInUse => _blocksInUse;
        // Pages taken from the provider: slabs, page blocks and metadata.
        public ulong PagesHeld => _pagesHeld;

        // The bytes a block for `size` takes: its class's block size, or whole pages.
        public static ulong BlockBytesFor(ulong size)
        {
            if (size <= HeapSizeClasses.LargestBlock) return HeapSizeClasses.BlockSize(HeapSizeClasses.ClassOf(size));
            return (size + PageSize - 1) & ~(ulong)(PageSize - 1);
        }

        // A zeroed, 16-byte aligned block of at least `size` bytes, or null when the provider has no pages left.
        public byte* Allocate(ulong size)
        {
            if (size <= HeapSizeClasses.LargestBlock) return AllocateSmall(HeapSizeClasses.ClassOf(size));
            if (size > _rangeEnd - _rangeStart) return null;
            Span* span = NewSpan((size + PageSize - 1) >> PageShift);
            if (span == null) return null;
            span->SizeClass = PageBlock;
            ulong bytes = (ulong)span->Pages * PageSize;
            _bytesInUse += bytes;
            _blocksInUse++;
            Zero(span->Start, bytes);
            return span->Start;
        }

        // Gives a block back. Null is ignored, as C's free does.
        public HeapFreeStatus Free(byte* block) => Free(block, 0UL, false);

        // Gives back a block that was allocated for `size` bytes (an object knows its size): refuses a live block of
        // another size too, which catches some stale pointers to blocks handed out again.
        public HeapFreeStatus Free(byte* block, ulong size) => Free(block, BlockBytesFor(size), true);

        private HeapFreeStatus Free(byte* block, ulong blockBytes, bool checkSize)
        {
            if (block == null) return HeapFreeStatus.Ok;
            Span* span = SpanAt((ulong)block);
            ulong index;
            HeapFreeStatus status = Check(span, block, out index);
            if (status == HeapFreeStatus.Ok && checkSize && BlockBytes(span) != blockBytes) status = HeapFreeStatus.SizeMismatch;
            if (status == HeapFreeStatus.Ok) Release(span, index);
            return status;
        }

        private byte* AllocateSmall(int sizeClass)
        {
            Span* slab = (Span*)_partial[sizeClass];
            if (slab == null)
            {
                slab = NewSlab(sizeClass);
                if (slab == null) return null;
            }
            int index = TakeFreeBit(&slab->Used0);
            slab->Live++;
            if (slab->Live == _slabBlocks[sizeClass]) Unlink(slab);
            uint size = HeapSizeClasses.BlockSize(sizeClass);
            _bytesInUse += size;
            _blocksInUse++;
            byte* block = slab->Start + (ulong)index * size;
            Zero(block, size);
            return block;
        }

        private Span* NewSlab(int sizeClass)
        {
            Span* slab = NewSpan(_slabPages[sizeClass]);
            if (slab == null) return null;
            slab->SizeClass = (byte)sizeClass;
            // Bits past the last block stay set, so the search for a free bit never returns them.
            int blocks = _slabBlocks[sizeClass];
            ulong* used = &slab->Used0;
            for (int w = 0; w < BitmapWords; w++)
            {
                int inWord = blocks - w * 64;
                used[w] = inWord >= 64 ? 0 : inWord <= 0 ? ulong.MaxValue : ulong.MaxValue << inWord;
            }
            _slabs[sizeClass]++;
            Push(slab);
            return slab;
        }

        // The lowest clear bit of a bitmap that has one, set.
        private static int TakeFreeBit(ulong* used)
        {
            int word = 0;
            while (used[word] == ulong.MaxValue) word++;
            ulong bits = used[word];
            ulong lowest = ~bits & (bits + 1);
            used[word] = bits | lowest;
            return word * 64 + BitIndex(lowest);
        }

        private static int BitIndex(ulong single)
        {
            int index = 0;
            if ((single & 0xFFFFFFFF) == 0) { index += 32; single >>= 32; }
            if ((single & 0xFFFF) == 0) { index += 16; single >>= 16; }
            if ((single & 0xFF) == 0) { index += 8; single >>= 8; }
            if ((single & 0xF) == 0) { index += 4; single >>= 4; }
            if ((single & 0x3) == 0) { index += 2; single >>= 2; }
            if ((single & 0x1) == 0) index += 1;
            return index;
        }

        // Whether `block` starts a live block of `span`, and which block of a slab it is.
        private HeapFreeStatus Check(Span* span, byte* block, out ulong index)
        {
            index = 0;
            if (span == null) return HeapFreeStatus.NotHeapBlock;
            if (span->SizeClass == PageBlock) return block == span->Start ? HeapFreeStatus.Ok : HeapFreeStatus.InsideBlock;
            ulong size = HeapSizeClasses.BlockSize(span->SizeClass);
            ulong offset = (ulong)(block - span->Start);
            index = offset / size;
            if (index >= _slabBlocks[span->SizeClass]) return HeapFreeStatus.NotHeapBlock; // the slab's tail
            if (index * size != offset) return HeapFreeStatus.InsideBlock;
            ulong* used = &span->Used0;
            return (used[index >> 6] & (1UL << (int)(index & 63))) == 0 ? HeapFreeStatus.AlreadyFree : HeapFreeStatus.Ok;
        }

        private static ulong BlockBytes(Span* span)
        {
            return span->SizeClass == PageBlock ? (ulong)span->Pages * PageSize : HeapSizeClasses.BlockSize(span->SizeClass);
        }

        private void Release(Span* span, ulong index)
        {
            _bytesInUse -= BlockBytes(span);
            _blocksInUse--;
            if (span->SizeClass == PageBlock)
            {
                FreeSpan(span);
                return;
            }
            int sizeClass = span->SizeClass;
            (&span->Used0)[index >> 6] &= ~(1UL << (int)(index & 63));
            bool wasFull = span->Live == _slabBlocks[sizeClass];
            span->Live--;
            if (span->Live == 0 && _slabs[sizeClass] > 1)
            {
                if (!wasFull) Unlink(span);
                _slabs[sizeClass]--;
                FreeSpan(span);
            }
            else if (wasFull)
            {
                Push(span);
            }
        }

        private void Push(Span* slab)
        {
            Span* head = (Span*)_partial[slab->SizeClass];
            slab->Next = head;
            slab->Previous = null;
            if (head != null) head->Previous = slab;
            _partial[slab->SizeClass] = (ulong)slab;
        }

        private void Unlink(Span* slab)
        {
            if (slab->Previous != null) slab->Previous->Next = slab->Next;
            else _partial[slab->SizeClass] = (ulong)slab->Next;
            if (slab->Next != null) slab->Next->Previous = slab->Previous;
            slab->Next = null;
            slab->Previous = null;
        }

        // A descriptor for `pages` fresh pages, mapped; null when the provider (or the range) has none.
        private Span* NewSpan(ulong pages)
        {
            if (pages > int.MaxValue) return null;
            Span* span = TakeDescriptor();
            if (span == null) return null;
            byte* start = _provider.AllocatePages((int)pages);
            if (start == null)
            {
                ReturnDescriptor(span);
                return null;
            }
            span->Start = start;
            span->Pages = (uint)pages;
            ulong first = (ulong)start;
            bool inRange = (first & (PageSize - 1)) == 0 && first >= _rangeStart && first < _rangeEnd &&
                           _rangeEnd - first >= pages * PageSize;
            if (!inRange || !Map(span))
            {
                _provider.FreePages(start, (int)pages);
                ReturnDescriptor(span);
                return null;
            }
            _pagesHeld += pages;
            return span;
        }

        private void FreeSpan(Span* span)
        {
            Unmap(span, span->Pages);
            _provider.FreePages(span->Start, (int)span->Pages);
            _pagesHeld -= span->Pages;
            ReturnDescriptor(span);
        }

        private Span* SpanAt(ulong address)
        {
            if (address < _rangeStart || address >= _rangeEnd) return null;
            ulong offset = address - _rangeStart;
            Span** map = (Span**)_regionMaps[(int)(offset >> RegionShift)];
            return map == null ? null : map[(offset >> PageShift) & (MapEntries - 1)];
        }

        // Points every page of the span at it, taking a map page for each region that has none yet.
        private bool Map(Span* span)
        {
            for (uint i = 0; i < span->Pages; i++)
            {
                ulong offset = (ulong)span->Start + (ulong)i * PageSize - _rangeStart;
                int region = (int)(offset >> RegionShift);
                if (_regionMaps[region] == 0)
                {
                    byte* page = _provider.AllocatePages(1);
                    if (page == null)
                    {
                        Unmap(span, i);
                        return false;
                    }
                    Zero(page, PageSize);
                    _regionMaps[region] = (ulong)page;
                    _pagesHeld++;
                }
                ((Span**)_regionMaps[region])[(offset >> PageShift) & (MapEntries - 1)] = span;
                _regionUse[region]++;
            }
            return true;
        }

        // Clears the map entries of the span's first `pages` pages, giving back map pages left empty.
        private void Unmap(Span* span, uint pages)
        {
            for (uint i = 0; i < pages; i++)
            {
                ulong offset = (ulong)span->Start + (ulong)i * PageSize - _rangeStart;
                int region = (int)(offset >> RegionShift);
                ((Span**)_regionMaps[region])[(offset >> PageShift) & (MapEntries - 1)] = null;
                _regionUse[region]--;
                if (_regionUse[region] == 0)
                {
                    _provider.FreePages((byte*)_regionMaps[region], 1);
                    _regionMaps[region] = 0;
                    _pagesHeld--;
                }
            }
        }

        private Span* TakeDescriptor()
        {
            if (_unusedSpans == null)
            {
                Span* page = (Span*)_provider.AllocatePages(1);
                if (page == null) return null;
                _pagesHeld++;
                for (int i = 0; i < PageSize / sizeof(Span); i++) ReturnDescriptor(page + i);
            }
            Span* span = _unusedSpans;
            _unusedSpans = span->Next;
            Zero((byte*)span, (ulong)sizeof(Span));
            return span;
        }

        private void ReturnDescriptor(Span* span)
        {
            Zero((byte*)span, (ulong)sizeof(Span));
            span->Next = _unusedSpans;
            _unusedSpans = span;
        }

        // `bytes` is a multiple of 16, as every block, descriptor and page is.
        private static void Zero(byte* start, ulong bytes)
        {
            ulong* p = (ulong*)start;
            ulong* end = (ulong*)(start + bytes);
            for (; p < end; p += 2)
            {
                p[0] = 0;
                p[1] = 0;
            }
        }
    }
}
