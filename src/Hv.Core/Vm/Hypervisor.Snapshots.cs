using Hv.Core.Text;
using Hv.Core.Memory;
using Hv.Core.Storage;
using Hv.Core.Vmx;

namespace Hv.Core.Vm
{
    /// <summary>Snapshots: checkpoints of a VM's vCPUs, devices and memory (copy-on-write), restored and removed by id.</summary>
    public sealed partial class Hypervisor
    {
        /// <summary>
        /// Captures a VM's vCPU state and a copy-on-write fork of its memory. A running VM is paused for the capture and
        /// runs on afterwards.
        /// </summary>
        public HypervisorStatus Checkpoint(uint id, string name, out uint snapshotId)
        {
            snapshotId = 0;
            VirtualMachine vm = _vms.Find(id);
            if (vm == null) return HypervisorStatus.NotFound;
            if (vm.State != VmState.Running && vm.State != VmState.Paused && vm.State != VmState.Created) return HypervisorStatus.InvalidState;
            if (NameRule.Check(name, out _) != NameStatus.Ok) return HypervisorStatus.InvalidName;
            if (vm.Snapshots.HasName(name)) return HypervisorStatus.NameInUse;
            if (vm.Snapshots.IsFull) return HypervisorStatus.TooManyVms;
            if (vm.Disk != null && vm.Disk.Disk == null) return HypervisorStatus.NoMedia;
            var snapshot = new Snapshot();
            if (vm.Memory.Fork(out snapshot.Memory) != AddressSpaceStatus.Ok
                || (vm.Disk != null && vm.Disk.Disk.Fork(out snapshot.Disk) != DiskStatus.Ok))
            {
                snapshot.Free();
                return HypervisorStatus.OutOfMemory;
            }
            vm.Capture(snapshot.State);
            snapshot.Aps = ApStates.Capture(vm);
            snapshot.Id = _nextSnapshotId++;
            snapshot.Name = name;
            snapshot.CreatedTicks = _processor.Now();
            vm.Snapshots.Add(snapshot);
            snapshotId = snapshot.Id;
            return HypervisorStatus.Ok;
        }

        /// <summary>Puts the VM back exactly as captured: memory, disk, registers, MSRs, devices. It is left paused.</summary>
        public HypervisorStatus Restore(uint id, uint snapshotId)
        {
            VirtualMachine vm = _vms.Find(id);
            if (vm == null) return HypervisorStatus.NotFound;
            Snapshot snapshot = vm.Snapshots.Find(snapshotId);
            if (snapshot == null) return HypervisorStatus.NotFound;
            // Its processor count changed since (Set-HvVm while it was off): the snapshot is of another machine.
            if ((snapshot.Aps == null ? 1 : snapshot.Aps.ProcessorCount) != vm.ProcessorCount) return HypervisorStatus.InvalidState;
            if (vm.State == VmState.Running) vm.Pause();
            else if (vm.State == VmState.Created) vm.EnterPaused();
            else if (vm.State != VmState.Paused) return HypervisorStatus.InvalidState;
            if (vm.Memory.RestoreFrom(snapshot.Memory) != AddressSpaceStatus.Ok) return HypervisorStatus.OutOfMemory;
            if (vm.Disk != null && vm.Disk.Disk.RestoreFrom(snapshot.Disk) != DiskStatus.Ok) return HypervisorStatus.InvalidState;
            if (!vm.LoadDevices(snapshot.State)) return HypervisorStatus.InvalidState;
            Vcpu cpu = _processor.ResumeVcpu(snapshot.State, vm.Memory.Eptp, vm.Vpid);
            if (cpu == null) return HypervisorStatus.VcpuFailed;
            vm.Cpu.Release();
            vm.ReplaceCpu(cpu);
            if (snapshot.Aps != null && !snapshot.Aps.Restore(_processor, vm)) return HypervisorStatus.VcpuFailed;
            return HypervisorStatus.Ok;
        }

        public HypervisorStatus RemoveSnapshot(uint id, uint snapshotId)
        {
            VirtualMachine vm = _vms.Find(id);
            if (vm == null) return HypervisorStatus.NotFound;
            return vm.Snapshots.Remove(snapshotId) ? HypervisorStatus.Ok : HypervisorStatus.NotFound;
        }
    }
}
