using Hv.Core.Devices.Virtio;
using Hv.Core.Vm;
using Hv.Protocol.Messages;
using Hv.Protocol.Server;
using Hv.Protocol.Wire;

namespace Hv.Management
{
    /// <summary>
    /// GetHardDiskDrive: a VM's virtio disk (PCI 00:01.0, a VM of a template with disk=), its size, the host memory only
    /// it holds (its written pages and their tables: what removing the VM gives back) and the device's counters. A VM
    /// without a disk answers Ok with none. The disk stays with the VM from creation to removal, a stopped VM's too.
    /// </summary>
    internal sealed class GetHardDiskDriveHandler : AdapterHandler
    {
        private readonly GetHardDiskDriveMessage _message = new GetHardDiskDriveMessage();

        public GetHardDiskDriveHandler(HypervisorAdapter adapter) : base(adapter) { }

        protected override Message Message { get { return _message; } }

        protected override Reply Execute(MessageWriter response)
        {
            GetHardDiskDriveMessage m = _message;
            VirtualMachine vm = Hypervisor.Find(m.VmId);
            if (vm == null) return HypervisorAdapter.NoSuchVm;
            VirtioBlock drive = vm.Disk;
            m.Present = drive != null;
            if (drive == null) return Reply.Ok;
            m.SizeBytes = drive.Disk.SizeBytes;
            m.AllocatedBytes = drive.Disk.PrivatePages * 4096;
            m.Reads = drive.Reads;
            m.Writes = drive.Writes;
            m.BytesRead = drive.BytesRead;
            m.BytesWritten = drive.BytesWritten;
            m.Errors = drive.Errors;
            return Reply.Ok;
        }
    }
}
