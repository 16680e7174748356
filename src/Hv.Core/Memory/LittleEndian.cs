using System;

namespace Hv.Core.Memory
{
    /// <summary>
    /// Little-endian field reads and writes on byte spans (the image has no BitConverter or
    /// BinaryPrimitives). Callers bound-check first; these index the span, so a slip is caught by the span
    /// bounds check in .NET rather than silently reading past a structure.
    /// </summary>
    public static class LittleEndian
    {
        public static ushort ReadUInt16(ReadOnlySpan<byte> data, int offset)
        {
            return (ushort)(data[offset] | (data[offset + 1] << 8));
        }

        public static uint ReadUInt32(ReadOnlySpan<byte> data, int offset)
        {
            return (uint)data[offset]
                | ((uint)data[offset + 1] << 8)
                | ((uint)data[offset + 2] << 16)
                | ((uint)data[offset + 3] << 24);
        }

        public static ulong ReadUInt64(ReadOnlySpan<byte> data, int offset)
        {
            return ReadUInt32(data, offset) | ((ulong)ReadUInt32(data, offset + 4) << 32);
        }

        public static void WriteUInt16(Span<byte> data, int offset, ushort value)
        {
            data[offset] = (byte)value;
            data[offset + 1] = (byte)(value >> 8);
        }

        public static void WriteUInt32(Span<byte> data, int offset, uint value)
        {
            data[offset] = (byte)value;
            data[offset + 1] = (byte)(value >> 8);
            data[offset + 2] = (byte)(value >> 16);
            data[offset + 3] = (byte)(value >> 24);
        }

        public static void WriteUInt64(Span<byte> data, int offset, ulong value)
        {
            WriteUInt32(data, offset, (uint)value);
            WriteUInt32(data, offset + 4, (uint)(value >> 32));
        }
    }
}
