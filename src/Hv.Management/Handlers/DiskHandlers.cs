using Hv.Core.Devices.Virtio;
using Hv.Core.Storage;
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
            m.HasMedia = drive.Disk != null;
            m.SizeBytes = drive.Disk == null ? 0 : drive.Disk.SizeBytes;
            m.AllocatedBytes = drive.Disk == null ? 0 : drive.Disk.PrivatePages * 4096;
            m.Reads = drive.Reads;
            m.Writes = drive.Writes;
            m.BytesRead = drive.BytesRead;
            m.BytesWritten = drive.BytesWritten;
            m.Errors = drive.Errors;
            return Reply.Ok;
        }
    }

    /// <summary>CreateDisk: a blank disk in the host's store; the name is checked before it is copied, so a refusal allocates nothing.</summary>
    internal sealed class CreateDiskHandler : AdapterHandler
    {
        private readonly CreateDiskMessage _message = new CreateDiskMessage();

        public CreateDiskHandler(HypervisorAdapter adapter) : base(adapter) { }

        protected override Message Message { get { return _message; } }

        protected override Reply Execute(MessageWriter response)
        {
            Reply named = Adapter.CheckName(_message.Name);
            if (!named.IsOk) return named;
            for (int i = 0; i < Hypervisor.HostDisks.Count; i++)
                if (_message.Name.EqualsString(Hypervisor.HostDisks.NameAt(i))) return HypervisorAdapter.Fail(ErrorCode.AlreadyExists, "a host disk with that name exists");
            if (Hypervisor.HostDisks.IsFull) return HypervisorAdapter.Fail(ErrorCode.ResourceUnavailable, "the host keeps 16 disk images at most");
            string name = _message.Name.ToNewString();
            DiskImage disk;
            HypervisorStatus status = Hypervisor.CreateDisk(name, _message.SizeBytes, out disk);
            if (status != HypervisorStatus.Ok) Owned.Free(name);
            return HypervisorAdapter.Translate(status);
        }
    }

    /// <summary>AddHardDiskDrive: a host disk into a VM's drive (the VM off; see <see cref="Hypervisor.AttachDisk"/>).</summary>
    internal sealed class AddHardDiskDriveHandler : AdapterHandler
    {
        private readonly AddHardDiskDriveMessage _message = new AddHardDiskDriveMessage();

        public AddHardDiskDriveHandler(HypervisorAdapter adapter) : base(adapter) { }

        protected override Message Message { get { return _message; } }

        protected override Reply Execute(MessageWriter response)
        {
            if (Hypervisor.Find(_message.VmId) == null) return HypervisorAdapter.NoSuchVm;
            for (int i = 0; i < Hypervisor.HostDisks.Count; i++)
            {
                if (_message.DiskName.EqualsString(Hypervisor.HostDisks.NameAt(i)))
                    return HypervisorAdapter.Translate(Hypervisor.AttachDisk(_message.VmId, Hypervisor.HostDisks.NameAt(i)));
            }
            return HypervisorAdapter.Translate(HypervisorStatus.NoSuchDisk);
        }
    }

    /// <summary>RemoveHardDiskDrive: empties a VM's drive (the VM off; see <see cref="Hypervisor.DetachDisk"/>).</summary>
    internal sealed class RemoveHardDiskDriveHandler : AdapterHandler
    {
        private readonly RemoveHardDiskDriveMessage _message = new RemoveHardDiskDriveMessage();

        public RemoveHardDiskDriveHandler(HypervisorAdapter adapter) : base(adapter) { }

        protected override Message Message { get { return _message; } }

        protected override Reply Execute(MessageWriter response)
        {
            if (Hypervisor.Find(_message.VmId) == null) return HypervisorAdapter.NoSuchVm;
            return HypervisorAdapter.Translate(Hypervisor.DetachDisk(_message.VmId));
        }
    }

    /// <summary>ListDisks: the host's disk images, their size and the host memory only each holds.</summary>
    internal sealed class ListDisksHandler : AdapterHandler
    {
        private readonly ListDisksMessage _message = new ListDisksMessage();

        public ListDisksHandler(HypervisorAdapter adapter) : base(adapter) { }

        protected override Message Message { get { return _message; } }

        protected override Reply Execute(MessageWriter response)
        {
            _message.Begin(response);
            HostDisks disks = Hypervisor.HostDisks;
            for (int i = 0; i < disks.Count; i++)
            {
                DiskImage d = disks.At(i);
                if (!_message.Add(disks.NameAt(i), d.SizeBytes, d.PrivatePages * 4096)) break;
            }
            return Reply.Ok;
        }
    }

    /// <summary>RemoveDisk: frees a host disk image (compared in place: nothing is allocated); VMs' forks of it stay.</summary>
    internal sealed class RemoveDiskHandler : AdapterHandler
    {
        private readonly NameRequest _message = new NameRequest(Opcode.RemoveDisk);

        public RemoveDiskHandler(HypervisorAdapter adapter) : base(adapter) { }

        protected override Message Message { get { return _message; } }

        protected override Reply Execute(MessageWriter response)
        {
            for (int i = 0; i < Hypervisor.HostDisks.Count; i++)
            {
                if (_message.Name.EqualsString(Hypervisor.HostDisks.NameAt(i)))
                    return HypervisorAdapter.Translate(Hypervisor.RemoveDisk(Hypervisor.HostDisks.NameAt(i)));
            }
            return HypervisorAdapter.Translate(HypervisorStatus.NoSuchDisk);
        }
    }

    /// <summary>BeginDiskUpload: a new or resumed upload of a raw disk image (the template uploads' table and chunks).</summary>
    internal sealed class BeginDiskUploadHandler : AdapterHandler
    {
        private readonly BeginDiskUploadMessage _message = new BeginDiskUploadMessage();

        public BeginDiskUploadHandler(HypervisorAdapter adapter) : base(adapter) { }

        protected override Message Message { get { return _message; } }

        protected override Reply Execute(MessageWriter response)
        {
            BeginDiskUploadMessage m = _message;
            Reply named = Adapter.CheckName(m.Name);
            if (!named.IsOk) return named;
            for (int i = 0; i < Hypervisor.HostDisks.Count; i++)
                if (m.Name.EqualsString(Hypervisor.HostDisks.NameAt(i))) return HypervisorAdapter.Fail(ErrorCode.AlreadyExists, "a host disk with that name exists");
            if (m.TotalBytes > TemplateUploads.MaxImageBytes) return HypervisorAdapter.Fail(ErrorCode.TooLarge, "an uploaded disk image is 512 bytes to 64 MiB");
            TemplateUploads.Upload upload;
            bool fresh;
            Reply begun = Adapter.BeginUpload(m.Name, m.TotalBytes, m.Sha256, true, out upload, out fresh);
            if (!begun.IsOk) return begun;
            m.UploadId = upload.Id;
            m.NextOffset = upload.Received;
            return Reply.Ok;
        }
    }

    /// <summary>CommitDiskUpload: the checked image becomes a disk in the host's store (its bytes copied, zero pages left as holes).</summary>
    internal sealed class CommitDiskUploadHandler : AdapterHandler
    {
        private readonly CommitDiskUploadMessage _message = new CommitDiskUploadMessage();

        public CommitDiskUploadHandler(HypervisorAdapter adapter) : base(adapter) { }

        protected override Message Message { get { return _message; } }

        protected override Reply Execute(MessageWriter response)
        {
            TemplateUploads.Upload u;
            Reply finished = Adapter.FinishUpload(_message.TransferId, true, out u);
            if (!finished.IsOk) return finished;
            HypervisorStatus status = Hypervisor.AddDisk(u.Name, u.Data);
            // The store owns the name when the disk was added; the image was copied either way.
            if (status == HypervisorStatus.Ok) u.Name = null;
            u.Free(withContents: true);
            return HypervisorAdapter.Translate(status);
        }
    }
}
