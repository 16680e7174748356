using System;
using Hv.Core.Memory;

namespace Hv.Core.Guests.Acpi
{
    /// <summary>
    /// The Firmware ACPI Control Structure (ACPI 6.4 §5.2.10), which a FADT without HW_REDUCED_ACPI points at: the
    /// global lock and waking vector live here. 64 bytes, 64-byte aligned, no checksum; all zero but its header.
    /// </summary>
    public static class Facs
    {
        public const string Signature = "FACS";
        public const int Size = 64;
        public const int Alignment = 64;
        public const int VersionOffset = 32;

        public static void Write(Span<byte> buffer, int offset)
        {
            for (int i = 0; i < Size; i++)
            {
                buffer[offset + i] = 0;
            }
            AcpiTable.Ascii(buffer, offset, Signature, 4);
            LittleEndian.WriteUInt32(buffer, offset + 4, Size);
            buffer[offset + VersionOffset] = 2;
        }
    }
}
