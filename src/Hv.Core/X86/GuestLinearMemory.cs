using System;
using Hv.Core.Memory;

namespace Hv.Core.X86
{
    /// <summary>
    /// Copies between a guest's linear address space and host buffers, one page piece at a time through
    /// <see cref="GuestPageWalker"/>, so a range may cross into a page mapped elsewhere. A copy stops at the first piece
    /// that does not translate or lies outside guest memory and reports how many bytes were done (an instruction fetch
    /// can use a partial read: the instruction may end before the bad page).
    /// </summary>
    public static class GuestLinearMemory
    {
        /// <summary>Reads <paramref name="destination"/>.Length bytes at <paramref name="linear"/>; <paramref name="done"/> says how many were read.</summary>
        public static TranslationStatus Read(GuestMemoryAccess memory, PagingContext paging, ulong linear, uint access,
            Span<byte> destination, out int done, out uint faultCode)
        {
            return Copy(memory, paging, linear, access, destination, false, out done, out faultCode);
        }

        /// <summary>Writes <paramref name="source"/> at <paramref name="linear"/>; <paramref name="done"/> says how many bytes were written.</summary>
        public static TranslationStatus Write(GuestMemoryAccess memory, PagingContext paging, ulong linear, uint access,
            Span<byte> source, out int done, out uint faultCode)
        {
            return Copy(memory, paging, linear, access | PageAccess.Write, source, true, out done, out faultCode);
        }

        private static TranslationStatus Copy(GuestMemoryAccess memory, PagingContext paging, ulong linear, uint access,
            Span<byte> buffer, bool write, out int done, out uint faultCode)
        {
            done = 0;
            faultCode = 0;
            while (done < buffer.Length)
            {
                ulong address = (linear + (ulong)done) & paging.LinearMask;
                int piece = (int)(GuestPageWalker.PageSize - (address & (GuestPageWalker.PageSize - 1)));
                if (piece > buffer.Length - done) piece = buffer.Length - done;
                ulong gpa;
                TranslationStatus status = GuestPageWalker.Translate(memory, paging, address, access, out gpa, out faultCode);
                if (status != TranslationStatus.Ok) return status;
                Span<byte> part = buffer.Slice(done, piece);
                bool copied = write ? memory.Write(gpa, part) : memory.Read(gpa, part);
                if (!copied) return TranslationStatus.OutsideMemory;
                done += piece;
            }
            return TranslationStatus.Ok;
        }
    }
}
