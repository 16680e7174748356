namespace Hv.Core.Drivers.Pci
{
    /// <summary>
    /// Configuration-space layout and bits (PCI Local Bus Specification 3.0, §6.1 and §6.2; the type 1 header of a
    /// PCI-to-PCI bridge from the PCI-to-PCI Bridge Architecture Specification 1.2, §3.2). Architecture definitions
    /// only: the scan and the drivers are elsewhere.
    /// </summary>
    public static class PciRegisters
    {
        public const int VendorId = 0x00;
        public const int DeviceId = 0x02;
        public const int Command = 0x04;
        public const int Status = 0x06;
        public const int RevisionId = 0x08;
        public const int ClassCode = 0x08; // dword: class (31:24), subclass (23:16), programming interface (15:8)
        public const int HeaderType = 0x0E;
        public const int Bar0 = 0x10;
        public const int CapabilitiesPointer = 0x34;
        public const int InterruptLine = 0x3C;

        /// <summary>Bridge (type 1) header: primary, secondary and subordinate bus numbers in one dword.</summary>
        public const int BridgeBusNumbers = 0x18;

        public const int BarsInType0Header = 6;
        public const int BarsInType1Header = 2;
        public const ushort NoVendor = 0xFFFF;

        // Header type byte (§6.2.1): bit 7 says the device has functions 1-7.
        public const byte HeaderLayoutMask = 0x7F;
        public const byte HeaderMultiFunction = 0x80;
        public const byte HeaderLayoutDevice = 0;
        public const byte HeaderLayoutBridge = 1;

        // Command register (§6.2.2).
        public const ushort CommandIoSpace = 1 << 0;
        public const ushort CommandMemorySpace = 1 << 1;
        public const ushort CommandBusMaster = 1 << 2;
        public const ushort CommandInterruptDisable = 1 << 10;

        // Status register (§6.2.3): bit 4 says a capability list starts at CapabilitiesPointer.
        public const ushort StatusCapabilityList = 1 << 4;

        // Base address registers (§6.2.5.1).
        public const uint BarIoSpace = 1;
        public const uint BarMemoryTypeMask = 0x6;
        public const uint BarMemoryType64 = 0x4;
        public const uint BarPrefetchable = 0x8;
        public const uint BarIoAddressMask = 0xFFFFFFFC;
        public const uint BarMemoryAddressMask = 0xFFFFFFF0;

        // Class codes (Appendix D).
        public const byte ClassNetwork = 0x02;
        public const byte ClassBridge = 0x06;
        public const byte SubclassPciToPciBridge = 0x04;

        // Capability list entries (§6.7): id, next pointer (low two bits reserved).
        public const int CapabilityId = 0;
        public const int CapabilityNext = 1;
        public const byte CapabilityVendorSpecific = 0x09;

        /// <summary>Capabilities live after the 64-byte header, at dword-aligned offsets below 256.</summary>
        public const int FirstCapabilityOffset = 0x40;

        /// <summary>At most this many capabilities fit in the 192 bytes after the header: a longer chain is a loop.</summary>
        public const int MaxCapabilities = 48;
    }
}
