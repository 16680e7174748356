using Hv.Core.Vm;

namespace Hv.Core.Vmx.Handlers
{
    /// <summary>
    /// HLT: the guest is idle until its next interrupt, so the CPU goes to another VM. A HLT with RFLAGS.IF
    /// clear can never wake (we inject no NMIs), which is how test kernels and panicking guests park
    /// themselves: the VM is stopped with a reason instead of being scheduled forever.
    /// </summary>
    public sealed class HltHandler : ExitHandler
    {
        private const ulong RflagsInterruptEnable = 1UL << 9;

        public override ExitAction Handle(VirtualMachine vm, Vcpu cpu)
        {
            if ((cpu.Registers.Rflags & RflagsInterruptEnable) == 0)
            {
                return StopVm(vm, "hlt with interrupts disabled");
            }
            cpu.AdvanceRip();
            return ExitAction.Yield;
        }
    }
}
