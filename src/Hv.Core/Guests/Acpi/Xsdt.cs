using System;
using Hv.Core.Memory;

namespace Hv.Core.Guests.Acpi
{
    /// <summary>The Extended System Description Table (ACPI 6.4 §5.2.8): 64-bit addresses of the other tables but the DSDT and FACS.</summary>
    public static class Xsdt
    {
        public const string Signature = "XSDT";

        public static int Size(int entries)
        {
            return AcpiTable.HeaderSize + entries * 8;
        }

        public static void Write(Span<byte> buffer, int offset, ReadOnlySpan<ulong> tables)
        {
            int length = Size(tables.Length);
            AcpiTable.WriteHeader(buffer, offset, Signature, length, 1);
            for (int i = 0; i < tables.Length; i++)
            {
                LittleEndian.WriteUInt64(buffer, offset + AcpiTable.HeaderSize + i * 8, tables[i]);
            }
            AcpiTable.Seal(buffer, offset, length, AcpiTable.ChecksumOffset);
        }
    }
}
