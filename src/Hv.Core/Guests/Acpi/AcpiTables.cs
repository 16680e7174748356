using System;
using Hv.Core.Memory;

namespace Hv.Core.Guests.Acpi
{
    /// <summary>
    /// Lays out and writes a guest's ACPI tables at <see cref="GuestLayout.AcpiTablesAddress"/> (reserved in its e820
    /// map, inside the 0xE0000-0xFFFFF area kernels search for the RSDP): RSDP → XSDT → { FADT → { FACS, DSDT }, MADT }.
    /// The tables describe <see cref="Hv.Core.Devices.Pc.PcLayout"/>; they are the same for every VM, so the block is
    /// built once and copied.
    /// </summary>
    public static class AcpiTables
    {
        public const ulong RsdpAddress = GuestLayout.AcpiTablesAddress;

        // Offsets from the start of the block; each table 16-byte aligned, the FACS 64-byte aligned.
        public const int XsdtOffset = 0x40;
        public const int FadtOffset = 0x80;
        public const int FacsOffset = 0x1C0;
        public const int MadtOffset = 0x200;
        public const int DsdtOffset = 0x280;
        public const int Size = 0x400;

        private static readonly byte[] Block = Build();

        /// <summary>The most processors the MADT's place (up to the DSDT) has room for.</summary>
        public const int MaxProcessors = 4;

        /// <summary>
        /// Writes the tables for a VM with <paramref name="processors"/> vCPUs (1..<see cref="MaxProcessors"/>) into guest
        /// memory: the shared block, then for several vCPUs their MADT over the block's; false if memory refused a write.
        /// </summary>
        public static bool Write(GuestMemoryAccess memory, int processors)
        {
            if (!memory.Write(GuestLayout.AcpiTablesAddress, Block)) return false;
            if (processors == 1) return true;
            Span<byte> madt = stackalloc byte[DsdtOffset - MadtOffset];
            Madt.Write(madt, 0, processors);
            return memory.Write(GuestLayout.AcpiTablesAddress + MadtOffset, madt.Slice(0, Madt.SizeFor(processors)));
        }

        /// <summary>The block as it lands at <see cref="GuestLayout.AcpiTablesAddress"/> (a copy).</summary>
        public static byte[] Bytes()
        {
            byte[] copy = new byte[Size];
            for (int i = 0; i < Size; i++)
            {
                copy[i] = Block[i];
            }
            return copy;
        }

        private static byte[] Build()
        {
            byte[] block = new byte[Size];
            ulong at = GuestLayout.AcpiTablesAddress;
            ulong[] described = { at + FadtOffset, at + MadtOffset };
            Rsdp.Write(block, 0, at + XsdtOffset);
            Xsdt.Write(block, XsdtOffset, described);
            Fadt.Write(block, FadtOffset, at + FacsOffset, at + DsdtOffset);
            Facs.Write(block, FacsOffset);
            Madt.Write(block, MadtOffset, 1);
            Dsdt.Write(block, DsdtOffset);
            return block;
        }
    }
}
