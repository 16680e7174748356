namespace Hv.Core.Devices.Pci
{
    /// <summary>
    /// Where a PCI function's interrupts go: the seam between the device models and the VM's interrupt
    /// controllers. The VM gives each function one sink that forwards MSI/MSI-X messages to the local APIC (the
    /// address/data pair is the SDM 10.11 format: destination in address bits 19:12, vector in data bits 7:0) and
    /// the INTx pin level to the IOAPIC input its routing table assigns the slot (a level-triggered, active-low
    /// line on real boards: "asserted" here means the interrupt is requested).
    /// </summary>
    public abstract class PciInterruptSink
    {
        /// <summary>The function wrote <paramref name="data"/> to <paramref name="address"/> as an interrupt message.</summary>
        public abstract void Message(ulong address, uint data);

        /// <summary>The function's INTx pin changed level (only called on a change).</summary>
        public abstract void SetIntx(bool asserted);
    }
}
