using System;

namespace Hv.Core.Memory
{
    /// <summary>
    /// A guest's RAM [0, Size) at guest-physical 0 as a 4-level EPT tree of 4 KiB write-back pages, whose tables
    /// and pages may be shared copy-on-write with other spaces (VM templates, clones, snapshots).
    ///
    /// <see cref="Fork"/> costs one page whatever the size: the fork gets its own PML4 holding the same entries,
    /// and every table below is shared (reference counted in <see cref="PageSharing"/>). The first write by
    /// either side below a shared table faults (EPT violation) and <see cref="ResolveWrite"/> gives the writer
    /// private copies of the tables on the path and of the 4 KiB page.
    ///
    /// The one invariant everything rests on: an entry has W=1 only if the table or page it points to has
    /// count 1. A shared child (count &gt; 1) is referenced only through W=0 entries, and since EPT permissions
    /// are the AND over the walk (SDM 28.3.2), no guest can write anything reachable through a shared table.
    /// Counts grow in two places only, and both clear W on every entry that gains a sharer: Fork (the PML4
    /// entries of both sides) and copying a table (the entries of both the copy and the original). A count
    /// that drops back to 1 leaves W=0 behind, which is merely conservative: the next write fault sets it.
    ///
    /// Translation caching (SDM 28.4): cached entries may outlive a change, so <see cref="FlushPending"/> is
    /// set whenever one this VM may have cached changed (Fork narrows the original's PML4 entries; a resolve
    /// repoints entries at copies; a new space may reuse a released PML4 page, i.e. a stale EP4TA). The
    /// kernel calls <see cref="TakeFlush"/> before every VM entry and INVEPTs (single-context, this
    /// <see cref="Eptp"/>) when it returns true. Clearing W in a shared table needs no flush for its other
    /// users: they reach it only through W=0 entries, so their effective permission was already read-only.
    /// </summary>
    public sealed class AddressSpace : GuestMemoryAccess
    {
        /// <summary>4 GiB: the bound on one guest's RAM (the hypervisor allows at most 1 GiB per VM today).</summary>
        public const ulong MaxSize = 4UL << 30;

        private const ulong PageSize = PageSource.PageSize;
        private const ulong PageMask = PageSize - 1;
        private const int PageShift = 12;
        private const int EntriesPerTable = 512;
        // Depth of a table in the walk: 0 = PML4, 1 = PDPT, 2 = PD, 3 = PT; depth 4 is a data page.
        private const int PdLevel = 2;
        private const int PtLevel = 3;
        private const ulong LargeMask = (1UL << 21) - 1;
        private const int DataLevel = 4;

        private readonly PageSource _pages;
        private readonly PageSharing _sharing;
        private ulong _size;
        private ulong _pml4;
        private bool _flushPending;

        private AddressSpace(PageSource pages, PageSharing sharing, ulong size, ulong pml4)
        {
            _pages = pages;
            _sharing = sharing;
            _size = size;
            _pml4 = pml4;
            // A new root may be a page a released space used as its root: translations cached under that
            // EP4TA must go before this space first runs.
            _flushPending = true;
        }

        /// <summary>Bytes of guest RAM.</summary>
        public ulong Size { get { return _size; } }

        public bool IsReleased { get { return _pml4 == 0; } }

        public PageSharing Sharing { get { return _sharing; } }

        /// <summary>EPT pointer for the VMCS, (<see cref="EptEntry.PointerFor"/>); 0 after <see cref="Release"/>.</summary>
        public ulong Eptp { get { return _pml4 == 0 ? 0 : EptEntry.PointerFor(_pml4); } }

        /// <summary>True when translations cached for <see cref="Eptp"/> may be stale (see the class comment).</summary>
        public bool FlushPending { get { return _flushPending; } }

        /// <summary>Returns <see cref="FlushPending"/> and clears it: the kernel INVEPTs when this returns true.</summary>
        public bool TakeFlush()
        {
            bool pending = _flushPending;
            _flushPending = false;
            return pending;
        }

