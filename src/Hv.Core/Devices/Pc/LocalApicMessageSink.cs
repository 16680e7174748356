using Hv.Core.Devices.Interrupts;
using Hv.Core.Devices.Pci;

namespace Hv.Core.Devices.Pc
{
    /// <summary>
    /// Delivers a PCI function's MSI/MSI-X messages to the VM's local APIC (SDM Vol. 3A 11.11): the address must be
    /// in the 0xFEExxxxx window, with the destination ID in bits 19:12 and the destination mode in bit 2; the data
    /// holds the vector (bits 7:0), the delivery mode (bits 10:8) and the trigger mode (bit 15). Fixed and
    /// lowest-priority messages (one vCPU: the same thing) raise the vector, NMI messages an NMI; other modes and
    /// messages outside the window are dropped, as the chipset would not turn them into interrupts.
    /// INTx is not routed on a Hv PC (no _PRT), so a pin change goes nowhere.
    /// </summary>
    public sealed class LocalApicMessageSink : PciInterruptSink
    {
        public const ulong MessageWindow = 0xFEE00000;
        private const uint DeliveryLowestPriority = 1;

        private readonly LocalApic _apic;

        public LocalApicMessageSink(LocalApic apic)
        {
            _apic = apic;
        }

        public override void Message(ulong address, uint data)
        {
            if ((address & 0xFFFFFFFFFFF00000UL) != MessageWindow)
            {
                return;
            }
            uint destination = (uint)(address >> 12) & 0xFF;
            bool logical = (address & 4) != 0;
            if (!_apic.MatchesDestination(destination, logical))
            {
                return;
            }
            uint mode = (data >> 8) & 7;
            if (mode == LocalApic.DeliveryFixed || mode == DeliveryLowestPriority)
            {
                _apic.Accept((int)(data & 0xFF), (data & 0x8000) != 0);
            }
            else if (mode == LocalApic.DeliveryNmi)
            {
                _apic.AcceptNmi();
            }
        }

        public override void SetIntx(bool asserted)
        {
        }
    }
}
