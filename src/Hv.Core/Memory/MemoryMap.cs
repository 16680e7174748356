namespace Hv.Core.Memory
{
    /// <summary>
    /// The usable physical memory of the machine as a sorted list of disjoint, page-aligned ranges.
    ///
    /// Firmware maps are untrustworthy in practice: entries overlap, come unsorted, have zero length or wrap
    /// past 2^64. The rules here: only type Usable contributes memory; every other type, and every range the
    /// caller reserves (our image, the boot information, modules), is removed, so when usable and reserved
    /// overlap reserved wins. Usable ranges shrink inward to page boundaries, reserved ones grow outward, so a
    /// partially reserved page is never handed out. Everything below 1 MiB is excluded (page 0, real-mode IVT,
    /// BDA/EBDA, VGA and BIOS ROM areas), as is anything above the architectural 52-bit physical limit
    /// (MAXPHYADDR, CPUID leaf 0x80000008, is at most 52 on x86-64).
    /// </summary>
    public sealed class MemoryMap
    {
        public const ulong PageSize = 4096;
        public const ulong LowMemoryEnd = 0x100000;
        public const ulong MaxPhysicalAddress = 1UL << 52;

        private readonly PhysicalRange[] _ranges;
        private readonly int _count;
        private readonly ulong _usableBytes;
        private readonly ulong _totalBytes;

        private MemoryMap(PhysicalRange[] ranges, int count, ulong usableBytes, ulong totalBytes)
        {
            _ranges = ranges;
            _count = count;
            _usableBytes = usableBytes;
            _totalBytes = totalBytes;
        }

        public int Count { get { return _count; } }
        public PhysicalRange this[int index] { get { return _ranges[index]; } }
        /// <summary>Bytes in the clean map (what the page allocator may hand out).</summary>
        public ulong UsableBytes { get { return _usableBytes; } }
        /// <summary>Bytes the firmware reports as usable RAM (union of valid Usable entries, before any exclusion).</summary>
        public ulong TotalBytes { get { return _totalBytes; } }
        /// <summary>End of the highest usable range, 0 when the map is empty.</summary>
        public ulong HighestUsableEnd { get { return _count == 0 ? 0 : _ranges[_count - 1].End; } }

        /// <summary>True when the whole page containing <paramref name="address"/> is usable.</summary>
        public bool IsUsable(ulong address)
        {
            // Binary search: ranges are sorted and disjoint.
            int low = 0;
            int high = _count - 1;
            while (low <= high)
            {
                int mid = (low + high) / 2;
                if (address < _ranges[mid].Start)
                {
                    high = mid - 1;
                }
                else if (address >= _ranges[mid].End)
                {
                    low = mid + 1;
                }
                else
                {
                    return true;
                }
            }
            return false;
        }

        /// <summary>
        /// Builds the clean map from <paramref name="regions"/> (raw firmware entries) minus
        /// <paramref name="reserved"/> (half-open ranges in use by the host). Null arrays count as empty.
        /// </summary>
        public static MemoryMap Build(MemoryRegion[] regions, PhysicalRange[] reserved)
        {
            if (regions == null)
            {
                regions = new MemoryRegion[0];
            }
            if (reserved == null)
            {
                reserved = new PhysicalRange[0];
            }

            PhysicalRange[] usable = new PhysicalRange[regions.Length];
            int usableCount = 0;
            PhysicalRange[] rawUsable = new PhysicalRange[regions.Length];
            int rawUsableCount = 0;
            PhysicalRange[] excluded = new PhysicalRange[regions.Length + reserved.Length + 1];
            int excludedCount = 0;

            excluded[excludedCount++] = new PhysicalRange(0, LowMemoryEnd);

            for (int i = 0; i < regions.Length; i++)
            {
                MemoryRegion region = regions[i];
                ulong end = region.Base + region.Length;
                if (region.Length == 0 || end < region.Base)
                {
                    continue; // empty or wraps past 2^64: no meaning can be given to it
                }
                if (region.Type == MemoryRegionType.Usable)
                {
                    rawUsable[rawUsableCount++] = new PhysicalRange(region.Base, end);
                    ulong start = AlignUp(region.Base);
                    ulong alignedEnd = AlignDown(end);
                    if (alignedEnd > MaxPhysicalAddress)
                    {
                        alignedEnd = MaxPhysicalAddress;
                    }
                    if (start < alignedEnd)
                    {
                        usable[usableCount++] = new PhysicalRange(start, alignedEnd);
                    }
                }
                else
                {
                    excluded[excludedCount++] = Widen(region.Base, end);
                }
            }
            for (int i = 0; i < reserved.Length; i++)
            {
                if (reserved[i].End > reserved[i].Start)
                {
                    excluded[excludedCount++] = Widen(reserved[i].Start, reserved[i].End);
                }
            }

            rawUsableCount = SortAndMerge(rawUsable, rawUsableCount);
            ulong totalBytes = 0;
            for (int i = 0; i < rawUsableCount; i++)
            {
                totalBytes += rawUsable[i].Length;
            }

            usableCount = SortAndMerge(usable, usableCount);
            excludedCount = SortAndMerge(excluded, excludedCount);

            // Each exclusion can split at most one usable range in two, so this bound is exact.
            PhysicalRange[] clean = new PhysicalRange[usableCount + excludedCount];
            int cleanCount = 0;
            ulong usableBytes = 0;
            int next = 0; // first exclusion that may still overlap; both lists are sorted
            for (int i = 0; i < usableCount; i++)
            {
                ulong start = usable[i].Start;
                ulong end = usable[i].End;
                while (next < excludedCount && excluded[next].End <= start)
                {
                    next++;
                }
                int e = next;
                while (start < end && e < excludedCount && excluded[e].Start < end)
                {
                    if (excluded[e].Start > start)
                    {
                        clean[cleanCount++] = new PhysicalRange(start, excluded[e].Start);
                        usableBytes += excluded[e].Start - start;
                    }
                    if (excluded[e].End > start)
                    {
                        start = excluded[e].End;
                    }
                    e++;
                }
                if (start < end)
                {
                    clean[cleanCount++] = new PhysicalRange(start, end);
                    usableBytes += end - start;
                }
            }

            return new MemoryMap(clean, cleanCount, usableBytes, totalBytes);
        }

        private static ulong AlignUp(ulong address)
        {
            ulong aligned = (address + PageSize - 1) & ~(PageSize - 1);
            return aligned < address ? ulong.MaxValue & ~(PageSize - 1) : aligned;
        }

        private static ulong AlignDown(ulong address)
        {
            return address & ~(PageSize - 1);
        }

        /// <summary>Grows [start, end) outward to page boundaries, saturating at the top of the address space.</summary>
        private static PhysicalRange Widen(ulong start, ulong end)
        {
            ulong alignedEnd = (end + PageSize - 1) & ~(PageSize - 1);
            if (alignedEnd < end)
            {
                alignedEnd = ulong.MaxValue;
            }
            return new PhysicalRange(AlignDown(start), alignedEnd);
        }

        /// <summary>Sorts by start (insertion sort: maps hold tens of entries) and merges overlapping or touching ranges.</summary>
        private static int SortAndMerge(PhysicalRange[] ranges, int count)
        {
            for (int i = 1; i < count; i++)
            {
                PhysicalRange item = ranges[i];
                int j = i - 1;
                while (j >= 0 && ranges[j].Start > item.Start)
                {
                    ranges[j + 1] = ranges[j];
                    j--;
                }
                ranges[j + 1] = item;
            }
            if (count == 0)
            {
                return 0;
            }
            int merged = 0;
            for (int i = 1; i < count; i++)
            {
                if (ranges[i].Start <= ranges[merged].End)
                {
                    if (ranges[i].End > ranges[merged].End)
                    {
                        ranges[merged].End = ranges[i].End;
                    }
                }
                else
                {
                    merged++;
                    ranges[merged] = ranges[i];
                }
            }
            return merged + 1;
        }
    }
}
