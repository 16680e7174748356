using Hv.Core.Vm;
using Hv.Protocol.Messages;
using Hv.Protocol.Server;
using Hv.Protocol.Wire;

namespace Hv.Management
{
    /// <summary>
    /// SetVm: a VM's memory size (while it is off), vCPU count (1 only), CPU weight and cap, name and notes, all or none:
    /// every setting is checked before any is changed, and the memory change, the only one that can fail for want of
    /// host memory, goes first.
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
            if (m.Has(SetVmMessage.VcpusField) && m.Vcpus != 1)
                return HypervisorAdapter.Fail(ErrorCode.Unsupported, "one vCPU per VM in this version: the processor count can only be 1");
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
