using Hv.Core.Vm;

namespace Hv.Core.Vmx.Handlers
{
    /// <summary>
    /// PAUSE (exiting only on VMs with several vCPUs, <see cref="VcpuSet.Put"/>): the guest spins, waiting for a lock or
    /// an answer that only a sibling vCPU can give, and the siblings share one host core: the instruction completes and
    /// the vCPU's turn ends, so the runner moves on to the next vCPU.
    /// </summary>
    public sealed class PauseHandler : ExitHandler
    {
        public override ExitAction Handle(VirtualMachine vm, Vcpu cpu)
        {
            cpu.AdvanceRip();
            return ExitAction.Yield;
        }
    }
}
