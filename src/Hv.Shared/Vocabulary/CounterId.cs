namespace Hv
{
    /// <summary>
    /// The per-VM counters Measure-HvVm shows, in the order a counters block carries them (GetVm, GetMetrics). Stable:
    /// new counters are appended and older readers skip them.
    /// </summary>
    public enum CounterId
    {
        TotalExits = 0,
        IoExits = 1,
        EptExits = 2,
        HltExits = 3,
        CpuidExits = 4,
        MsrExits = 5,
        InterruptExits = 6,
        OtherExits = 7,
        ConsoleBytesOut = 8,
        ConsoleBytesIn = 9,
        GuestTsc = 10,
        RunTimeMs = 11,
        /// <summary>Guest pages only this VM holds (its own and its copy-on-write copies): freed when it is removed.</summary>
        PrivatePages = 12,
        /// <summary>Guest pages this VM maps that are shared (copy-on-write) with a template, a snapshot or another VM.</summary>
        SharedPages = 13,
        /// <summary>Requests the VM's virtio disk completed (0 for a VM without a disk), and the bytes they moved.</summary>
        DiskReads = 14,
        DiskWrites = 15,
        DiskBytesRead = 16,
        DiskBytesWritten = 17,
        /// <summary>
        /// Frames and bytes the VM's network adapter sent and received (0 for a VM without one), and frames that went
        /// nowhere (malformed, sent with no switch, spoofed source, a full queue or a too-small receive buffer).
        /// </summary>
        NetworkFramesSent = 18,
        NetworkFramesReceived = 19,
        NetworkBytesSent = 20,
        NetworkBytesReceived = 21,
        NetworkDrops = 22,
        Count = 23,
    }
}
