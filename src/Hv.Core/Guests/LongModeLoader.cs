using System;
using Hv.Core.Memory;
using Hv.Core.Vmx.Arch;

namespace Hv.Core.Guests
{
    /// <summary>
    /// Loads a flat 64-bit binary at 1 MiB and starts it already in long mode: the hypervisor builds what a
    /// boot loader would (identity page tables with 2 MiB pages over all RAM, a flat GDT), so a test guest
    /// needs no mode-switch code. Paging structures: SDM Vol. 3A §4.5 (4-level paging).
    /// </summary>
    public static class LongModeLoader
    {
        public const ulong LoadAddress = GuestLayout.HighMemoryStart;
        /// <summary>Room kept free below the initial RSP so the image never sits in the stack's way.</summary>
        public const ulong StackReserve = 0x1000;

        private const ulong OneGiB = 1UL << 30;
        private const ulong TwoMiB = 1UL << 21;
        private const ulong TableSize = 0x1000;
        private const int EntriesPerTable = 512;
        // Paging-entry bits (Vol. 3A Tables 4-15 to 4-18): present, writable, page size (2 MiB leaf).
        private const ulong Present = 1UL << 0;
        private const ulong Writable = 1UL << 1;
        private const ulong PageSize = 1UL << 7;

        private const ulong Pml4Address = GuestLayout.PageTablesAddress;
        private const ulong PdptAddress = Pml4Address + TableSize;
        private const ulong FirstPdAddress = PdptAddress + TableSize;

        public static GuestLoadStatus Load(ReadOnlySpan<byte> image, GuestMemoryAccess memory, ulong ramSize,
            GuestEntryState state)
        {
            if (image.Length == 0)
            {
                return GuestLoadStatus.ImageEmpty;
            }
            if (ramSize < LoadAddress + StackReserve || (ulong)image.Length > ramSize - LoadAddress - StackReserve)
            {
                return GuestLoadStatus.DoesNotFit;
            }
            // One page directory per GiB, all below the image: checked before any arithmetic on ramSize.
            if (ramSize > (LoadAddress - FirstPdAddress) / TableSize * OneGiB)
            {
                return GuestLoadStatus.RamTooLarge;
            }
            ulong directories = (ramSize + OneGiB - 1) / OneGiB;

            if (!WritePageTables(memory, ramSize, directories)
                || !GuestWrites.UInt64(memory, GuestLayout.RamSizeAddress, ramSize)
                || !memory.Write(LoadAddress, image))
            {
                return GuestLoadStatus.WriteFailed;
            }
            state.Reset();
            if (!FlatGdt.Install(memory, true, state))
            {
                return GuestLoadStatus.WriteFailed;
            }
            // IDTR limit 0: the guest installs its own IDT; until then any exception triple-faults, which
            // the hypervisor sees as an exit rather than as undefined behaviour.
            state.Cr0 = ControlRegisterBits.Cr0ProtectionEnable | ControlRegisterBits.Cr0ExtensionType
                | ControlRegisterBits.Cr0Paging;
            state.Cr3 = Pml4Address;
            state.Cr4 = ControlRegisterBits.Cr4PhysicalAddressExtension;
            state.Efer = ControlRegisterBits.EferLongModeEnable | ControlRegisterBits.EferLongModeActive;
            state.Rflags = ControlRegisterBits.RflagsReserved1;
            state.Rip = LoadAddress;
            state.Rsp = ramSize & ~0xFUL;
            return GuestLoadStatus.Ok;
        }

        /// <summary>
        /// PML4[0] → PDPT; PDPT[i] → PD i; PD entries map 2 MiB pages up to the end of RAM (rounded up to
        /// 2 MiB; anything beyond RAM inside that page is still caught by the EPT). Every table is written
        /// whole, so stale bytes from a previous use of the memory cannot survive as mappings.
        /// </summary>
        private static bool WritePageTables(GuestMemoryAccess memory, ulong ramSize, ulong directories)
        {
            ulong largePages = (ramSize + TwoMiB - 1) / TwoMiB;
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
