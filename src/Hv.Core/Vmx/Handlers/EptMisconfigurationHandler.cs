using Hv.Core.Vm;
using Hv.Core.Vmx.Arch;

namespace Hv.Core.Vmx.Handlers
{
    /// <summary>
    /// EPT misconfiguration: an EPT entry the guest walked through is malformed (SDM Vol. 3C "EPT
    /// Misconfigurations"). That is a host bug, not guest misbehaviour, but it affects only this VM, so the VM
    /// stops with the address for diagnosis.
    /// </summary>
    public sealed class EptMisconfigurationHandler : ExitHandler
    {
        public override ExitAction Handle(VirtualMachine vm, Vcpu cpu)
        {
            return StopVm(vm, StopCause.EptMisconfiguration, cpu.ReadField(VmcsField.GuestPhysicalAddress));
        }
    }
}
