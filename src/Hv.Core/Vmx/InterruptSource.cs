namespace Hv.Core.Vmx
{
    /// <summary>
    /// Where a VM's external interrupts come from (an interrupt controller model, or <see cref="Hv.Core.Vm.RequestedInterrupts"/>):
    /// the vector that should be delivered next, and the moment it is delivered (the controller moves it from
    /// requested to in service, as an INTA cycle does).
    /// </summary>
    public abstract class InterruptSource
    {
        /// <summary>The vector to deliver next (32-255), or -1 when none is pending.</summary>
        public abstract int PendingVector();

        /// <summary>The vCPU took <paramref name="vector"/>: it is injected on the next VM entry.</summary>
        public abstract void Acknowledge(int vector);

        /// <summary>An NMI waits to be injected (only a source with a local APIC has them).</summary>
        public virtual bool NmiPending { get { return false; } }

        /// <summary>The vCPU took the pending NMI.</summary>
        public virtual void AcknowledgeNmi()
        {
        }
    }
}
