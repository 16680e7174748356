using Hv.Core.Text;

namespace Hv.Core.Drivers.Pci
{
    /// <summary>A function's place on the bus: bus 0-255, device 0-31, function 0-7 (PCI 3.0 §3.2.2.3.2).</summary>
    public readonly struct PciAddress
    {
        public readonly byte Bus;
        public readonly byte Device;
        public readonly byte Function;

        public PciAddress(int bus, int device, int function)
        {
            Bus = (byte)bus;
            Device = (byte)(device & 31);
            Function = (byte)(function & 7);
        }

        /// <summary>Writes the usual bus:device.function form, e.g. "00:03.0".</summary>
        public void WriteTo(TextSink sink)
        {
            sink.WriteHexDigits(Bus, 2);
            sink.Write(':');
            sink.WriteHexDigits(Device, 2);
            sink.Write('.');
            sink.WriteDecimal((ulong)Function);
        }
    }
}