        /// <summary>
        /// Every page (tables and data) reachable from this space: 1 PML4 plus the PDPTs, PDs, PTs and data
        /// pages that [0, Size) needs. Private + shared always add up to it; never-written memory maps the pool's
        /// pinned zero table and page, which count as shared (once per use).
        /// </summary>
        public ulong TotalPages
        {
            get
            {
                if (_pml4 == 0)
                {
                    return 0;
                }
                ulong data = _size >> PageShift;
                ulong pts = (data + EntriesPerTable - 1) / EntriesPerTable;
                ulong pds = (pts + EntriesPerTable - 1) / EntriesPerTable;
                ulong pdpts = (pds + EntriesPerTable - 1) / EntriesPerTable;
                return 1 + pdpts + pds + pts + data;
            }
        }

        /// <summary>
        /// Pages (tables and data) only this space uses: reachable through a chain of count-1 pages. Computed
        /// by a walk that descends only into private tables, so it costs O(private tables × 512), e.g. a few
        /// thousand reads for an idle clone; a space that owns all its memory costs O(Size / 4 KiB).
        /// </summary>
        public ulong PrivatePages
        {
            get
            {
                if (_pml4 == 0)
                {
                    return 0;
                }
                return CountPrivate(_pml4, 0);
            }
        }

        /// <summary>Reachable pages that other spaces use too (<see cref="TotalPages"/> − <see cref="PrivatePages"/>).</summary>
        public ulong SharedPages { get { return TotalPages - PrivatePages; } }

        /// <summary>
        /// A space of <paramref name="size"/> bytes, every page private, zeroed and mapped RWX write-back.
        /// All or nothing: when the source runs dry everything taken so far goes back.
        /// </summary>
        public static AddressSpaceStatus Create(PageSource pages, PageSharing sharing, ulong size, out AddressSpace space)
        {
            return Build(pages, sharing, size, false, out space);
        }

        /// <summary>
        /// A space of <paramref name="size"/> bytes reading as zeros, mapped RWX write-back, that holds no guest page yet:
        /// every whole 2 MiB maps the pool's pinned zero table, every page of a partial one the pinned zero page, both
        /// without W (<see cref="PageSharing.ZeroPages"/>), so a page costs memory only once something writes it (the
        /// write fault or <see cref="Write"/> copies it like any shared page). Costs the PML4, PDPTs and PDs, and a PT
        /// for a size that is not a multiple of 2 MiB (nothing past the end is mapped). All or nothing.
        /// </summary>
        public static AddressSpaceStatus CreateOnWrite(PageSource pages, PageSharing sharing, ulong size, out AddressSpace space)
        {
            return Build(pages, sharing, size, true, out space);
        }

        private static AddressSpaceStatus Build(PageSource pages, PageSharing sharing, ulong size, bool onWrite, out AddressSpace space)
        {
            space = null;
            if (pages == null || sharing == null || sharing.Pages != pages)
            {
                return AddressSpaceStatus.InvalidArgument;
            }
            if (size == 0 || (size & PageMask) != 0 || size > MaxSize)
            {
                return AddressSpaceStatus.InvalidSize;
            }
            ulong zeroPage = 0, zeroTable = 0;
            ulong root = !onWrite || sharing.ZeroPages(out zeroPage, out zeroTable) ? sharing.Allocate() : 0;
            if (root == 0)
            {
                return AddressSpaceStatus.OutOfMemory;
            }
            AddressSpace created = new AddressSpace(pages, sharing, size, root);
            ulong pt = 0;
            ulong gpa = 0;
            while (gpa < size)
            {
                if (onWrite && (gpa & LargeMask) == 0 && size - gpa > LargeMask)
                {
                    ulong pd = created.BuildPath(gpa, PdLevel);
                    if (pd == 0)
                    {
                        created.Release();
                        return AddressSpaceStatus.OutOfMemory;
                    }
                    created.WriteEntry(pd, EptEntry.IndexAt(gpa, PdLevel), EptEntry.Table(zeroTable) & ~EptEntry.Write);
                    gpa += LargeMask + 1;
                    continue;
                }
                if (pt == 0 || EptEntry.IndexAt(gpa, PtLevel) == 0)
                {
                    pt = created.BuildPath(gpa, PtLevel);
                }
                ulong page = pt == 0 ? 0 : onWrite ? zeroPage : sharing.Allocate();
                if (page == 0)
                {
                    created.Release();
                    return AddressSpaceStatus.OutOfMemory;
                }
                ulong leaf = PrivateLeaf(page);
                created.WriteEntry(pt, EptEntry.IndexAt(gpa, PtLevel), onWrite ? leaf & ~EptEntry.Write : leaf);
                gpa += PageSize;
            }
            space = created;
            return AddressSpaceStatus.Ok;
        }

