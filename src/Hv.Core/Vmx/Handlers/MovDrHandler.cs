using Hv.Core.Vm;

namespace Hv.Core.Vmx.Handlers
{
    /// <summary>
    /// MOV to or from a debug register (reason 29, "MOV-DR exiting" is on until the guest first touches one): the vCPU
    /// claims the processor's DR0-DR3 and DR6 for itself (they are switched per VM from then on) and the instruction
    /// runs again, natively, without advancing RIP. Guests that never use the debug registers cost nothing to switch.
    /// </summary>
    public sealed class MovDrHandler : ExitHandler
    {
        public override ExitAction Handle(VirtualMachine vm, Vcpu cpu)
        {
            cpu.ClaimDebugRegisters();
            return ExitAction.Resume;
        }
    }
}
