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
            uint leaf = (uint)registers.Rax;
            // Only leaf 1 depends on the guest's CR4 (OSXSAVE); skipping the VMREAD elsewhere keeps the common exit short.
            ulong cr4 = leaf == 1 ? cpu.ReadField(VmcsField.GuestCr4) : 0;
            CpuidResult result = _policy.Query(vm, leaf, (uint)registers.Rcx, cr4, cpu.Switched.Xcr0);
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