        /// <summary>
        /// A copy-on-write fork in O(1) of the size: one new PML4 with the same entries, each next-level table
        /// shared, and W cleared on those entries in both spaces. Both sides read the same memory until one
        /// writes. Sets <see cref="FlushPending"/> on this space (its PML4 entries lost W).
        /// </summary>
        public AddressSpaceStatus Fork(out AddressSpace fork)
        {
            fork = null;
            if (_pml4 == 0)
            {
                return AddressSpaceStatus.Released;
            }
            ulong root = ForkRoot();
            if (root == 0)
            {
                return AddressSpaceStatus.OutOfMemory;
            }
            fork = new AddressSpace(_pages, _sharing, _size, root);
            return AddressSpaceStatus.Ok;
        }

        /// <summary>
        /// Restore in place: this space becomes a fresh fork of <paramref name="snapshot"/> (its own memory is
        /// released), keeping the object, so whoever holds it as the VM's <see cref="GuestMemoryAccess"/> sees
        /// the restored RAM. Costs one page like <see cref="Fork"/> and allocates no object (the image's heap
        /// never frees, so restoring in a loop must not leak). On failure this space is unchanged. The
        /// <see cref="Eptp"/> changes: the kernel writes the new one into the VMCS (and the flush is pending).
        /// </summary>
        public AddressSpaceStatus RestoreFrom(AddressSpace snapshot)
        {
            if (snapshot == null || snapshot._sharing != _sharing)
            {
                return AddressSpaceStatus.InvalidArgument;
            }
            if (snapshot._pml4 == 0)
            {
                return AddressSpaceStatus.Released;
            }
            ulong root = snapshot.ForkRoot();
            if (root == 0)
            {
                return AddressSpaceStatus.OutOfMemory;
            }
            Release();
            _pml4 = root;
            _size = snapshot._size;
            _flushPending = true;
            return AddressSpaceStatus.Ok;
        }

        /// <summary>
        /// The O(1) part of a fork: a new PML4 holding this one's entries, every next-level table gaining a user
        /// and W cleared on those entries on both sides. 0 (nothing changed) when no page is left.
        /// </summary>
        private ulong ForkRoot()
        {
            ulong root = _sharing.Allocate();
            if (root == 0)
            {
                return 0;
            }
            Span<byte> mine = _pages.Page(_pml4);
            Span<byte> theirs = _pages.Page(root);
            for (int i = 0; i < EntriesPerTable; i++)
            {
                ulong entry = LittleEndian.ReadUInt64(mine, i * 8);
                if (!EptEntry.IsPresent(entry))
                {
                    continue;
                }
                _sharing.Share(EptEntry.Address(entry));
                entry &= ~EptEntry.Write;
                LittleEndian.WriteUInt64(mine, i * 8, entry);
                LittleEndian.WriteUInt64(theirs, i * 8, entry);
            }
            _flushPending = true;
            return root;
        }

        /// <summary>
        /// Makes the page holding <paramref name="gpa"/> privately writable after an EPT violation caused by a
        /// guest write: every shared table on the path and the page itself are copied (the originals lose one
        /// user), every entry on the path gets W=1. All or nothing: the pages needed are taken before anything
        /// changes, so OutOfMemory leaves the space exactly as it was. Always sets <see cref="FlushPending"/>
        /// on success (a repeated fault on an already-writable page then still makes progress).
        /// </summary>
        public EptFaultResult ResolveWrite(ulong gpa)
        {
            bool changed;
            EptFaultResult result = Resolve(gpa, PtLevel, out changed);
            if (result == EptFaultResult.Resolved)
            {
                _flushPending = true;
            }
            return result;
        }

        /// <summary>Host-side read; false (nothing copied) unless [gpa, gpa + length) is inside the RAM.</summary>
        public override bool Read(ulong gpa, Span<byte> destination)
        {
            if (!Contains(gpa, (ulong)destination.Length))
            {
                return false;
            }
            int done = 0;
            while (done < destination.Length)
            {
                ulong address = gpa + (ulong)done;
                int offset = (int)(address & PageMask);
                int chunk = Math.Min((int)PageSize - offset, destination.Length - done);
                _pages.Page(Leaf(address)).Slice(offset, chunk).CopyTo(destination.Slice(done, chunk));
                done += chunk;
            }
            return true;
        }

