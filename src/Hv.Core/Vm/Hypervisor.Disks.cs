using Hv.Core.Storage;
using Hv.Core.Text;

namespace Hv.Core.Vm
{
    /// <summary>
    /// The disks of PC VMs, each an O(1) copy-on-write fork of the disk the VM starts from; and the
    /// host's named disk images (New-HvDisk) that Add-HvVmHardDiskDrive puts into a VM's drive.
    ///
    /// Why the drive is fixed and only its media changes: a clone of a primed template continues the template's
    /// captured devices, among them the guest's virtio driver bound to the drive at PCI 00:01.0, so the PCI functions a
    /// VM has are its template's. A VM of a template with a disk has the drive for good; Add puts a host disk image in
    /// it (a copy-on-write fork) and Remove takes the media out, while the VM is off (stopped, or created and not yet
    /// started), and the guest hears a virtio configuration change, on which Linux reads the new capacity. A VM of a
    /// template without a disk has no drive to put media in: refused (NoDiskDrive).
    /// </summary>
    public sealed partial class Hypervisor
    {
        private readonly HostDisks _hostDisks = new HostDisks();

        public HostDisks HostDisks { get { return _hostDisks; } }

        // A fork of <source> (the template's disk, the primed one, or the disk of the VM being copied) plugged into the
        // VM; no disk when <source> is null.
        private HypervisorStatus GiveDisk(VirtualMachine vm, DiskImage source)
        {
            if (source == null) return HypervisorStatus.Ok;
            DiskImage disk;
            if (source.Fork(out disk) != DiskStatus.Ok) return HypervisorStatus.OutOfMemory;
            if (!vm.InstallDisk(disk))
            {
                disk.Free();
                return HypervisorStatus.OutOfMemory;
            }
            return HypervisorStatus.Ok;
        }

        /// <summary>
        /// A blank raw disk of <paramref name="sizeBytes"/> (whole 512-byte sectors, at most <see cref="MaxMemorySize"/>)
        /// in the host's store under <paramref name="name"/>, which it owns when the answer is Ok. O(1): it costs no
        /// page until a VM it is attached to writes.
        /// </summary>
        public HypervisorStatus CreateDisk(string name, ulong sizeBytes, out DiskImage disk)
        {
            disk = null;
            if (NameRule.Check(name, out _) != NameStatus.Ok) return HypervisorStatus.InvalidName;
            if (_hostDisks.Find(name) != null) return HypervisorStatus.NameInUse;
            if (_hostDisks.IsFull) return HypervisorStatus.TooManyVms;
            if (sizeBytes == 0 || sizeBytes % DiskImage.SectorSize != 0) return HypervisorStatus.InvalidDiskSize;
            DiskStatus made = DiskImage.Create(_sharing, sizeBytes / DiskImage.SectorSize, MaxMemorySize, out disk);
            if (made == DiskStatus.TooLarge || made == DiskStatus.InvalidSize) return HypervisorStatus.InvalidDiskSize;
            if (made != DiskStatus.Ok) return HypervisorStatus.OutOfMemory;
            _hostDisks.Add(name, disk);
            return HypervisorStatus.Ok;
        }

        /// <summary>
        /// A raw disk image from <paramref name="image"/> (an upload: whole 512-byte sectors) in the host's store under
        /// <paramref name="name"/>, which it owns when the answer is Ok; the bytes are copied, and zero pages stay holes
        /// that cost nothing. The caller keeps <paramref name="image"/>.
        /// </summary>
        public HypervisorStatus AddDisk(string name, byte[] image)
        {
            if (NameRule.Check(name, out _) != NameStatus.Ok) return HypervisorStatus.InvalidName;
            if (_hostDisks.Find(name) != null) return HypervisorStatus.NameInUse;
            if (_hostDisks.IsFull) return HypervisorStatus.TooManyVms;
            if (image.Length == 0 || image.Length % DiskImage.SectorSize != 0) return HypervisorStatus.InvalidDiskSize;
            DiskImage disk;
            DiskStatus made = DiskImage.Create(_sharing, (ulong)image.Length / DiskImage.SectorSize, MaxMemorySize, image, out disk);
            if (made == DiskStatus.TooLarge || made == DiskStatus.InvalidSize) return HypervisorStatus.InvalidDiskSize;
            if (made != DiskStatus.Ok) return HypervisorStatus.OutOfMemory;
            _hostDisks.Add(name, disk);
            return HypervisorStatus.Ok;
        }

        /// <summary>
        /// Frees the host disk <paramref name="name"/> (NoSuchDisk when there is none). VMs it was attached to keep their
        /// forks: a fork holds its own references to the pages it shares.
        /// </summary>
        public HypervisorStatus RemoveDisk(string name)
        {
            return _hostDisks.Remove(name) ? HypervisorStatus.Ok : HypervisorStatus.NoSuchDisk;
        }

        /// <summary>
        /// Puts a copy-on-write fork of the host disk <paramref name="diskName"/> into the drive of a VM that is off; the
        /// media it had is released (its writes are gone). Refused while the VM runs or is paused (InvalidState), when its
        /// template gave it no drive (NoDiskDrive), and while it has snapshots (HasSnapshots: a restore would put back the
        /// disk they captured).
        /// </summary>
        public HypervisorStatus AttachDisk(uint id, string diskName)
        {
            VirtualMachine vm = _vms.Find(id);
            if (vm == null) return HypervisorStatus.NotFound;
            DiskImage image = _hostDisks.Find(diskName);
            if (image == null) return HypervisorStatus.NoSuchDisk;
            HypervisorStatus off = CheckDriveChange(vm);
            if (off != HypervisorStatus.Ok) return off;
            DiskImage fork;
            if (image.Fork(out fork) != DiskStatus.Ok) return HypervisorStatus.OutOfMemory;
            ChangeMedia(vm, fork);
            return HypervisorStatus.Ok;
        }

        /// <summary>Takes the media out of a VM's drive (released: its writes are gone); refused as <see cref="AttachDisk"/> is.</summary>
        public HypervisorStatus DetachDisk(uint id)
        {
            VirtualMachine vm = _vms.Find(id);
            if (vm == null) return HypervisorStatus.NotFound;
            HypervisorStatus off = CheckDriveChange(vm);
            if (off != HypervisorStatus.Ok) return off;
            if (vm.Disk.Disk == null) return HypervisorStatus.NoMedia;
            ChangeMedia(vm, null);
            return HypervisorStatus.Ok;
        }

        private static HypervisorStatus CheckDriveChange(VirtualMachine vm)
        {
            if (vm.State != VmState.Stopped && vm.State != VmState.Created) return HypervisorStatus.InvalidState;
            if (vm.Disk == null) return HypervisorStatus.NoDiskDrive;
            if (vm.Snapshots.LowestFrom(0) != null) return HypervisorStatus.HasSnapshots;
            return HypervisorStatus.Ok;
        }

        // The new media goes in at once (a created VM's guest gets the configuration change with its devices); a stopped
        // VM's devices are loaded again when it starts, so it hears of the change then (Rebuild).
        private static void ChangeMedia(VirtualMachine vm, DiskImage media)
        {
            DiskImage old = vm.Disk.Disk;
            vm.Disk.InsertDisk(media);
            if (old != null) old.Free();
            vm.Disk.AnnounceAtStart = vm.State == VmState.Stopped;
        }
    }
}
