using Hv.Core.Vm;
using Hv.Core.Vmx.Arch;

namespace Hv.Core.Vmx.Handlers
{
    /// <summary>CPUID exits unconditionally (SDM Vol. 3C "Instructions That Cause VM Exits Unconditionally"); the answer comes from <see cref="CpuidPolicy"/>.</summary>
    public sealed class CpuidHandler : ExitHandler
    {
        private readonly CpuidPolicy _policy;

        public CpuidHandler(CpuidPolicy policy)
        {
            _policy = policy;
        }

        public override ExitAction Handle(VirtualMachine vm, Vcpu cpu)
        {
            GuestRegisters registers = cpu.Registers;
            CpuidResult result = _policy.Query(vm, (uint)registers.Rax, (uint)registers.Rcx, cpu.ReadField(VmcsField.GuestCr4));
            // CPUID writes 32-bit results, which clears bits 63:32 of each register in 64-bit mode.
            registers.Rax = result.Eax;
            registers.Rbx = result.Ebx;
            registers.Rcx = result.Ecx;
            registers.Rdx = result.Edx;
            cpu.AdvanceRip();
            return ExitAction.Resume;
        }
    }
}
