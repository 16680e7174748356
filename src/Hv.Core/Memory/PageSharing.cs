using System;

namespace Hv.Core.Memory
{
    /// <summary>
    /// Reference counts for host pages that several guest address spaces may share (EPT tables and guest
    /// data pages, see <see cref="AddressSpace"/>). A page taken with <see cref="Allocate"/> starts at 1;
    /// <see cref="Share"/> adds a user, <see cref="Release"/> drops one and gives the page back to the
    /// <see cref="PageSource"/> when the last user goes.
    ///
    /// The counts live in one array indexed by page number inside a physical window [base, limit) fixed at
    /// construction (the kernel passes its usable range, tests the fake source's range), 4 bytes per page, so
    /// no operation allocates. A page outside the window cannot be counted: <see cref="Allocate"/> hands such a
    /// page straight back and reports out-of-memory. Counts are 32-bit and saturate: a page that ever reaches
    /// <see cref="Pinned"/> users stays allocated for good (a leak, never a use-after-free). Reaching it would
    /// take 2^32 entries, i.e. 32 GiB of tables, so it is a guard, not a case.
    /// </summary>
    public sealed class PageSharing
    {
        private const int PageShift = 12;
        private const ulong PageMask = PageSource.PageSize - 1;
        /// <summary>The saturated count: such a page is never freed.</summary>
        public const uint Pinned = uint.MaxValue;

        private readonly PageSource _pages;
        private readonly ulong _base;
        private readonly ulong _limit;
        private readonly uint[] _counts;
        private ulong _live;
        private ulong _zeroPage;
        private ulong _zeroTable;

        /// <summary>
        /// Counts for the pages of <paramref name="pages"/> inside [<paramref name="windowBase"/>,
        /// <paramref name="windowLimit"/>) (both rounded to whole pages; the array is allocated here, once).
        /// </summary>
        public PageSharing(PageSource pages, ulong windowBase, ulong windowLimit)
        {
            _pages = pages;
            _base = windowBase & ~PageMask;
            _limit = windowLimit < _base ? _base : (windowLimit & ~PageMask);
            _counts = new uint[(int)((_limit - _base) >> PageShift)];
        }

        public PageSource Pages { get { return _pages; } }

        /// <summary>Pages with a count of at least 1 (allocated here and not yet freed).</summary>
        public ulong LivePages { get { return _live; } }

        /// <summary>Pages used by more than one owner (copy-on-write sharing saves the others). A scan: O(window).</summary>
        public ulong CountSharedPages()
        {
            ulong shared = 0;
            for (int i = 0; i < _counts.Length; i++) if (_counts[i] > 1) shared++;
            return shared;
        }

        /// <summary>A zeroed page with count 1, or 0 when the source is exhausted (or gave a page outside the window).</summary>
        public ulong Allocate()
        {
            ulong page = _pages.AllocatePage();
            if (page == 0)
            {
                return 0;
            }
            if (!InWindow(page) || _counts[Slot(page)] != 0)
            {
                // Outside the window we cannot count it; a nonzero count means the source handed out a page
                // that is still in use. Either way refusing is the only safe answer.
                if (!InWindow(page))
                {
                    _pages.FreePage(page);
                }
                return 0;
            }
            _counts[Slot(page)] = 1;
            _live++;
            return page;
        }

        /// <summary>
        /// Makes <paramref name="page"/> shared for good (count <see cref="Pinned"/>: never written by a guest, never
        /// freed): a page allocated here (count 1), or a page inside the window the source never hands out, such as a
        /// boot module's (count 0; it is not counted as live). False when the page is outside the window or already
        /// has other users.
        /// </summary>
        public bool Pin(ulong page)
        {
            if (!InWindow(page))
            {
                return false;
            }
            uint count = _counts[Slot(page)];
            if (count > 1 && count != Pinned)
            {
                return false;
            }
            _counts[Slot(page)] = Pinned;
            return true;
        }

        /// <summary>
        /// The pinned zero page every never-written guest page maps read-only, and a pinned page table whose 512 entries
        /// map it (a whole never-written 2 MiB): made on first use, shared by every space of this pool (see
        /// <see cref="AddressSpace.Create"/>). False when no page is left.
        /// </summary>
        public bool ZeroPages(out ulong page, out ulong table)
        {
            if (_zeroTable == 0)
            {
                ulong zero = Allocate();
                ulong mapping = zero == 0 ? 0 : Allocate();
                if (mapping == 0)
                {
                    if (zero != 0) Release(zero);
                    page = table = 0;
                    return false;
                }
                Span<byte> entries = _pages.Page(mapping);
                ulong leaf = EptEntry.Leaf(zero, EptPermissions.ReadExecute, EptMemoryType.WriteBack, false);
                for (int i = 0; i < 512; i++) LittleEndian.WriteUInt64(entries, i * 8, leaf);
                Pin(zero);
                Pin(mapping);
                _zeroPage = zero;
                _zeroTable = mapping;
            }
            page = _zeroPage;
            table = _zeroTable;
            return true;
        }

        /// <summary>True for the page <see cref="ZeroPages"/> hands out (never-written guest memory).</summary>
        public bool IsZeroPage(ulong page)
        {
            return page != 0 && page == _zeroPage;
        }

        /// <summary>One more user of <paramref name="page"/>; false when the page is not counted here.</summary>
        public bool Share(ulong page)
        {
            if (!InWindow(page))
            {
                return false;
            }
            int slot = Slot(page);
            uint count = _counts[slot];
            if (count == 0)
            {
                return false;
            }
            if (count != Pinned)
            {
                _counts[slot] = count + 1;
            }
            return true;
        }

        /// <summary>
        /// One user fewer; the page goes back to the source when none is left. Returns true when it was freed.
        /// A page with no count (never allocated here, or already freed) is left alone.
        /// </summary>
        public bool Release(ulong page)
        {
            if (!InWindow(page))
            {
                return false;
            }
            int slot = Slot(page);
            uint count = _counts[slot];
            if (count == 0 || count == Pinned)
            {
                return false;
            }
            _counts[slot] = count - 1;
            if (count != 1)
            {
                return false;
            }
            _live--;
            _pages.FreePage(page);
            return true;
        }

        /// <summary>Users of <paramref name="page"/>; 0 for a page not allocated here.</summary>
        public uint Count(ulong page)
        {
            if (!InWindow(page))
            {
                return 0;
            }
            return _counts[Slot(page)];
        }

        private bool InWindow(ulong page)
        {
            return page >= _base && page < _limit && (page & PageMask) == 0;
        }

        private int Slot(ulong page)
        {
            return (int)((page - _base) >> PageShift);
        }
    }
}
