using System;
using Hv.Core.Memory;

namespace Hv.Core.Guests.Linux
{
    /// <summary>
    /// The BIOS-style memory map a Linux guest finds in its zero page (e820_table, boot.rst "zero page"): RAM below
    /// 640 KiB, the ACPI tables' area reserved, RAM from 1 MiB to the end of guest memory. The legacy hole
    /// 0xA0000-0xDFFFF is left out (nothing is there; the kernel treats gaps as not RAM).
    /// </summary>
    public static class E820Map
    {
        public const uint TypeRam = 1;
        public const uint TypeReserved = 2;
        public const int EntrySize = 20;
        public const int EntryCount = 3;

        /// <summary>Writes the map into <paramref name="table"/> (room for <see cref="EntryCount"/> entries).</summary>
        public static void Write(Span<byte> table, ulong ramSize)
        {
            WriteEntry(table, 0, 0, GuestLayout.ConventionalMemoryEnd, TypeRam);
            WriteEntry(table, 1, GuestLayout.AcpiTablesAddress, GuestLayout.AcpiTablesEnd - GuestLayout.AcpiTablesAddress, TypeReserved);
            WriteEntry(table, 2, GuestLayout.HighMemoryStart, ramSize - GuestLayout.HighMemoryStart, TypeRam);
        }

        // struct boot_e820_entry: u64 addr, u64 size, u32 type (packed).
        private static void WriteEntry(Span<byte> table, int index, ulong address, ulong size, uint type)
        {
            int offset = index * EntrySize;
            LittleEndian.WriteUInt64(table, offset, address);
            LittleEndian.WriteUInt64(table, offset + 8, size);
            LittleEndian.WriteUInt32(table, offset + 16, type);
        }
    }
}
