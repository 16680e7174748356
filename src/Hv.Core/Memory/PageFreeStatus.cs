namespace Hv.Core.Memory
{
    /// <summary>Why <see cref="PageAllocator.Free"/> refused an address (it changes nothing when it refuses).</summary>
    public enum PageFreeStatus
    {
        Ok,
        /// <summary>Not a multiple of 4 KiB.</summary>
        Unaligned,
        /// <summary>Beyond the highest usable address.</summary>
        OutOfRange,
        /// <summary>Inside the allocator's span but not usable memory (reserved by firmware or the host).</summary>
        Reserved,
        /// <summary>The page is already free.</summary>
        DoubleFree,
    }
}
