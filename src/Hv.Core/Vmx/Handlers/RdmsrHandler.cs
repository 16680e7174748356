using Hv.Core.Devices.Pc;
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
            ulong value = 0;
            uint msr = (uint)registers.Rcx;
            // A PC's APIC MSRs (APIC_BASE, TSC_DEADLINE, x2APIC) belong to its platform; the rest to the policy.
            PlatformMsrStatus platform = vm.Platform != null ? vm.Platform.ReadMsr(msr, out value) : PlatformMsrStatus.NotPlatform;
            bool ok = platform == PlatformMsrStatus.NotPlatform ? MsrPolicy.Read(cpu, msr, out value) : platform == PlatformMsrStatus.Done;
            if (!ok)
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
