using Hv.Core.Storage;

namespace Hv.Core.Vm
{
    /// <summary>The disks of PC VMs: each an O(1) copy-on-write fork of the disk the VM starts from.</summary>
    public sealed partial class Hypervisor
    {
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
    }
}
