using Hv.Core.Vm;

namespace Hv.Core.Vmx.Handlers
{
    /// <summary>
    /// Exits that only mean "the host wants the CPU back": an external interrupt (the host handles it once it
    /// re-enables interrupts) or the VMX-preemption timer ending the time slice. No guest instruction was
    /// interrupted mid-way, so RIP stays.
    /// </summary>
    public sealed class YieldHandler : ExitHandler
    {
        public override ExitAction Handle(VirtualMachine vm, Vcpu cpu)
        {
            return ExitAction.Yield;
        }
    }
}
