using Hv.Core.Vm;
using Hv.Core.Vmx.Arch;

namespace Hv.Core.Vmx.Handlers
{
    /// <summary>RDMSR: ECX names the MSR, the result goes to EDX:EAX; a refused MSR faults with #GP(0).</summary>
    public sealed class RdmsrHandler : ExitHandler
    {
        public override ExitAction Handle(VirtualMachine vm, Vcpu cpu)
        {
            GuestRegisters registers = cpu.Registers;
            ulong value;
            if (!MsrPolicy.Read(cpu, (uint)registers.Rcx, out value))
            {
                cpu.InjectException(ExceptionVector.GeneralProtection, 0);
                vm.Counters.RecordInjectedException();
                return ExitAction.Resume;
            }
            registers.Rax = value & 0xFFFFFFFFUL;
            registers.Rdx = value >> 32;
            cpu.AdvanceRip();
            return ExitAction.Resume;
        }
    }
}
