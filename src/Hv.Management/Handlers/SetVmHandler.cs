using Hv.Core.Vm;
using Hv.Protocol.Messages;
using Hv.Protocol.Server;
using Hv.Protocol.Wire;

namespace Hv.Management
{
    /// <summary>
    /// SetVm: a VM's memory size and vCPU count (while it is off), CPU weight and cap, name and notes, all or none:
    /// every setting is checked before any is changed, and the memory and processor changes, the only ones that can
    /// fail for want of host memory, go first (a memory change that succeeded stays when the processor change fails).
    /// </summary>
    internal sealed class SetVmHandler : AdapterHandler
    {
        private readonly SetVmMessage _message = new SetVmMessage();

        public SetVmHandler(HypervisorAdapter adapter) : base(adapter) { }

        protected override Message Message { get { return _message; } }

        protected override Reply Execute(MessageWriter response)
        {
            SetVmMessage m = _message;
            VirtualMachine vm = Hypervisor.Find(m.VmId);
            if (vm == null) return HypervisorAdapter.NoSuchVm;
            Reply checkedReply = Check(vm);
            if (!checkedReply.IsOk) return checkedReply;
            if (m.Has(SetVmMessage.MemoryField))
            {
                HypervisorStatus resized = Hypervisor.SetMemorySize(vm.Id, m.MemoryMiB * HypervisorAdapter.MiB);
                if (resized != HypervisorStatus.Ok) return HypervisorAdapter.Translate(resized);
            }
            if (m.Has(SetVmMessage.VcpusField))
            {
                HypervisorStatus counted = Hypervisor.SetProcessorCount(vm.Id, (int)m.Vcpus);
                if (counted != HypervisorStatus.Ok) return HypervisorAdapter.Translate(counted);
            }
            uint weight = m.Has(SetVmMessage.WeightField) ? m.CpuWeight : vm.CpuWeight;
            uint cap = m.Has(SetVmMessage.CapField) ? m.CpuCapPercent : vm.CpuCapPercent;
            Hypervisor.SetCpuShare(vm.Id, weight, cap);
            if (m.Has(SetVmMessage.NameField))
            {
                string name = m.Name.ToNewString();
                HypervisorStatus renamed = Hypervisor.Rename(vm.Id, name);
                if (renamed != HypervisorStatus.Ok) Owned.Free(name);
            }
            if (m.Has(SetVmMessage.NotesField)) vm.ReplaceNotes(m.Notes.Length == 0 ? null : m.Notes.ToNewString());
            return Reply.Ok;
        }

        // Everything that can be refused, refused before anything changes (the name is compared in place: a refused
        // request allocates nothing).
        private Reply Check(VirtualMachine vm)
        {
            SetVmMessage m = _message;
            if (m.Has(SetVmMessage.VcpusField))
            {
                if (m.Vcpus == 0 || m.Vcpus > VcpuSet.MaxCount || (m.Vcpus > 1 && vm.Platform == null))
                    return HypervisorAdapter.Translate(HypervisorStatus.InvalidProcessorCount);
                if (m.Vcpus != vm.ProcessorCount && vm.State != VmState.Stopped && vm.State != VmState.Created)
                    return HypervisorAdapter.Fail(ErrorCode.InvalidState, "the processor count can only change while the VM is off (stop it first)");
                if (m.Vcpus != vm.ProcessorCount && vm.Template == null)
                    return HypervisorAdapter.Fail(ErrorCode.InvalidState, "the VM has no template to start from with another processor count");
            }
            if (m.Has(SetVmMessage.WeightField) && (m.CpuWeight < VirtualMachine.MinCpuWeight || m.CpuWeight > VirtualMachine.MaxCpuWeight))
                return HypervisorAdapter.Fail(ErrorCode.InvalidArgument, "the CPU weight must be 1..10000");
            if (m.Has(SetVmMessage.CapField) && m.CpuCapPercent > VirtualMachine.MaxCpuCapPercent)
                return HypervisorAdapter.Fail(ErrorCode.InvalidArgument, "the CPU cap must be 1..100 percent of a core (0 = no cap)");
            if (m.Has(SetVmMessage.MemoryField))
            {
                if (m.MemoryMiB == 0 || m.MemoryMiB > Hypervisor.MaxMemorySize / HypervisorAdapter.MiB)
                    return HypervisorAdapter.Fail(ErrorCode.InvalidArgument, "memory must be 1..1024 MiB");
                if (vm.State != VmState.Stopped && vm.State != VmState.Created)
                    return HypervisorAdapter.Fail(ErrorCode.InvalidState, "memory can only change while the VM is off (stop it first)");
                if (vm.Template == null)
                    return HypervisorAdapter.Fail(ErrorCode.InvalidState, "the VM has no template to start from at another memory size");
            }
            if (m.Has(SetVmMessage.NameField) && !m.Name.EqualsString(vm.Name))
            {
                Reply named = Adapter.CheckName(m.Name);
                if (!named.IsOk) return named;
                for (int i = 0; i < Hypervisor.Vms.Count; i++)
                    if (m.Name.EqualsString(Hypervisor.Vms.At(i).Name)) return HypervisorAdapter.Translate(HypervisorStatus.NameInUse);
            }
            return Reply.Ok;
        }
    }
}
