using Hv.Core.Devices.Interrupts;
using Hv.Core.Devices.Pci;

namespace Hv.Core.Devices.Pc
{
    /// <summary>
    /// Delivers a PCI function's MSI/MSI-X messages to the VM's local APIC (SDM Vol. 3A 11.11): the address must be
    /// in the 0xFEExxxxx window, with the destination ID in bits 19:12 and the destination mode in bit 2; the data
    /// holds the vector (bits 7:0), the delivery mode (bits 10:8) and the trigger mode (bit 15). The VM's
    /// <see cref="ApicCluster"/> delivers it to the APICs it names; messages outside the window are dropped, as the
    /// chipset would not turn them into interrupts.
    /// INTx is not routed on a Hv PC (no _PRT), so a pin change goes nowhere.
    /// </summary>
    public sealed class LocalApicMessageSink : PciInterruptSink
    {
        public const ulong MessageWindow = 0xFEE00000;
        private readonly ApicCluster _apics;

        public LocalApicMessageSink(ApicCluster apics)
        {
            _apics = apics;
        }

        public override void Message(ulong address, uint data)
        {
            if ((address & 0xFFFFFFFFFFF00000UL) != MessageWindow)
            {
                return;
            }
            _apics.Message((uint)(address >> 12) & 0xFF, (address & 4) != 0, (data >> 8) & 7, (int)(data & 0xFF), (data & 0x8000) != 0);
        }

        public override void SetIntx(bool asserted)
        {
        }
    }
}
