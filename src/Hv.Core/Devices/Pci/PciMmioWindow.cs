namespace Hv.Core.Devices.Pci
{
    /// <summary>
    /// The PCI memory window on a VM's <see cref="MmioBus"/>: every access in it goes to whichever enabled memory BAR
    /// holds it, so a guest that moves a BAR inside the window needs no remapping. An access no BAR decodes is a
    /// master abort: reads return all ones, writes vanish (PCI 3.0 3.7.3.1).
    /// </summary>
    public sealed class PciMmioWindow : MmioDevice
    {
        private readonly PciBus _bus;
        private readonly ulong _base;

        public PciMmioWindow(PciBus bus, ulong baseAddress)
        {
            _bus = bus;
            _base = baseAddress;
        }

        public override ulong Read(ulong offset, int size)
        {
            ulong value;
            _bus.ReadMemory(_base + offset, size, out value);
            return value;
        }

        public override void Write(ulong offset, int size, ulong value)
        {
            _bus.WriteMemory(_base + offset, size, value);
        }
    }
}
