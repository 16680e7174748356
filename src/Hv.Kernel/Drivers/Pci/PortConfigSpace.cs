using Hv.Core.Drivers.Pci;
using Hv.Kernel.Platform;

namespace Hv.Kernel.Drivers.Pci
{
    // Configuration mechanism #1 (PCI 3.0 §3.2.2.3.2): the function's address goes to port 0xCF8 with the enable bit,
    // its dword comes and goes through 0xCFC. The host runs with interrupts off, so the pair of accesses is never split.
    internal sealed class PortConfigSpace : PciConfigSpace
    {
        private const ushort AddressPort = 0xCF8;
        private const ushort DataPort = 0xCFC;
        private const uint Enable = 1u << 31;

        public override uint Read32(PciAddress address, int offset)
        {
            Native.hv_outd(AddressPort, Select(address, offset));
            return Native.hv_ind(DataPort);
        }

        public override void Write32(PciAddress address, int offset, uint value)
        {
            Native.hv_outd(AddressPort, Select(address, offset));
            Native.hv_outd(DataPort, value);
        }

        private static uint Select(PciAddress a, int offset) =>
            Enable | ((uint)a.Bus << 16) | ((uint)a.Device << 11) | ((uint)a.Function << 8) | (uint)(offset & 0xFC);
    }
}
