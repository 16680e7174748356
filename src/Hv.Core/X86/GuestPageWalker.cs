using System;
using Hv.Core.Memory;

namespace Hv.Core.X86
{
    /// <summary>
    /// Translates a guest linear address to guest-physical by walking the guest's own page tables (SDM Vol. 3A ch. 4):
    /// no paging, 32-bit paging (4 MiB pages with CR4.PSE, PSE-36), PAE paging (2 MiB pages), 4- and 5-level paging
    /// (2 MiB and 1 GiB pages), with the R/W, U/S, XD, CR0.WP and SMEP checks. Every table read goes through the guest's
    /// <see cref="GuestMemoryAccess"/>, which is all-or-nothing, so a hostile CR3 or entry can point anywhere and the
    /// walk only ends with <see cref="TranslationStatus.OutsideMemory"/>.
    /// The walker reads but never sets accessed/dirty bits: it serves emulation of accesses the guest's CPU already
    /// began (an MMIO instruction it fetched, a string I/O operand), and the PAE PDPTEs come from memory rather than
    /// the VMCS copies, which match them unless the guest changed them without reloading CR3. SMAP is not checked.
    /// </summary>
    public static class GuestPageWalker
    {
        public const ulong PageSize = 4096;
        private const ulong AddressMask = 0x000FFFFFFFFFF000UL;
        private const ulong PresentBit = 1UL << 0;
        private const ulong WritableBit = 1UL << 1;
        private const ulong UserBit = 1UL << 2;
        private const ulong LargePageBit = 1UL << 7;
        private const ulong NoExecuteBit = 1UL << 63;

        /// <summary>
        /// Translates <paramref name="linear"/> for an access of kind <paramref name="access"/> (<see cref="PageAccess"/>
        /// bits). On <see cref="TranslationStatus.PageFault"/>, <paramref name="faultCode"/> is the #PF error code.
        /// </summary>
        public static TranslationStatus Translate(GuestMemoryAccess memory, PagingContext paging, ulong linear, uint access,
            out ulong gpa, out uint faultCode)
        {
            gpa = 0;
            faultCode = 0;
            if (!paging.PagingEnabled)
            {
                gpa = linear & paging.LinearMask;
                return TranslationStatus.Ok;
            }
            if (paging.LongMode) return WalkLongMode(memory, paging, linear, access, out gpa, out faultCode);
            linear &= 0xFFFFFFFFUL;
            if (paging.Pae) return WalkPae(memory, paging, linear, access, out gpa, out faultCode);
            return Walk32(memory, paging, linear, access, out gpa, out faultCode);
        }

        private static TranslationStatus WalkLongMode(GuestMemoryAccess memory, PagingContext paging, ulong linear, uint access,
            out ulong gpa, out uint faultCode)
        {
            gpa = 0;
            faultCode = 0;
            int levels = (paging.Cr4 & PagingContext.Cr4FiveLevelPaging) != 0 ? 5 : 4;
            int topBit = levels == 5 ? 56 : 47;
            // Canonical: bits 63:topBit all equal.
            ulong high = linear >> topBit;
            if (high != 0 && high != (ulong.MaxValue >> topBit)) return TranslationStatus.NonCanonical;
            return WalkTables(memory, paging, linear, access, paging.Cr3 & AddressMask, levels, 8, out gpa, out faultCode);
        }

        // PAE: CR3 points at four PDPTEs (32-byte aligned) selected by bits 31:30; R/W and U/S do not exist in them.
        private static TranslationStatus WalkPae(GuestMemoryAccess memory, PagingContext paging, ulong linear, uint access,
            out ulong gpa, out uint faultCode)
        {
            gpa = 0;
            faultCode = 0;
            ulong pdpte;
            ulong pdpteAddress = (paging.Cr3 & 0xFFFFFFE0UL) + ((linear >> 30) & 3) * 8;
            if (!ReadEntry(memory, pdpteAddress, 8, out pdpte)) return TranslationStatus.OutsideMemory;
            if ((pdpte & PresentBit) == 0) return Fault(access, 0, out faultCode);
            return WalkTables(memory, paging, linear, access, pdpte & AddressMask, 2, 8, out gpa, out faultCode);
        }

        private static TranslationStatus Walk32(GuestMemoryAccess memory, PagingContext paging, ulong linear, uint access,
            out ulong gpa, out uint faultCode)
        {
            return WalkTables(memory, paging, linear, access, paging.Cr3 & 0xFFFFF000UL, 2, 4, out gpa, out faultCode);
        }

