using System;
using Hv.Core.Memory;

namespace Hv.Core.Guests.Acpi
{
    /// <summary>
    /// What every ACPI system description table shares (ACPI 6.4 §5.2.6): the 36-byte header and the byte checksum
    /// that makes the whole table sum to zero; also the Generic Address Structure (§5.2.3.2) several tables use.
    /// </summary>
    public static class AcpiTable
    {
        public const int HeaderSize = 36;
        public const int LengthOffset = 4;
        public const int ChecksumOffset = 9;
        public const int GenericAddressSize = 12;
        /// <summary>GAS address space IDs: system memory, system I/O.</summary>
        public const byte SystemMemory = 0;
        public const byte SystemIo = 1;
        /// <summary>GAS access sizes: undefined, byte, word, dword.</summary>
        public const byte AccessUndefined = 0;
        public const byte AccessByte = 1;
        public const byte AccessWord = 2;
        public const byte AccessDword = 3;

        public const string OemId = "HV    ";
        public const string OemTableId = "HVPLATFM";
        public const string CreatorId = "HV  ";

        /// <summary>Writes the header of a table of <paramref name="length"/> bytes at <paramref name="offset"/> (checksum 0 for now).</summary>
        public static void WriteHeader(Span<byte> buffer, int offset, string signature, int length, byte revision)
        {
            Ascii(buffer, offset, signature, 4);
            LittleEndian.WriteUInt32(buffer, offset + LengthOffset, (uint)length);
            buffer[offset + 8] = revision;
            buffer[offset + ChecksumOffset] = 0;
            Ascii(buffer, offset + 10, OemId, 6);
            Ascii(buffer, offset + 16, OemTableId, 8);
            LittleEndian.WriteUInt32(buffer, offset + 24, 1);
            Ascii(buffer, offset + 28, CreatorId, 4);
            LittleEndian.WriteUInt32(buffer, offset + 32, 1);
        }

        /// <summary>Sets the byte at <paramref name="checksumOffset"/> so bytes [offset, offset+length) sum to zero.</summary>
        public static void Seal(Span<byte> buffer, int offset, int length, int checksumOffset)
        {
            buffer[offset + checksumOffset] = 0;
            buffer[offset + checksumOffset] = (byte)(0 - Sum(buffer.Slice(offset, length)));
        }

        public static byte Sum(ReadOnlySpan<byte> bytes)
        {
            byte sum = 0;
            for (int i = 0; i < bytes.Length; i++)
            {
                sum += bytes[i];
            }
            return sum;
        }

        /// <summary>A Generic Address Structure for a register block of <paramref name="bitWidth"/> bits (none when address is 0).</summary>
        public static void WriteGenericAddress(Span<byte> buffer, int offset, byte space, byte bitWidth, byte accessSize, ulong address)
        {
            bool none = address == 0;
            buffer[offset] = none ? (byte)0 : space;
            buffer[offset + 1] = none ? (byte)0 : bitWidth;
            buffer[offset + 2] = 0;
            buffer[offset + 3] = none ? (byte)0 : accessSize;
            LittleEndian.WriteUInt64(buffer, offset + 4, address);
        }

        /// <summary>ASCII text padded with spaces to <paramref name="width"/> bytes (OEM fields and signatures).</summary>
        public static void Ascii(Span<byte> buffer, int offset, string text, int width)
        {
            for (int i = 0; i < width; i++)
            {
                buffer[offset + i] = i < text.Length ? (byte)text[i] : (byte)' ';
            }
        }
    }
}
