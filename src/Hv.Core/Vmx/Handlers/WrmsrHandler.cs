using Hv.Core.Devices.Pc;
using Hv.Core.Vm;
using Hv.Core.Vmx.Arch;

namespace Hv.Core.Vmx.Handlers
{
    /// <summary>WRMSR: ECX names the MSR, EDX:EAX is the value; a refused write faults with #GP(0).</summary>
    public sealed class WrmsrHandler : ExitHandler
    {
        public override ExitAction Handle(VirtualMachine vm, Vcpu cpu)
        {
            GuestRegisters registers = cpu.Registers;
            ulong value = (registers.Rdx << 32) | (registers.Rax & 0xFFFFFFFFUL);
            uint msr = (uint)registers.Rcx;
            PlatformMsrStatus platform = vm.Platform != null ? vm.Platform.WriteMsr(msr, value) : PlatformMsrStatus.NotPlatform;
            bool ok = platform == PlatformMsrStatus.NotPlatform ? MsrPolicy.Write(cpu, msr, value) : platform == PlatformMsrStatus.Done;
            if (!ok)
            {
                cpu.InjectException(ExceptionVector.GeneralProtection, 0);
                vm.Counters.RecordInjectedException();
                return ExitAction.Resume;
            }
            if (GuestMsrs.Holds((uint)registers.Rcx)) cpu.GuestMsrWritten((uint)registers.Rcx, value);
            cpu.AdvanceRip();
            return ExitAction.Resume;
        }
    }
}
