using Hv.Core.Vm;

namespace Hv.Core.Vmx.Handlers
{
    /// <summary>For exits that end the guest outright (triple fault, failed VM entry): stop with a fixed cause.</summary>
    public sealed class StopVmHandler : ExitHandler
    {
        private readonly StopCause _cause;

        public StopVmHandler(StopCause cause)
        {
            _cause = cause;
        }

        public override ExitAction Handle(VirtualMachine vm, Vcpu cpu)
        {
            return StopVm(vm, _cause, 0);
        }
    }
}
