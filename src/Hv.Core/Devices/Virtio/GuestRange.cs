using System;
using Hv.Core.Memory;

namespace Hv.Core.Devices.Virtio
{
    /// <summary>
    /// Checks that a guest-physical range exists before a device commits to using it, so a request whose buffer
    /// runs off the end of RAM is refused before anything is read or written. Guest memory is made of whole
    /// 4 KiB pages (EPT granularity), so touching one byte of every page of the range proves all of it.
    /// </summary>
    internal static class GuestRange
    {
        private const ulong PageSize = 4096;

        public static bool Present(GuestMemoryAccess memory, ulong start, ulong length)
        {
            if (length == 0)
            {
                return true;
            }
            ulong last = start + (length - 1);
            if (last < start)
            {
                return false;
            }
            Span<byte> probe = stackalloc byte[1];
            ulong at = start;
            while (true)
            {
                if (!memory.Read(at, probe))
                {
                    return false;
                }
                ulong nextPage = (at & ~(PageSize - 1)) + PageSize;
                if (nextPage == 0 || nextPage > last)
                {
                    return true;
                }
                at = nextPage;
            }
        }
    }
}
