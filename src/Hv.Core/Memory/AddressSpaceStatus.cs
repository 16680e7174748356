namespace Hv.Core.Memory
{
    /// <summary>Outcome of <see cref="AddressSpace.Create"/> and <see cref="AddressSpace.Fork"/>; on failure nothing is left allocated.</summary>
    public enum AddressSpaceStatus
    {
        Ok,
        /// <summary>Zero, not a multiple of 4 KiB, or above <see cref="AddressSpace.MaxSize"/>.</summary>
        InvalidSize,
        /// <summary>No page source or sharing, or a sharing that counts another source's pages.</summary>
        InvalidArgument,
        /// <summary>The page source could not supply every page needed.</summary>
        OutOfMemory,
        /// <summary>The space was released; it has no memory left to fork.</summary>
        Released,
    }
}
