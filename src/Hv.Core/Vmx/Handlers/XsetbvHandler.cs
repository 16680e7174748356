using Hv.Core.Vm;
using Hv.Core.Vmx.Arch;

namespace Hv.Core.Vmx.Handlers
{
    /// <summary>XSETBV (exit reason 55): ECX names the XCR, EDX:EAX the value; <see cref="XsetbvPolicy"/> decides, #GP(0) if refused.</summary>
    public sealed class XsetbvHandler : ExitHandler
    {
        private readonly ulong _supported;

        /// <param name="supportedXcr0">The XCR0 bits CPUID leaf 0xD advertises.</param>
        public XsetbvHandler(ulong supportedXcr0)
        {
            _supported = supportedXcr0;
        }

        public override ExitAction Handle(VirtualMachine vm, Vcpu cpu)
        {
            GuestRegisters r = cpu.Registers;
            ulong value = (r.Rdx << 32) | (r.Rax & 0xFFFFFFFFUL);
            if (!XsetbvPolicy.IsValid((uint)r.Rcx, value, _supported, cpu.CurrentPrivilegeLevel()))
            {
                cpu.InjectException(ExceptionVector.GeneralProtection, 0);
                vm.Counters.RecordInjectedException();
                return ExitAction.Resume;
            }
            cpu.Switched.Xcr0 = value;
            cpu.ExtendedControlChanged();
            cpu.AdvanceRip();
            return ExitAction.Resume;
        }
    }
}
