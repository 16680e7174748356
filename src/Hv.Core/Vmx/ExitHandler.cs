using Hv.Core.Vm;

namespace Hv.Core.Vmx
{
    /// <summary>Handles one basic exit reason. Handlers that stop the VM record the reason on it first.</summary>
    public abstract class ExitHandler
    {
        public abstract ExitAction Handle(VirtualMachine vm, Vcpu cpu);

        /// <summary>Stops <paramref name="vm"/> with <paramref name="reason"/> (exit code 0) and says so.</summary>
        protected static ExitAction StopVm(VirtualMachine vm, string reason)
        {
            vm.Stop(reason, 0);
            return ExitAction.Stop;
        }
    }
}
