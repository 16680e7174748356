namespace Hv.Core.Memory
{
    /// <summary>
    /// Encoding of one 64-bit EPT paging-structure entry (SDM Vol. 3C §28.3.2, Tables 28-1 to 28-6).
    /// Bits 2:0 R/W/X; in a leaf, 5:3 memory type, 6 ignore-PAT; bit 7 marks a 2 MiB leaf in a PDE;
    /// bits 51:12 the physical address of the next table or of the page. Accessed/dirty flags (bits 8, 9)
    /// are left 0: the EPTP does not enable them.
    /// </summary>
    public static class EptEntry
    {
        public const ulong Read = 1UL << 0;
        public const ulong Write = 1UL << 1;
        public const ulong Execute = 1UL << 2;
        public const ulong PermissionMask = Read | Write | Execute;
        public const int MemoryTypeShift = 3;
        public const ulong MemoryTypeMask = 7UL << MemoryTypeShift;
        public const ulong IgnorePat = 1UL << 6;
        public const ulong LargePage = 1UL << 7;
        /// <summary>Bits 51:12: the widest physical address the architecture allows (MAXPHYADDR ≤ 52).</summary>
        public const ulong AddressMask = 0x000F_FFFF_FFFF_F000UL;

        /// <summary>
        /// An entry pointing at the next-level table. Non-leaf entries grant RWX so the leaf alone decides
        /// access (the effective permission is the AND over the walk); bits 7:3 must be 0 here (28.3.2).
        /// </summary>
        public static ulong Table(ulong tablePhysical)
        {
            return (tablePhysical & AddressMask) | PermissionMask;
        }

        /// <summary>
        /// A leaf mapping a 4 KiB page (PTE) or, with <paramref name="large"/>, a 2 MiB page (PDE).
        /// Ignore-PAT is set for write-back so the guest's PAT cannot make host RAM uncached behind the
        /// host's back (the EPT type is then final, 28.3.7.2); other types leave the guest's PAT in play,
        /// which can only make access stricter.
        /// </summary>
        public static ulong Leaf(ulong physical, EptPermissions permissions, EptMemoryType type, bool large)
        {
            ulong entry = (physical & AddressMask) | ((ulong)permissions & PermissionMask)
                | ((ulong)type << MemoryTypeShift);
            if (type == EptMemoryType.WriteBack)
            {
                entry |= IgnorePat;
            }
            if (large)
            {
                entry |= LargePage;
            }
            return entry;
        }

        /// <summary>An entry is present when any of R/W/X is set (28.3.2).</summary>
        public static bool IsPresent(ulong entry)
        {
            return (entry & PermissionMask) != 0;
        }

        public static bool IsLarge(ulong entry)
        {
            return (entry & LargePage) != 0;
        }

        public static ulong Address(ulong entry)
        {
            return entry & AddressMask;
        }

        public static EptPermissions Permissions(ulong entry)
        {
            return (EptPermissions)(entry & PermissionMask);
        }

        public static EptMemoryType MemoryType(ulong entry)
        {
            return (EptMemoryType)((entry & MemoryTypeMask) >> MemoryTypeShift);
        }

        /// <summary>The same leaf with other permissions; address, type and flags are kept.</summary>
        public static ulong WithPermissions(ulong entry, EptPermissions permissions)
        {
            return (entry & ~PermissionMask) | ((ulong)permissions & PermissionMask);
        }

        /// <summary>
        /// The EPT pointer for a 4-level tree rooted at <paramref name="pml4"/> (SDM 24.6.11): PML4 address | memory type WB
        /// (6) for the paging structures | (page-walk length 4 − 1) &lt;&lt; 3; bit 6 (accessed/dirty flags) stays 0.
        /// </summary>
        public static ulong PointerFor(ulong pml4)
        {
            return (pml4 & AddressMask) | (ulong)EptMemoryType.WriteBack | ((4UL - 1) << 3);
        }

        /// <summary>
        /// Index into the table at depth <paramref name="level"/> (0 = PML4 bits 47:39, 1 = PDPT 38:30, 2 = PD 29:21,
        /// 3 = PT 20:12) that translates <paramref name="gpa"/> (SDM 28.3.2).
        /// </summary>
        public static int IndexAt(ulong gpa, int level)
        {
            return (int)((gpa >> (39 - 9 * level)) & 0x1FF);
        }
    }
}
