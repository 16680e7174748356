using Hv.Core.Storage;

namespace Hv.Core.Vm
{
    /// <summary>The disks of PC VMs whose template has one (manifest disk=): new, or forked from what the VM continues.</summary>
    public sealed partial class Hypervisor
    {
        // A fork of <source>, or a new zero-filled disk of the template's size for a fresh boot, plugged into the VM.
        // A disk is at most as large as the largest VM's memory: the host holds its written pages in RAM.
        private HypervisorStatus GiveDisk(VirtualMachine vm, bool fresh, DiskImage source)
        {
            DiskImage disk = null;
            if (source != null)
            {
                if (source.Fork(out disk) != DiskStatus.Ok) return HypervisorStatus.OutOfMemory;
            }
            else if (fresh && vm.Template != null && vm.Template.DiskSize != 0)
            {
                if (DiskImage.Create(_sharing, vm.Template.DiskSize / DiskImage.SectorSize, MaxMemorySize, out disk) != DiskStatus.Ok)
                    return HypervisorStatus.OutOfMemory;
            }
            if (disk != null && !vm.InstallDisk(disk))
            {
                disk.Free();
                return HypervisorStatus.OutOfMemory;
            }
            return HypervisorStatus.Ok;
        }
    }
}
