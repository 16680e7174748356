using System;
using Hv.Core.Memory;
using Hv.Core.Vmx.Arch;

namespace Hv.Core.Guests
{
    /// <summary>
    /// Identity page tables over all of a guest's RAM with 2 MiB pages, at <see cref="GuestLayout.PageTablesAddress"/>:
    /// PML4, one PDPT, then one page directory per GiB (SDM Vol. 3A §4.5, 4-level paging). The loaders that start a
    /// guest in long mode (flat 64-bit binaries, Linux's 64-bit boot protocol) build these in place of a boot loader.
    /// </summary>
    internal static class IdentityPageTables
    {
        public const ulong Pml4Address = GuestLayout.PageTablesAddress;

        private const ulong OneGiB = 1UL << 30;
        private const ulong TwoMiB = 1UL << 21;
        private const ulong TableSize = 0x1000;
        private const int EntriesPerTable = 512;
        // Paging-entry bits (Vol. 3A Tables 4-15 to 4-18): present, writable, page size (2 MiB leaf).
        private const ulong Present = 1UL << 0;
        private const ulong Writable = 1UL << 1;
        private const ulong PageSize = 1UL << 7;

        private const ulong PdptAddress = Pml4Address + TableSize;
        private const ulong FirstPdAddress = PdptAddress + TableSize;

        /// <summary>The first byte after the tables that map <paramref name="ramSize"/> bytes.</summary>
        public static ulong End(ulong ramSize)
        {
            return FirstPdAddress + Directories(ramSize) * TableSize;
        }

        /// <summary>
        /// PML4[0] → PDPT; PDPT[i] → PD i; PD entries map 2 MiB pages up to the end of RAM (rounded up to 2 MiB;
        /// anything beyond RAM inside that page is still caught by the EPT). Every table is written whole, so stale
        /// bytes from a previous use of the memory cannot survive as mappings.
        /// </summary>
        public static bool Write(GuestMemoryAccess memory, ulong ramSize)
        {
            ulong directories = Directories(ramSize);
            ulong largePages = ramSize / TwoMiB + (ramSize % TwoMiB != 0 ? 1UL : 0UL);
            if (!WriteTable(memory, Pml4Address, PdptAddress, 1, TableSize, Present | Writable)
                || !WriteTable(memory, PdptAddress, FirstPdAddress, directories, TableSize, Present | Writable))
            {
                return false;
            }
            for (ulong d = 0; d < directories; d++)
            {
                ulong first = d * EntriesPerTable;
                ulong count = largePages - first < EntriesPerTable ? largePages - first : EntriesPerTable;
                if (!WriteTable(memory, FirstPdAddress + d * TableSize, first * TwoMiB, count, TwoMiB,
                    Present | Writable | PageSize))
                {
                    return false;
                }
            }
            return true;
        }

        /// <summary>
        /// Long mode with these tables (CR0 PE/ET/PG, CR4 PAE, EFER LME/LMA, CR3 → PML4) and interrupts off. IDTR stays
        /// limit 0: the guest installs its own IDT; until then any exception triple-faults, which the hypervisor sees as
        /// an exit rather than as undefined behaviour.
        /// </summary>
        public static void EnterLongMode(GuestEntryState state)
        {
            state.Cr0 = ControlRegisterBits.Cr0ProtectionEnable | ControlRegisterBits.Cr0ExtensionType | ControlRegisterBits.Cr0Paging;
            state.Cr3 = Pml4Address;
            state.Cr4 = ControlRegisterBits.Cr4PhysicalAddressExtension;
            state.Efer = ControlRegisterBits.EferLongModeEnable | ControlRegisterBits.EferLongModeActive;
            state.Rflags = ControlRegisterBits.RflagsReserved1;
        }

        private static ulong Directories(ulong ramSize)
        {
            return ramSize / OneGiB + (ramSize % OneGiB != 0 ? 1UL : 0UL); // no overflow for any size
        }

        /// <summary>A 512-entry table whose first <paramref name="count"/> entries point at consecutive targets.</summary>
        private static bool WriteTable(GuestMemoryAccess memory, ulong tableAddress, ulong firstTarget,
            ulong count, ulong stride, ulong flags)
        {
            // Written in 64-entry chunks to keep the stack buffer small.
            Span<byte> chunk = stackalloc byte[64 * 8];
            for (int start = 0; start < EntriesPerTable; start += 64)
            {
                for (int i = 0; i < 64; i++)
                {
                    ulong index = (ulong)(start + i);
                    ulong entry = index < count ? (firstTarget + index * stride) | flags : 0;
                    LittleEndian.WriteUInt64(chunk, i * 8, entry);
                }
                if (!memory.Write(tableAddress + (ulong)start * 8, chunk))
                {
                    return false;
                }
            }
            return true;
        }
    }
}
