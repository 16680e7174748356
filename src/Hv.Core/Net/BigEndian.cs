using System;

namespace Hv.Core.Net
{
    /// <summary>
    /// Network byte order (RFC 1700, "big-endian") field reads and writes on spans. Callers check lengths first;
    /// a slip is still caught by the span's bounds check rather than reading past the packet.
    /// </summary>
    public static class BigEndian
    {
        public static ushort ReadUInt16(ReadOnlySpan<byte> data, int offset)
        {
            return (ushort)((data[offset] << 8) | data[offset + 1]);
        }

        public static uint ReadUInt32(ReadOnlySpan<byte> data, int offset)
        {
            return ((uint)data[offset] << 24) | ((uint)data[offset + 1] << 16) | ((uint)data[offset + 2] << 8) | data[offset + 3];
        }

        public static void WriteUInt16(Span<byte> data, int offset, ushort value)
        {
            data[offset] = (byte)(value >> 8);
            data[offset + 1] = (byte)value;
        }

        public static void WriteUInt32(Span<byte> data, int offset, uint value)
        {
            data[offset] = (byte)(value >> 24);
            data[offset + 1] = (byte)(value >> 16);
            data[offset + 2] = (byte)(value >> 8);
            data[offset + 3] = (byte)value;
        }

        /// <summary>Reads a 48-bit MAC address (first octet most significant).</summary>
        public static ulong ReadMac(ReadOnlySpan<byte> data, int offset)
        {
            ulong mac = 0;
            for (int i = 0; i < 6; i++)
            {
                mac = (mac << 8) | data[offset + i];
            }
            return mac;
        }

        public static void WriteMac(Span<byte> data, int offset, ulong mac)
        {
            for (int i = 0; i < 6; i++)
            {
                data[offset + i] = (byte)(mac >> (40 - 8 * i));
            }
        }

        public static void Copy(ReadOnlySpan<byte> source, Span<byte> destination)
        {
            for (int i = 0; i < source.Length; i++)
            {
                destination[i] = source[i];
            }
        }
    }
}
