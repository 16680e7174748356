namespace Hv.Core.Vm
{
    /// <summary>Outcome of a request to the <see cref="Hypervisor"/>.</summary>
    public enum HypervisorStatus
    {
        Ok,
        NotFound,
        InvalidState,
        InvalidArgument,
        /// <summary>A name <see cref="Text.NameRule"/> refuses.</summary>
        InvalidName,
        NameInUse,
        TooManyVms,
        OutOfMemory,
        LoadFailed,
        VcpuFailed,
        PrimeFailed,
        /// <summary>The VM's template gave it no disk drive (no disk= in its manifest): there is nothing to put media in.</summary>
        NoDiskDrive,
        /// <summary>The VM's drive is empty (Remove-HvVmHardDiskDrive): nothing to copy, snapshot, export or take out.</summary>
        NoMedia,
        /// <summary>The VM has snapshots, which hold the disk they captured: its media cannot change under them.</summary>
        HasSnapshots,
        /// <summary>No host disk image with that name.</summary>
        NoSuchDisk,
        /// <summary>A disk size that is not whole 512-byte sectors, is 0, or exceeds the host's limit.</summary>
        InvalidDiskSize,
        /// <summary>
        /// The VM has several vCPUs: an export image holds one vCPU's state, so it is refused rather than losing the
        /// application processors.
        /// </summary>
        SeveralProcessors,
        /// <summary>A processor count outside 1..<see cref="VcpuSet.MaxCount"/>, or above 1 for a VM whose template has no PC platform.</summary>
        InvalidProcessorCount,
    }
}
