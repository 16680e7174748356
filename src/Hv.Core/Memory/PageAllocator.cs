namespace Hv.Core.Memory
{
    /// <summary>
    /// Bookkeeping for physical 4 KiB pages: one bit per page over [0, highest usable address), set when the
    /// page is allocated or not usable at all. It only hands out addresses; zeroing and mapping them is the
    /// caller's business. The bitmap is allocated once here; allocation and free never allocate.
    /// </summary>
    public sealed class PageAllocator
    {
        public const ulong PageSize = 4096;
        private const int BitsPerWord = 64;

        private readonly MemoryMap _map;
        private readonly ulong[] _used;
        private readonly ulong _pageCount;
        private readonly ulong _totalPages;
        private ulong _freePages;
        // Index of the first bitmap word that may contain a free page; every word before it is full.
        private int _searchHint;

        public PageAllocator(MemoryMap map)
        {
            _map = map;
            _pageCount = map.HighestUsableEnd / PageSize;
            _used = new ulong[(int)((_pageCount + BitsPerWord - 1) / BitsPerWord)];
            for (int i = 0; i < _used.Length; i++)
            {
                _used[i] = ulong.MaxValue;
            }
            for (int r = 0; r < map.Count; r++)
            {
                PhysicalRange range = map[r];
                for (ulong page = range.Start / PageSize; page < range.End / PageSize; page++)
                {
                    _used[(int)(page / BitsPerWord)] &= ~(1UL << (int)(page % BitsPerWord));
                }
                _totalPages += range.Length / PageSize;
            }
            _freePages = _totalPages;
        }

        /// <summary>Usable pages in the map (allocated or not).</summary>
        public ulong TotalPages { get { return _totalPages; } }
        public ulong FreePages { get { return _freePages; } }

        /// <summary>Allocates one page; returns its physical address, or 0 when memory is exhausted.</summary>
        public ulong Allocate()
        {
            for (int word = _searchHint; word < _used.Length; word++)
            {
                ulong bits = _used[word];
                if (bits != ulong.MaxValue)
                {
                    int bit = LowestClearBit(bits);
                    _used[word] = bits | (1UL << bit);
                    _freePages--;
                    _searchHint = word;
                    return ((ulong)word * BitsPerWord + (ulong)bit) * PageSize;
                }
            }
            _searchHint = _used.Length;
            return 0;
        }

        /// <summary>
        /// Allocates <paramref name="pageCount"/> physically contiguous pages whose first page address is a
        /// multiple of <paramref name="alignmentPages"/> pages (a power of two). Returns 0 when no such run
        /// exists or the arguments are invalid.
        /// </summary>
        public ulong AllocateContiguous(int pageCount, int alignmentPages)
        {
            if (pageCount <= 0 || alignmentPages <= 0 || (alignmentPages & (alignmentPages - 1)) != 0)
            {
                return 0;
            }
            ulong count = (ulong)pageCount;
            ulong alignment = (ulong)alignmentPages;
            ulong candidate = AlignUp((ulong)_searchHint * BitsPerWord, alignment);
            while (candidate + count <= _pageCount)
            {
                // A run cannot start among used pages: the rest of a word that is used to its end is passed in one step.
                // Without this, one free page below a large allocated region (a VM's written disk: 65,536 pages for
                // 256 MiB) made every multi-page heap block walk that region a page at a time.
                int word = (int)(candidate / BitsPerWord);
                int bit = (int)(candidate % BitsPerWord);
                if ((_used[word] >> bit) == (ulong.MaxValue >> bit))
                {
                    candidate = AlignUp((ulong)(word + 1) * BitsPerWord, alignment);
                    continue;
                }
                ulong firstUsed = FirstUsedPage(candidate, count);
                if (firstUsed == ulong.MaxValue)
                {
                    for (ulong page = candidate; page < candidate + count; page++)
                    {
                        SetUsed(page);
                    }
                    _freePages -= count;
                    return candidate * PageSize;
                }
                candidate = AlignUp(firstUsed + 1, alignment);
            }
            return 0;
        }

        /// <summary>Returns one page. Refusals leave the allocator unchanged.</summary>
        public PageFreeStatus Free(ulong address)
        {
            if ((address & (PageSize - 1)) != 0)
            {
                return PageFreeStatus.Unaligned;
            }
            ulong page = address / PageSize;
            if (page >= _pageCount)
            {
                return PageFreeStatus.OutOfRange;
            }
            if (!_map.IsUsable(address))
            {
                return PageFreeStatus.Reserved;
            }
            int word = (int)(page / BitsPerWord);
            ulong mask = 1UL << (int)(page % BitsPerWord);
            if ((_used[word] & mask) == 0)
            {
                return PageFreeStatus.DoubleFree;
            }
            _used[word] &= ~mask;
            _freePages++;
            if (word < _searchHint)
            {
                _searchHint = word;
            }
            return PageFreeStatus.Ok;
        }

        /// <summary>True when the page at <paramref name="address"/> is usable and currently allocated.</summary>
        public bool IsAllocated(ulong address)
        {
            ulong page = address / PageSize;
            return page < _pageCount && _map.IsUsable(address) && IsUsed(page);
        }

        private bool IsUsed(ulong page)
        {
            return (_used[(int)(page / BitsPerWord)] & (1UL << (int)(page % BitsPerWord))) != 0;
        }

        private void SetUsed(ulong page)
        {
            _used[(int)(page / BitsPerWord)] |= 1UL << (int)(page % BitsPerWord);
        }

        /// <summary>First used page in [first, first + count), or ulong.MaxValue when all are free.</summary>
        private ulong FirstUsedPage(ulong first, ulong count)
        {
            for (ulong page = first; page < first + count; page++)
            {
                if (IsUsed(page))
                {
                    return page;
                }
            }
            return ulong.MaxValue;
        }

        private static ulong AlignUp(ulong value, ulong alignment)
        {
            return (value + alignment - 1) & ~(alignment - 1);
        }

        private static int LowestClearBit(ulong bits)
        {
            int bit = 0;
            while ((bits & 1) != 0)
            {
                bits >>= 1;
                bit++;
            }
            return bit;
        }
    }
}
