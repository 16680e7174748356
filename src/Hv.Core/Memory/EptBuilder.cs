using System;

namespace Hv.Core.Memory
{
    /// <summary>
    /// Builds and edits one VM's 4-level extended page tables (SDM Vol. 3C §28.3.2) in pages taken from a
    /// <see cref="PageSource"/>. Levels: PML4 (bits 47:39) → PDPT (38:30) → PD (29:21) → PT (20:12).
    /// It maps guest-physical to host-physical addresses only; the host pages themselves belong to the
    /// caller (<see cref="AddressSpace"/>). After narrowing or removing a mapping of a VM that has run, the
    /// kernel must INVEPT before the guest runs again (28.4.3): cached translations outlive the tables.
    /// Every operation either completes or leaves the tables exactly as they were.
    /// </summary>
    public sealed class EptBuilder
    {
        public const ulong SmallPageSize = 0x1000;
        public const ulong LargePageSize = 0x200000;
        /// <summary>A 4-level walk translates 48-bit guest-physical addresses (28.3.2).</summary>
        public const ulong GuestPhysicalLimit = 1UL << 48;
        /// <summary>Entries hold host addresses in bits 51:12 (MAXPHYADDR is at most 52).</summary>
        public const ulong HostPhysicalLimit = 1UL << 52;

        private const int EntriesPerTable = 512;
        // Depth of the walk: 0 = PML4, 1 = PDPT, 2 = PD, 3 = PT.
        private const int PdLevel = 2;
        private const int PtLevel = 3;

        private readonly PageSource _pages;
        private ulong _pml4;

        private EptBuilder(PageSource pages, ulong pml4)
        {
            _pages = pages;
            _pml4 = pml4;
        }

        /// <summary>An empty EPT (one zeroed PML4 page), or null when the page source is exhausted.</summary>
        public static EptBuilder Create(PageSource pages)
        {
            ulong pml4 = pages.AllocatePage();
            if (pml4 == 0)
            {
                return null;
            }
            return new EptBuilder(pages, pml4);
        }

        /// <summary>
        /// The EPT pointer for the VMCS (SDM 24.6.11): PML4 address | memory type WB (6) for the paging
        /// structures | (page-walk length 4 − 1) &lt;&lt; 3. Bit 6 (accessed/dirty flags) stays 0.
        /// Zero after <see cref="Destroy"/>.
        /// </summary>
        public ulong Eptp
        {
            get
            {
                if (_pml4 == 0)
                {
                    return 0;
                }
                return PointerFor(_pml4);
            }
        }

        /// <summary>
        /// The EPT pointer for a 4-level tree rooted at <paramref name="pml4"/> (SDM 24.6.11): PML4 address |
        /// memory type WB (6) for the paging structures | (page-walk length 4 − 1) &lt;&lt; 3; bit 6 (A/D flags) 0.
        /// Shared with <see cref="AddressSpace"/>, which builds its own trees.
        /// </summary>
        public static ulong PointerFor(ulong pml4)
        {
            return (pml4 & EptEntry.AddressMask) | (ulong)EptMemoryType.WriteBack | ((4UL - 1) << 3);
        }

        /// <summary>Maps the 4 KiB guest page at <paramref name="gpa"/> to the host page at <paramref name="hpa"/>.</summary>
        public EptStatus Map(ulong gpa, ulong hpa, EptPermissions permissions, EptMemoryType type)
        {
            return MapLeaf(gpa, hpa, permissions, type, PtLevel, SmallPageSize);
        }

        /// <summary>Maps a 2 MiB guest range with one PDE (both addresses 2 MiB aligned).</summary>
        public EptStatus MapLarge(ulong gpa, ulong hpa, EptPermissions permissions, EptMemoryType type)
        {
            return MapLeaf(gpa, hpa, permissions, type, PdLevel, LargePageSize);
        }

        /// <summary>
        /// Removes the leaf (4 KiB or 2 MiB) that maps <paramref name="gpa"/>, which must be the start of
        /// that page. Emptied tables are kept for reuse and freed by <see cref="Destroy"/>.
        /// </summary>
        public EptStatus Unmap(ulong gpa)
        {
            ulong table;
            int index;
            ulong pageSize;
            if (!FindLeaf(gpa, out table, out index, out pageSize))
            {
                return gpa < GuestPhysicalLimit ? EptStatus.NotMapped : EptStatus.AddressOutOfRange;
            }
            if ((gpa & (pageSize - 1)) != 0)
            {
                return EptStatus.Misaligned;
            }
            WriteEntry(table, index, 0);
            return EptStatus.Ok;
        }

        /// <summary>
        /// Changes the permissions of the leaf mapping <paramref name="gpa"/> (any address inside it), e.g.
        /// read-only for copy-on-write sharing. Address and memory type stay.
        /// </summary>
        public EptStatus SetPermissions(ulong gpa, EptPermissions permissions)
        {
            if (!ValidPermissions(permissions))
            {
                return EptStatus.InvalidAttributes;
            }
            ulong table;
            int index;
            ulong pageSize;
            if (!FindLeaf(gpa, out table, out index, out pageSize))
            {
                return gpa < GuestPhysicalLimit ? EptStatus.NotMapped : EptStatus.AddressOutOfRange;
            }
            WriteEntry(table, index, EptEntry.WithPermissions(ReadEntry(table, index), permissions));
            return EptStatus.Ok;
        }

        /// <summary>Walks the tables like the CPU does: host address of the byte at <paramref name="gpa"/>.</summary>
        public bool Translate(ulong gpa, out ulong hpa, out EptPermissions permissions)
        {
            hpa = 0;
            permissions = EptPermissions.None;
            ulong table;
            int index;
            ulong pageSize;
            if (!FindLeaf(gpa, out table, out index, out pageSize))
            {
                return false;
            }
            ulong entry = ReadEntry(table, index);
            hpa = (EptEntry.Address(entry) & ~(pageSize - 1)) | (gpa & (pageSize - 1));
            permissions = EptEntry.Permissions(entry);
            return true;
        }

