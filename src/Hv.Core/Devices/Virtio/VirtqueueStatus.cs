namespace Hv.Core.Devices.Virtio
{
    /// <summary>
    /// Outcome of taking a buffer from, or returning one to, a split virtqueue. Everything after
    /// <see cref="Empty"/> is a driver error the device cannot recover from: the device sets DEVICE_NEEDS_RESET
    /// (virtio 1.2, 2.1.2) and counts it.
    /// </summary>
    public enum VirtqueueStatus
    {
        Ok,
        /// <summary>The driver has made no new buffer available.</summary>
        Empty,
        /// <summary>Queue size not a power of two, zero or above the maximum, or a ring misaligned (2.7, table of alignments).</summary>
        BadLayout,
        /// <summary>Part of the descriptor table or a ring lies outside guest memory.</summary>
        RingOutsideMemory,
        /// <summary>The available index moved by more than the queue size since the device last looked.</summary>
        AvailIndexJump,
        /// <summary>An available-ring entry names a descriptor beyond the table.</summary>
        HeadOutOfRange,
        /// <summary>A descriptor's next field names a descriptor beyond its table.</summary>
        NextOutOfRange,
        /// <summary>A chain visits more descriptors than its table holds: it loops (2.7.5: loops are forbidden).</summary>
        DescriptorLoop,
        /// <summary>A chain has more buffers than the queue size allows (2.7.5.3.1).</summary>
        ChainTooLong,
        /// <summary>A chain's buffers add up to more bytes than the device accepts in one request.</summary>
        ChainTooLarge,
        /// <summary>A buffer (address, length) is not entirely inside guest memory.</summary>
        BufferOutsideMemory,
        /// <summary>A descriptor of an indirect table could not be read from guest memory.</summary>
        DescriptorOutsideMemory,
        /// <summary>A device-readable buffer follows a device-writable one (2.7.4.2).</summary>
        ReadableAfterWritable,
        /// <summary>VIRTQ_DESC_F_INDIRECT without VIRTIO_F_INDIRECT_DESC negotiated.</summary>
        IndirectNotNegotiated,
        /// <summary>An indirect table inside an indirect table, or INDIRECT together with NEXT (2.7.5.3.1).</summary>
        BadIndirect,
        /// <summary>An indirect table whose length is zero, not a multiple of 16, or longer than the queue maximum.</summary>
        BadIndirectLength,
        /// <summary>Writing the used ring failed (the ring left guest memory, or the host had no page for a copy-on-write).</summary>
        UsedRingWriteFailed,
    }
}
