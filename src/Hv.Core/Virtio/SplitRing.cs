namespace Hv.Core.Virtio
{
    /// <summary>
    /// The split virtqueue's memory format (virtio 1.2, 2.7): descriptors, the available (driver) ring and the used
    /// (device) ring, all little-endian. Shared by the device side (Devices/Virtio) and the host's driver side
    /// (Drivers/Virtio).
    /// </summary>
    public static class SplitRing
    {
        /// <summary>Largest queue size a split ring may have (2.7).</summary>
        public const ushort MaxQueueSize = 32768;

        // struct virtq_desc: addr u64, len u32, flags u16, next u16.
        public const int DescriptorBytes = 16;
        public const int DescriptorLength = 8;
        public const int DescriptorFlags = 12;
        public const int DescriptorNextIndex = 14;
        public const ushort DescriptorNext = 1;      // VIRTQ_DESC_F_NEXT
        public const ushort DescriptorWrite = 2;     // VIRTQ_DESC_F_WRITE: the device writes this buffer
        public const ushort DescriptorIndirect = 4;  // VIRTQ_DESC_F_INDIRECT

        // struct virtq_avail and virtq_used: flags u16, idx u16, then the ring entries.
        public const int RingFlags = 0;
        public const int RingIndex = 2;
        public const int RingEntries = 4;
        /// <summary>struct virtq_used_elem: id u32, len u32.</summary>
        public const int UsedEntryBytes = 8;
        public const ushort AvailNoInterrupt = 1;    // VIRTQ_AVAIL_F_NO_INTERRUPT
    }
}
