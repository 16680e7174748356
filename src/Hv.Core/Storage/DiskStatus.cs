namespace Hv.Core.Storage
{
    /// <summary>Outcome of a disk image operation.</summary>
    public enum DiskStatus
    {
        Ok,
        /// <summary>Zero sectors, or more than <see cref="DiskImage.MaxSectors"/>.</summary>
        InvalidSize,
        /// <summary>The disk would be larger than the host memory it may occupy (a disk lives in RAM).</summary>
        TooLarge,
        /// <summary>No page source or sharing, a sharing that counts another source's pages, or a disk of another store.</summary>
        InvalidArgument,
        /// <summary>Some of [offset, offset + length) lies beyond the end of the disk; nothing was done.</summary>
        OutOfRange,
        /// <summary>The host had no page for a write (or a copy-on-write copy); bytes before the failing page are written.</summary>
        OutOfMemory,
        /// <summary>The image was released and holds no data any more.</summary>
        Released,
    }
}