        // Walks from a table at level `level` (1 = page table) down. 8-byte entries index 9 bits per level, 4-byte
        // entries (32-bit paging) 10 bits. Large pages: level 2 and 3 with 8-byte entries, level 2 with CR4.PSE for
        // 4-byte entries. The permissions are the AND of R/W and U/S and the OR of XD over the walk (SDM §4.6).
        private static TranslationStatus WalkTables(GuestMemoryAccess memory, PagingContext paging, ulong linear, uint access,
            ulong table, int level, int entryBytes, out ulong gpa, out uint faultCode)
        {
            gpa = 0;
            faultCode = 0;
            int bitsPerLevel = entryBytes == 8 ? 9 : 10;
            ulong rights = WritableBit | UserBit;
            bool noExecute = false;
            for (; level >= 1; level--)
            {
                int shift = 12 + bitsPerLevel * (level - 1);
                ulong index = (linear >> shift) & ((1UL << bitsPerLevel) - 1);
                ulong entry;
                if (!ReadEntry(memory, table + index * (ulong)entryBytes, entryBytes, out entry)) return TranslationStatus.OutsideMemory;
                if ((entry & PresentBit) == 0) return Fault(access, 0, out faultCode);
                if ((entry & NoExecuteBit) != 0 && !paging.NoExecute) return Fault(access, PageAccess.ReservedBit | PageAccess.Present, out faultCode);
                rights &= entry;
                noExecute |= (entry & NoExecuteBit) != 0;

                bool sized = (entry & LargePageBit) != 0 && level >= 2;
                if (sized)
                {
                    bool allowed = entryBytes == 8 ? level <= 3 : (paging.Cr4 & PagingContext.Cr4PageSizeExtensions) != 0;
                    if (!allowed && entryBytes == 8) return Fault(access, PageAccess.ReservedBit | PageAccess.Present, out faultCode);
                    if (!allowed) sized = false; // without CR4.PSE a 32-bit PDE's bit 7 is ignored
                }
                if (level == 1 || sized)
                {
                    ulong pageMask = (1UL << shift) - 1;
                    ulong frame;
                    if (!sized) frame = entry & (entryBytes == 8 ? AddressMask : 0xFFFFF000UL);
                    else if (entryBytes == 4) frame = (entry & 0xFFC00000UL) | (((entry >> 13) & 0xFF) << 32); // PSE-36
                    else
                    {
                        // Bits 12 (PAT) .. shift-1 hold no address in a large page; set ones are reserved.
                        if ((entry & AddressMask & pageMask & ~(1UL << 12)) != 0)
                        {
                            return Fault(access, PageAccess.ReservedBit | PageAccess.Present, out faultCode);
                        }
                        frame = entry & AddressMask & ~pageMask;
                    }
                    return Finish(paging, access, rights, noExecute, frame | (linear & pageMask), out gpa, out faultCode);
                }
                table = entry & (entryBytes == 8 ? AddressMask : 0xFFFFF000UL);
            }
            return TranslationStatus.OutsideMemory; // not reached: level 1 always returns
        }

        // The access checks of SDM §4.6 on the combined rights of a complete walk.
        private static TranslationStatus Finish(PagingContext paging, uint access, ulong rights, bool noExecute, ulong address,
            out ulong gpa, out uint faultCode)
        {
            gpa = 0;
            faultCode = 0;
            bool user = (access & PageAccess.User) != 0;
            bool userPage = (rights & UserBit) != 0;
            if (user && !userPage) return Fault(access, PageAccess.Present, out faultCode);
            if ((access & PageAccess.Write) != 0 && (rights & WritableBit) == 0 && (user || paging.WriteProtect))
            {
                return Fault(access, PageAccess.Present, out faultCode);
            }
            if ((access & PageAccess.Fetch) != 0)
            {
                if (noExecute && paging.NoExecute) return Fault(access, PageAccess.Present, out faultCode);
                if (!user && userPage && (paging.Cr4 & PagingContext.Cr4SupervisorExecuteProtection) != 0)
                {
                    return Fault(access, PageAccess.Present, out faultCode);
                }
            }
            gpa = address;
            return TranslationStatus.Ok;
        }

        private static TranslationStatus Fault(uint access, uint cause, out uint faultCode)
        {
            faultCode = cause | (access & (PageAccess.Write | PageAccess.User | PageAccess.Fetch));
            return TranslationStatus.PageFault;
        }

        private static bool ReadEntry(GuestMemoryAccess memory, ulong gpa, int bytes, out ulong entry)
        {
            Span<byte> raw = stackalloc byte[8];
            entry = 0;
            if (!memory.Read(gpa, raw.Slice(0, bytes))) return false;
            entry = bytes == 8 ? LittleEndian.ReadUInt64(raw, 0) : LittleEndian.ReadUInt32(raw, 0);
            return true;
        }
    }
}
