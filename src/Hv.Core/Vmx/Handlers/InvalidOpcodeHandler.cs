using Hv.Core.Vm;
using Hv.Core.Vmx.Arch;

namespace Hv.Core.Vmx.Handlers
{
    /// <summary>
    /// Instructions that exit unconditionally but that we advertise as absent (VMX instructions, GETSEC: CPUID
    /// hides VMX and SMX): they fault with #UD, as on a CPU without the feature.
    /// </summary>
    public sealed class InvalidOpcodeHandler : ExitHandler
    {
        public override ExitAction Handle(VirtualMachine vm, Vcpu cpu)
        {
            cpu.InjectException(ExceptionVector.InvalidOpcode);
            vm.Counters.RecordInjectedException();
            return ExitAction.Resume;
        }
    }
}
