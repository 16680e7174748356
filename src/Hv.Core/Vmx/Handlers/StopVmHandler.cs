using Hv.Core.Vm;

namespace Hv.Core.Vmx.Handlers
{
    /// <summary>For exits that end the guest outright (triple fault, failed VM entry): stop with a fixed reason.</summary>
    public sealed class StopVmHandler : ExitHandler
    {
        private readonly string _reason;

        public StopVmHandler(string reason)
        {
            _reason = reason;
        }

        public override ExitAction Handle(VirtualMachine vm, Vcpu cpu)
        {
            return StopVm(vm, _reason);
        }
    }
}
