namespace Hv.Core.Drivers.Pci
{
    /// <summary>A function found by <see cref="PciScanner"/>: its identity, class and decoded BARs.</summary>
    public sealed class PciFunction
    {
        public PciAddress Address;
        public ushort VendorId;
        public ushort DeviceId;
        public byte Class;
        public byte Subclass;
        public byte ProgrammingInterface;
        public byte Revision;
        public byte HeaderLayout;
        public byte InterruptLine;
        public readonly PciBar[] Bars = new PciBar[PciRegisters.BarsInType0Header];

        public bool IsBridge { get { return HeaderLayout == PciRegisters.HeaderLayoutBridge; } }

        public bool Is(ushort vendorId, ushort deviceId)
        {
            return VendorId == vendorId && DeviceId == deviceId;
        }
    }
}
