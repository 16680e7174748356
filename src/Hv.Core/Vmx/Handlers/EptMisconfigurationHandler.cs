using Hv.Core.Text;
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
        private readonly CharBufferSink _reason = new CharBufferSink(64);

        public override ExitAction Handle(VirtualMachine vm, Vcpu cpu)
        {
            _reason.Clear();
            _reason.Write("ept-misconfiguration at GPA ");
            _reason.WriteHex(cpu.ReadField(VmcsField.GuestPhysicalAddress), 0);
            return StopVm(vm, _reason.ToString());
        }
    }
}
