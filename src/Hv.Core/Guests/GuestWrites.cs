using System;
using Hv.Core.Memory;

namespace Hv.Core.Guests
{
    /// <summary>Small typed writes into guest memory for the loaders (no allocation).</summary>
    internal static class GuestWrites
    {
        public static bool UInt64(GuestMemoryAccess memory, ulong gpa, ulong value)
        {
            Span<byte> bytes = stackalloc byte[8];
            LittleEndian.WriteUInt64(bytes, 0, value);
            return memory.Write(gpa, bytes);
        }

        /// <summary>Zeroes [gpa, gpa+length): memory may be reused, so bss and tables are never assumed clean.</summary>
        public static bool Zero(GuestMemoryAccess memory, ulong gpa, ulong length)
        {
            Span<byte> zeros = stackalloc byte[256];
            // Explicit: the image build may skip local initialisation.
            for (int i = 0; i < zeros.Length; i++)
            {
                zeros[i] = 0;
            }
            while (length > 0)
            {
                int chunk = length < 256 ? (int)length : 256;
                if (!memory.Write(gpa, zeros.Slice(0, chunk)))
                {
                    return false;
                }
                gpa += (ulong)chunk;
                length -= (ulong)chunk;
            }
            return true;
        }
    }
}
