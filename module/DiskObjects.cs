using Hv.Protocol.Messages;

namespace Hv.PowerShell
{
    /// <summary>
    /// A VM's disk drive (Get-HvVmHardDiskDrive): the virtio disk at PCI 00:01.0 that VMs of a template with a disk
    /// have, held in the host's memory copy-on-write. Bytes allocated are the host memory only this disk holds (its
    /// written pages); the counters are the guest's requests since the VM was made.
    /// </summary>
    public sealed class HvVmHardDiskDrive
    {
        internal HvVmHardDiskDrive(HvVm vm, GetHardDiskDriveMessage d)
        {
            VmName = vm.Name;
            VmId = vm.Id;
            Server = vm.Server;
            HasDisk = d.HasMedia;
            SizeBytes = d.SizeBytes;
            BytesAllocated = d.AllocatedBytes;
            ReadRequests = d.Reads;
            WriteRequests = d.Writes;
            BytesRead = d.BytesRead;
            BytesWritten = d.BytesWritten;
            FailedRequests = d.Errors;
        }

        public string VmName { get; }
        public uint VmId { get; }
        /// <summary>Where the guest finds it: the PCI function of the virtio disk.</summary>
        public string Location => "PCI 00:01.0";
        public string ControllerType => "VirtioBlock";
        /// <summary>False when the drive was emptied (Remove-HvVmHardDiskDrive): size and allocation are then 0.</summary>
        public bool HasDisk { get; }
        public ulong SizeBytes { get; }
        public double SizeMB => System.Math.Round(SizeBytes / 1048576.0, 1);
        /// <summary>Host memory only this disk holds: its written pages (what removing the VM gives back).</summary>
        public ulong BytesAllocated { get; }
        public double AllocatedMB => System.Math.Round(BytesAllocated / 1048576.0, 1);
        public ulong ReadRequests { get; }
        public ulong WriteRequests { get; }
        public ulong BytesRead { get; }
        public ulong BytesWritten { get; }
        /// <summary>Requests the device completed with an error (malformed, or beyond the disk's end).</summary>
        public ulong FailedRequests { get; }
        public HvHost Server { get; }
        public string ComputerName => Server?.ToString();

        public override string ToString() => VmName + " " + Location;
    }

    /// <summary>A host disk image (New-HvDisk, Get-HvDisk): raw, held in the host's memory, attached to VMs as copy-on-write forks.</summary>
    public sealed class HvDisk
    {
        internal HvDisk(HvHost server, DiskInfo d)
        {
            Server = server;
            Name = d.Name;
            SizeBytes = d.SizeBytes;
            BytesAllocated = d.AllocatedBytes;
        }

        public string Name { get; }
        public ulong SizeBytes { get; }
        public double SizeMB => System.Math.Round(SizeBytes / 1048576.0, 1);
        /// <summary>Host memory only this image holds: its non-zero pages (what Remove-HvDisk gives back).</summary>
        public ulong BytesAllocated { get; }
        public double AllocatedMB => System.Math.Round(BytesAllocated / 1048576.0, 1);
        public HvHost Server { get; }
        public string ComputerName => Server?.ToString();

        public override string ToString() => Name;
    }
}