        /// <summary>
        /// True when the 4 KiB page at <paramref name="gpa"/> holds only zeros, checked in place (no copy: an export scans
        /// every page of the RAM with it); false also for an address that is not a page inside the RAM.
        /// </summary>
        public bool IsZeroPage(ulong gpa)
        {
            if ((gpa & PageMask) != 0 || !Contains(gpa, PageSize))
            {
                return false;
            }
            Span<byte> page = _pages.Page(Leaf(gpa));
            for (int i = 0; i < page.Length; i++)
            {
                if (page[i] != 0)
                {
                    return false;
                }
            }
            return true;
        }

        /// <summary>
        /// Host-side write with copy-on-write: every page of the range is made private first (the same path
        /// as <see cref="ResolveWrite"/>), then the bytes are copied. False, with the guest-visible contents
        /// unchanged, when the range is not inside the RAM or a private copy could not be had.
        /// </summary>
        public override bool Write(ulong gpa, ReadOnlySpan<byte> source)
        {
            if (!Contains(gpa, (ulong)source.Length))
            {
                return false;
            }
            if (source.Length == 0)
            {
                return true;
            }
            ulong last = (gpa + (ulong)source.Length - 1) & ~PageMask;
            for (ulong page = gpa & ~PageMask; page <= last; page += PageSize)
            {
                bool changed;
                if (Resolve(page, PtLevel, out changed) != EptFaultResult.Resolved)
                {
                    return false;
                }
                if (changed)
                {
                    _flushPending = true;
                }
            }
            int done = 0;
            while (done < source.Length)
            {
                ulong address = gpa + (ulong)done;
                int offset = (int)(address & PageMask);
                int chunk = Math.Min((int)PageSize - offset, source.Length - done);
                source.Slice(done, chunk).CopyTo(_pages.Page(Leaf(address)).Slice(offset, chunk));
                done += chunk;
            }
            return true;
        }

        /// <summary>
        /// Maps the whole pages of pinned <paramref name="bytes"/> read-only at the page-aligned <paramref name="gpa"/>,
        /// where they stay shared with the host and every other guest until a write copies one (as for any shared page);
        /// the last partial page is copied (the rest of its host page is not the guest's). Bytes that are not pinned, or
        /// an unaligned start, are written as usual. All or nothing like <see cref="Write"/>, except that pages already
        /// mapped stay mapped when a later one fails (their contents are already the right ones).
        /// </summary>
        public override bool Place(ulong gpa, ImageBytes bytes)
        {
            ulong host = bytes.PinnedAddress;
            ulong whole = (ulong)bytes.Length & ~PageMask;
            if (host == 0 || ((gpa | host) & PageMask) != 0 || !Contains(gpa, (ulong)bytes.Length))
            {
                return Write(gpa, bytes.Span);
            }
            for (ulong offset = 0; offset < whole; offset += PageSize)
            {
                if (!MapPinned(gpa + offset, host + offset))
                {
                    return false;
                }
            }
            return Write(gpa + whole, bytes.Span.Slice((int)whole));
        }

        /// <summary>Guest page <paramref name="gpa"/> maps host page <paramref name="hostPage"/> without W, pinned for good.</summary>
        private bool MapPinned(ulong gpa, ulong hostPage)
        {
            bool changed;
            if (!_sharing.Pin(hostPage) || Resolve(gpa, PdLevel, out changed) != EptFaultResult.Resolved)
            {
                return false;
            }
            ulong table = _pml4;
            for (int level = 0; level < PtLevel; level++)
            {
                table = EptEntry.Address(ReadEntry(table, EptEntry.IndexAt(gpa, level)));
            }
            int index = EptEntry.IndexAt(gpa, PtLevel);
            ulong old = ReadEntry(table, index);
            WriteEntry(table, index, PrivateLeaf(hostPage) & ~EptEntry.Write);
            if (EptEntry.IsPresent(old))
            {
                _sharing.Release(EptEntry.Address(old));
            }
            _flushPending = true;
            return true;
        }

