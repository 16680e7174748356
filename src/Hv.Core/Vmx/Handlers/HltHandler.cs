using Hv.Core.Vm;
using Hv.Core.Vmx.Arch;

namespace Hv.Core.Vmx.Handlers
{
    /// <summary>
    /// HLT: the guest is idle until its next interrupt, so the CPU goes to another VM. A HLT with RFLAGS.IF
    /// clear can never wake (we inject no NMIs), which is how test kernels and panicking guests park
    /// themselves: the VM is stopped with that cause instead of being scheduled forever. An application processor
    /// that does so is parked (Linux's stop_this_cpu before a power-off or reboot): it sleeps until an INIT restarts
    /// it, while its siblings go on.
    /// </summary>
    public sealed class HltHandler : ExitHandler
    {
        public override ExitAction Handle(VirtualMachine vm, Vcpu cpu)
        {
            if ((cpu.Registers.Rflags & ControlRegisterBits.RflagsInterruptEnable) == 0)
            {
                if (vm.Cpus.Current == 0) return StopVm(vm, StopCause.HaltWithInterruptsOff, 0);
                cpu.AdvanceRip();
                vm.Halted = true;
                return ExitAction.Yield;
            }
            cpu.AdvanceRip();
            // A PC sleeps until its platform has an interrupt (unless one is pending already: it is injected next).
            if (vm.Platform != null && vm.Platform.PendingVector() < 0) vm.Halted = true;
            return ExitAction.Yield;
        }
    }
}
