using System;
using Hv.Core.Memory;

namespace Hv.Core.Guests.Acpi
{
    /// <summary>
    /// The Root System Description Pointer, revision 2 (ACPI 6.4 §5.2.5.3): points at the XSDT only (RSDT address 0).
    /// Its first 20 bytes have their own checksum, all 36 the extended one. Must sit 16-byte aligned.
    /// </summary>
    public static class Rsdp
    {
        public const int Size = 36;
        public const string Signature = "RSD PTR ";
        public const int ChecksumOffset = 8;
        public const int RevisionOffset = 15;
        public const int RsdtAddressOffset = 16;
        public const int LengthOffset = 20;
        public const int XsdtAddressOffset = 24;
        public const int ExtendedChecksumOffset = 32;
        /// <summary>The part the first checksum covers (the ACPI 1.0 structure).</summary>
        public const int V1Size = 20;

        public static void Write(Span<byte> buffer, int offset, ulong xsdtAddress)
        {
            AcpiTable.Ascii(buffer, offset, Signature, 8);
            AcpiTable.Ascii(buffer, offset + 9, AcpiTable.OemId, 6);
            buffer[offset + RevisionOffset] = 2;
            LittleEndian.WriteUInt32(buffer, offset + RsdtAddressOffset, 0);
            LittleEndian.WriteUInt32(buffer, offset + LengthOffset, Size);
            LittleEndian.WriteUInt64(buffer, offset + XsdtAddressOffset, xsdtAddress);
            for (int i = ExtendedChecksumOffset; i < Size; i++)
            {
                buffer[offset + i] = 0;
            }
            AcpiTable.Seal(buffer, offset, V1Size, ChecksumOffset);
            AcpiTable.Seal(buffer, offset, Size, ExtendedChecksumOffset);
        }
    }
}