        /// <summary>
        /// Walks like the CPU: the host address of the byte at <paramref name="gpa"/> and whether the guest may
        /// write it (W set at every level).
        /// </summary>
        public bool Translate(ulong gpa, out ulong hpa, out bool writable)
        {
            hpa = 0;
            writable = false;
            if (_pml4 == 0 || gpa >= _size)
            {
                return false;
            }
            ulong table = _pml4;
            bool write = true;
            for (int level = 0; level <= PtLevel; level++)
            {
                ulong entry = ReadEntry(table, EptEntry.IndexAt(gpa, level));
                if (!EptEntry.IsPresent(entry))
                {
                    return false;
                }
                write = write && (entry & EptEntry.Write) != 0;
                table = EptEntry.Address(entry);
            }
            hpa = table | (gpa & PageMask);
            writable = write;
            return true;
        }

        /// <summary>
        /// Drops this space's reference to every table and page (a page whose last user this was goes back to
        /// the source). Idempotent. The kernel must INVEPT (this Eptp, or all contexts) before the freed pages
        /// can serve as another VM's tables, and must not enter the VM with this Eptp again.
        /// </summary>
        public void Release()
        {
            if (_pml4 == 0)
            {
                return;
            }
            ulong root = _pml4;
            _pml4 = 0;
            ReleaseTree(root, 0);
        }

        /// <summary>Releases the space (<see cref="Release"/>) and gives back the object itself; nothing may use it afterwards.</summary>
        public void Free()
        {
            Release();
            Owned.Free(this);
        }

        /// <summary>
        /// Guest page at <paramref name="gpa"/> private and writable: copies, when needed, every shared table on
        /// the path and the page. <paramref name="changed"/> tells whether any entry changed. With
        /// <paramref name="last"/> = <see cref="PdLevel"/> it stops at the page table (private, its entries untouched).
        /// </summary>
        private EptFaultResult Resolve(ulong gpa, int last, out bool changed)
        {
            changed = false;
            if (_pml4 == 0 || gpa >= _size)
            {
                return EptFaultResult.NotRam;
            }

            // First pass, changing nothing: how many copies the path needs. Once a table is copied, everything
            // below it is shared (the copy and the original both point at it), so copying never stops halfway.
            int needed = 0;
            bool writable = true;
            ulong table = _pml4;
            for (int level = 0; level <= last; level++)
            {
                ulong entry = ReadEntry(table, EptEntry.IndexAt(gpa, level));
                if (!EptEntry.IsPresent(entry))
                {
                    return EptFaultResult.NotRam;
                }
                ulong child = EptEntry.Address(entry);
                if (needed > 0 || _sharing.Count(child) > 1)
                {
                    needed++;
                }
                writable = writable && (entry & EptEntry.Write) != 0;
                table = child;
            }
            if (needed == 0 && writable)
            {
                return EptFaultResult.Resolved;
            }

            // Take every page before touching anything, so running dry changes nothing.
            Span<ulong> fresh = stackalloc ulong[4];
            for (int i = 0; i < needed; i++)
            {
                fresh[i] = _sharing.Allocate();
                if (fresh[i] == 0)
                {
                    for (int j = 0; j < i; j++)
                    {
                        _sharing.Release(fresh[j]);
                    }
                    return EptFaultResult.OutOfMemory;
                }
            }

            int used = 0;
            table = _pml4;
            for (int level = 0; level <= last; level++)
            {
                int index = EptEntry.IndexAt(gpa, level);
                ulong entry = ReadEntry(table, index);
                ulong child = EptEntry.Address(entry);
                if (_sharing.Count(child) > 1)
                {
                    ulong copy = fresh[used++];
                    if (level < PtLevel)
                    {
                        CopyTable(child, copy);
                    }
                    else if (!_sharing.IsZeroPage(child))
                    {
                        // A fresh page is zeroed already: a copy of the zero page costs nothing more.
                        CopyPage(child, copy);
                    }
                    // Keep the entry's other bits (permissions, memory type, ignore-PAT); only the address moves.
                    WriteEntry(table, index, (entry & ~EptEntry.AddressMask) | copy | EptEntry.Write);
                    _sharing.Release(child);
                    child = copy;
                    changed = true;
                }
                else if ((entry & EptEntry.Write) == 0)
                {
                    WriteEntry(table, index, entry | EptEntry.Write);
                    changed = true;
                }
                table = child;
            }
            return EptFaultResult.Resolved;
        }

