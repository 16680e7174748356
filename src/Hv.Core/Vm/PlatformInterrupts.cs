using Hv.Core.Devices.Pc;
using Hv.Core.Vmx;

namespace Hv.Core.Vm
{
    /// <summary>
    /// A PC VM's interrupt source: what its platform's interrupt controllers (the 8259 pair through LINT0, or the local
    /// APIC fed by the IOAPIC and its own timer) would deliver to the CPU now.
    /// </summary>
    public sealed class PlatformInterrupts : InterruptSource
    {
        private readonly PcPlatform _platform;

        public PlatformInterrupts(PcPlatform platform)
        {
            _platform = platform;
        }

        public override int PendingVector()
        {
            return _platform.PendingVector();
        }

        // The INTA cycle: the controller moves the vector from requested to in service (the PIC may answer another
        // vector than it announced, e.g. a spurious one; the vector injected was chosen by PendingVector, as the CPU
        // latches it).
        public override void Acknowledge(int vector)
        {
            _platform.Acknowledge();
        }

        public override bool NmiPending { get { return _platform.NmiPending; } }

        public override void AcknowledgeNmi()
        {
            _platform.AcknowledgeNmi();
        }
    }
}
