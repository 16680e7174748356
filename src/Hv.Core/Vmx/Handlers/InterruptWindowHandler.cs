using Hv.Core.Vm;

namespace Hv.Core.Vmx.Handlers
{
    /// <summary>
    /// Interrupt window (exit reason 7): the guest can take an interrupt now. The window is closed again; the pending
    /// interrupt is injected after the handler, like after every exit (<see cref="EventInjection"/>).
    /// </summary>
    public sealed class InterruptWindowHandler : ExitHandler
    {
        public override ExitAction Handle(VirtualMachine vm, Vcpu cpu)
        {
            EventInjection.SetInterruptWindow(cpu, false);
            return ExitAction.Resume;
        }
    }
}
