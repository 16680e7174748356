namespace Hv.Core.Memory
{
    /// <summary>Outcome of <see cref="GuestMemory.Create"/>; on failure nothing stays allocated or mapped.</summary>
    public enum GuestMemoryStatus
    {
        Ok,
        /// <summary>Zero, not a multiple of 4 KiB, or above <see cref="GuestMemory.MaxSize"/>.</summary>
        InvalidSize,
        /// <summary>The page source could not supply every RAM page or EPT table.</summary>
        OutOfMemory,
        /// <summary>The EPT refused a mapping (e.g. the range was already mapped).</summary>
        MappingFailed,
    }
}