        /// <summary>Frees every table page (not the mapped pages). The builder is unusable afterwards.</summary>
        public void Destroy()
        {
            if (_pml4 == 0)
            {
                return;
            }
            FreeTable(_pml4, 0);
            _pml4 = 0;
        }

        private EptStatus MapLeaf(ulong gpa, ulong hpa, EptPermissions permissions, EptMemoryType type,
            int leafLevel, ulong pageSize)
        {
            if (_pml4 == 0 || gpa >= GuestPhysicalLimit || hpa >= HostPhysicalLimit)
            {
                return EptStatus.AddressOutOfRange;
            }
            if ((gpa & (pageSize - 1)) != 0 || (hpa & (pageSize - 1)) != 0)
            {
                return EptStatus.Misaligned;
            }
            if (!ValidPermissions(permissions) || !ValidMemoryType(type))
            {
                return EptStatus.InvalidAttributes;
            }

            // First pass: find how deep the existing tables reach and refuse overlaps, changing nothing.
            ulong table = _pml4;
            int level = 0;
            while (level < leafLevel)
            {
                ulong entry = ReadEntry(table, IndexAt(gpa, level));
                if (!EptEntry.IsPresent(entry))
                {
                    break;
                }
                if (EptEntry.IsLarge(entry))
                {
                    return EptStatus.AlreadyMapped;
                }
                table = EptEntry.Address(entry);
                level++;
            }
            if (level == leafLevel)
            {
                ulong existing = ReadEntry(table, IndexAt(gpa, level));
                if (EptEntry.IsPresent(existing))
                {
                    // A 2 MiB mapping may replace a page table that unmapping left empty, not a live one.
                    if (leafLevel != PdLevel || EptEntry.IsLarge(existing) || !TableEmpty(EptEntry.Address(existing)))
                    {
                        return EptStatus.AlreadyMapped;
                    }
                    _pages.FreePage(EptEntry.Address(existing));
                    WriteEntry(table, IndexAt(gpa, level), 0);
                }
            }

            // Second pass: take every missing table before linking any, so running dry changes nothing.
            int missing = leafLevel - level;
            Span<ulong> fresh = stackalloc ulong[3];
            for (int i = 0; i < missing; i++)
            {
                fresh[i] = _pages.AllocatePage();
                if (fresh[i] == 0)
                {
                    for (int j = 0; j < i; j++)
                    {
                        _pages.FreePage(fresh[j]);
                    }
                    return EptStatus.OutOfMemory;
                }
            }
            for (int i = 0; i < missing; i++)
            {
                WriteEntry(table, IndexAt(gpa, level), EptEntry.Table(fresh[i]));
                table = fresh[i];
                level++;
            }
            WriteEntry(table, IndexAt(gpa, leafLevel), EptEntry.Leaf(hpa, permissions, type, leafLevel == PdLevel));
            return EptStatus.Ok;
        }

        /// <summary>Walks like the CPU: the present leaf entry (4 KiB or 2 MiB) covering <paramref name="gpa"/>.</summary>
        private bool FindLeaf(ulong gpa, out ulong leafTable, out int leafIndex, out ulong pageSize)
        {
            leafTable = 0;
            leafIndex = 0;
            pageSize = 0;
            if (_pml4 == 0 || gpa >= GuestPhysicalLimit)
            {
                return false;
            }
            ulong table = _pml4;
            for (int level = 0; level <= PtLevel; level++)
            {
                int index = IndexAt(gpa, level);
                ulong entry = ReadEntry(table, index);
                if (!EptEntry.IsPresent(entry))
                {
                    return false;
                }
                if (level == PtLevel || (level == PdLevel && EptEntry.IsLarge(entry)))
                {
                    leafTable = table;
                    leafIndex = index;
                    pageSize = level == PtLevel ? SmallPageSize : LargePageSize;
                    return true;
                }
                table = EptEntry.Address(entry);
            }
            return false;
        }

        private void FreeTable(ulong table, int level)
        {
            if (level < PtLevel)
            {
                for (int i = 0; i < EntriesPerTable; i++)
                {
                    ulong entry = ReadEntry(table, i);
                    if (EptEntry.IsPresent(entry) && !(level == PdLevel && EptEntry.IsLarge(entry)))
                    {
                        FreeTable(EptEntry.Address(entry), level + 1);
                    }
                }
            }
            _pages.FreePage(table);
        }

        private bool TableEmpty(ulong table)
        {
            for (int i = 0; i < EntriesPerTable; i++)
            {
                if (EptEntry.IsPresent(ReadEntry(table, i)))
                {
                    return false;
                }
            }
            return true;
        }

        /// <summary>Index into the table at depth <paramref name="level"/> (0 = PML4 … 3 = PT) for <paramref name="gpa"/>.</summary>
        internal static int IndexAt(ulong gpa, int level)
        {
            return (int)((gpa >> (39 - 9 * level)) & (EntriesPerTable - 1));
        }

        private static bool ValidPermissions(EptPermissions permissions)
        {
            return permissions == EptPermissions.Read || permissions == EptPermissions.ReadWrite
                || permissions == EptPermissions.ReadExecute || permissions == EptPermissions.ReadWriteExecute;
        }

        private static bool ValidMemoryType(EptMemoryType type)
        {
            return type == EptMemoryType.Uncacheable || type == EptMemoryType.WriteCombining
                || type == EptMemoryType.WriteThrough || type == EptMemoryType.WriteProtected
                || type == EptMemoryType.WriteBack;
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
