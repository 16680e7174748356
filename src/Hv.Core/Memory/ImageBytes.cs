using System;

namespace Hv.Core.Memory
{
    /// <summary>
    /// Bytes a template boots from (its image, a Linux initrd): a managed array (uploads, tests), or a boot module's
    /// pages used where the boot loader left them, which guests may map read-only instead of getting a copy
    /// (<see cref="GuestMemoryAccess.Place"/>).
    /// </summary>
    public abstract class ImageBytes
    {
        public abstract ReadOnlySpan<byte> Span { get; }

        public int Length { get { return Span.Length; } }

        /// <summary>
        /// Host-physical address of the first byte when the bytes stay where they are for good and their pages hold
        /// nothing else a guest must not see up to the last whole page (a page-aligned boot module); 0 otherwise.
        /// </summary>
        public virtual ulong PinnedAddress { get { return 0; } }

        /// <summary>Gives back the bytes and this object (an uploaded template that is removed).</summary>
        public abstract void Free();

        public static implicit operator ImageBytes(byte[] array)
        {
            return array == null ? null : new ArrayBytes(array);
        }
    }
}
