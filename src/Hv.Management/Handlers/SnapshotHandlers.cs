using Hv.Core.Vm;
using Hv.Protocol.Messages;
using Hv.Protocol.Server;
using Hv.Protocol.Wire;

namespace Hv.Management
{
    /// <summary>CheckpointVm: a snapshot of a VM (a running one is paused for the capture and runs on).</summary>
    internal sealed class CheckpointVmHandler : AdapterHandler
    {
        private readonly CheckpointVmMessage _message = new CheckpointVmMessage();

        public CheckpointVmHandler(HypervisorAdapter adapter) : base(adapter) { }

        protected override Message Message { get { return _message; } }

        protected override Reply Execute(MessageWriter response)
        {
            Reply named = Adapter.CheckName(_message.Name);
            if (!named.IsOk) return named;
            string name = _message.Name.ToNewString();
            HypervisorStatus status = Hypervisor.Checkpoint(_message.VmId, name, out _message.NewId);
            if (status != HypervisorStatus.Ok) Owned.Free(name);
            if (status == HypervisorStatus.NameInUse) return HypervisorAdapter.Fail(ErrorCode.AlreadyExists, "the VM has a snapshot with that name");
            if (status == HypervisorStatus.TooManyVms) return HypervisorAdapter.Fail(ErrorCode.ResourceUnavailable, "the VM has its maximum of 16 snapshots");
            return HypervisorAdapter.Translate(status);
        }
    }

    /// <summary>ListSnapshots: a VM's snapshots in ascending id order from the requested id.</summary>
    internal sealed class ListSnapshotsHandler : AdapterHandler
    {
        private readonly ListSnapshotsMessage _message = new ListSnapshotsMessage();

        public ListSnapshotsHandler(HypervisorAdapter adapter) : base(adapter) { }

        protected override Message Message { get { return _message; } }

        protected override Reply Execute(MessageWriter response)
        {
            _message.HostUptimeMs = Adapter.Facts.UptimeMilliseconds();
            _message.Begin(response);
            VirtualMachine vm = Hypervisor.Find(_message.VmId);
            if (vm == null) return HypervisorAdapter.NoSuchVm;
            VmSnapshots snapshots = vm.Snapshots;
            for (Snapshot s = snapshots.LowestFrom(_message.FromId); s != null; s = s.Id == uint.MaxValue ? null : snapshots.LowestFrom(s.Id + 1))
            {
                if (!_message.Add(s.Id, s.Name, Adapter.Milliseconds(s.CreatedTicks), s.Memory.PrivatePages, s.Memory.SharedPages)) break;
            }
            return Reply.Ok;
        }
    }

    /// <summary>RestoreSnapshot: the VM exactly as captured, left Paused.</summary>
    internal sealed class RestoreSnapshotHandler : AdapterHandler
    {
        private readonly RestoreSnapshotMessage _message = new RestoreSnapshotMessage();

        public RestoreSnapshotHandler(HypervisorAdapter adapter) : base(adapter) { }

        protected override Message Message { get { return _message; } }

        protected override Reply Execute(MessageWriter response)
        {
            return HypervisorAdapter.Translate(Hypervisor.Restore(_message.VmId, _message.SnapshotId));
        }
    }

    /// <summary>RemoveSnapshot: forgets a snapshot and frees the pages only it held.</summary>
    internal sealed class RemoveSnapshotHandler : AdapterHandler
    {
        private readonly RemoveSnapshotMessage _message = new RemoveSnapshotMessage();

        public RemoveSnapshotHandler(HypervisorAdapter adapter) : base(adapter) { }

        protected override Message Message { get { return _message; } }

        protected override Reply Execute(MessageWriter response)
        {
            return HypervisorAdapter.Translate(Hypervisor.RemoveSnapshot(_message.VmId, _message.SnapshotId));
        }
    }
}
