using System;

namespace Hv.Core.Memory
{
    /// <summary>
    /// Copies between a guest's physical address space and host buffers. Both calls are all-or-nothing: when
    /// any byte of [gpa, gpa + length) is outside the guest's memory they return false and copy nothing, so a
    /// hostile guest can never make the host read or write a partial or out-of-bounds range.
    /// </summary>
    public abstract class GuestMemoryAccess
    {
        public abstract bool Read(ulong gpa, Span<byte> destination);
        public abstract bool Write(ulong gpa, ReadOnlySpan<byte> source);

        /// <summary>
        /// <see cref="Write"/> of <paramref name="bytes"/>; guest memory that can map pinned host pages (an
        /// <see cref="AddressSpace"/>) maps them in place instead, so a big initrd costs no copy.
        /// </summary>
        public virtual bool Place(ulong gpa, ImageBytes bytes)
        {
            return Write(gpa, bytes.Span);
        }
    }
}
