using Hv.Core.Vm;

namespace Hv.Core.Vmx
{
    /// <summary>Handles one basic exit reason. Handlers that stop the VM record the cause on it first.</summary>
    public abstract class ExitHandler
    {
        public abstract ExitAction Handle(VirtualMachine vm, Vcpu cpu);

        /// <summary>Stops <paramref name="vm"/> for <paramref name="cause"/> (with its detail) and says so.</summary>
        protected static ExitAction StopVm(VirtualMachine vm, StopCause cause, ulong detail)
        {
            vm.Stop(cause, detail);
            return ExitAction.Stop;
        }
    }
}