        /// <summary>
        /// Fills <paramref name="copy"/> with the entries of the shared table <paramref name="source"/>: every
        /// child gains a user, so W is cleared on its entry in both tables (the invariant). The other users of
        /// <paramref name="source"/> reach it only through W=0 entries, so this narrows nothing they can do.
        /// </summary>
        private void CopyTable(ulong source, ulong copy)
        {
            Span<byte> from = _pages.Page(source);
            Span<byte> to = _pages.Page(copy);
            for (int i = 0; i < EntriesPerTable; i++)
            {
                ulong entry = LittleEndian.ReadUInt64(from, i * 8);
                if (!EptEntry.IsPresent(entry))
                {
                    continue;
                }
                _sharing.Share(EptEntry.Address(entry));
                if ((entry & EptEntry.Write) != 0)
                {
                    entry &= ~EptEntry.Write;
                    LittleEndian.WriteUInt64(from, i * 8, entry);
                }
                LittleEndian.WriteUInt64(to, i * 8, entry);
            }
        }

        private void CopyPage(ulong source, ulong copy)
        {
            _pages.Page(source).CopyTo(_pages.Page(copy));
        }

        /// <summary>
        /// Drops one reference to <paramref name="page"/> at depth <paramref name="level"/>; when it is the last
        /// one, the children go first (their entries must be read before the page is freed).
        /// </summary>
        private void ReleaseTree(ulong page, int level)
        {
            if (level < DataLevel && _sharing.Count(page) == 1)
            {
                Span<byte> table = _pages.Page(page);
                for (int i = 0; i < EntriesPerTable; i++)
                {
                    ulong entry = LittleEndian.ReadUInt64(table, i * 8);
                    if (EptEntry.IsPresent(entry))
                    {
                        ReleaseTree(EptEntry.Address(entry), level + 1);
                    }
                }
            }
            _sharing.Release(page);
        }

        /// <summary>Private pages at and below <paramref name="page"/> (depth <paramref name="level"/>), 0 when it is shared.</summary>
        private ulong CountPrivate(ulong page, int level)
        {
            if (_sharing.Count(page) != 1)
            {
                return 0;
            }
            ulong count = 1;
            if (level < DataLevel)
            {
                Span<byte> table = _pages.Page(page);
                for (int i = 0; i < EntriesPerTable; i++)
                {
                    ulong entry = LittleEndian.ReadUInt64(table, i * 8);
                    if (EptEntry.IsPresent(entry))
                    {
                        count += CountPrivate(EptEntry.Address(entry), level + 1);
                    }
                }
            }
            return count;
        }

        /// <summary>
        /// Creation only: the table at depth <paramref name="depth"/> on the path to <paramref name="gpa"/>, making
        /// private tables where missing; 0 when out of pages.
        /// </summary>
        private ulong BuildPath(ulong gpa, int depth)
        {
            ulong table = _pml4;
            for (int level = 0; level < depth; level++)
            {
                int index = EptEntry.IndexAt(gpa, level);
                ulong entry = ReadEntry(table, index);
                if (!EptEntry.IsPresent(entry))
                {
                    ulong next = _sharing.Allocate();
                    if (next == 0)
                    {
                        return 0;
                    }
                    entry = EptEntry.Table(next);
                    WriteEntry(table, index, entry);
                }
                table = EptEntry.Address(entry);
            }
            return table;
        }

        /// <summary>Host page backing <paramref name="gpa"/>, which the caller has checked is inside the RAM.</summary>
        private ulong Leaf(ulong gpa)
        {
            ulong table = _pml4;
            for (int level = 0; level <= PtLevel; level++)
            {
                table = EptEntry.Address(ReadEntry(table, EptEntry.IndexAt(gpa, level)));
            }
            return table;
        }

        private static ulong PrivateLeaf(ulong page)
        {
            return EptEntry.Leaf(page, EptPermissions.ReadWriteExecute, EptMemoryType.WriteBack, false);
        }

        /// <summary>True when [gpa, gpa+length) lies inside the RAM; written to be overflow-proof.</summary>
        private bool Contains(ulong gpa, ulong length)
        {
            return _pml4 != 0 && gpa <= _size && length <= _size - gpa;
        }

        private ulong ReadEntry(ulong table, int index)
        {
            return LittleEndian.ReadUInt64(_pages.Page(table), index * 8);
        }

        private void WriteEntry(ulong table, int index, ulong entry)
        {
            LittleEndian.WriteUInt64(_pages.Page(table), index * 8, entry);
        }
    }
}
