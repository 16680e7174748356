namespace Hv.Core.Devices.Virtio
{
    /// <summary>
    /// Where a Hv virtio function keeps its registers (virtio 1.2, 4.1.4). BAR 0/1 is one 64-bit, non-prefetchable
    /// memory BAR of 16 KiB with a page for each structure: common configuration, ISR status (reading it clears
    /// it, which is why the BAR is not prefetchable), device-specific configuration and the notification area
    /// (queue n at n × 4). BAR 2 is a 4 KiB 32-bit memory BAR holding the MSI-X table (at 0) and pending bits
    /// (at 0x800), in their own page as PCI 3.0 6.8.2 recommends.
    /// </summary>
    public static class VirtioPciLayout
    {
        public const ushort VendorId = 0x1AF4;
        /// <summary>Modern (non-transitional) devices are 0x1040 + the virtio device ID (4.1.2).</summary>
        public const ushort ModernDeviceIdBase = 0x1040;
        /// <summary>Non-transitional devices should have revision 1 or higher (4.1.2.1).</summary>
        public const byte Revision = 1;

        public const int RegistersBar = 0;
        public const ulong RegistersBarSize = 0x4000;
        public const int MsixBar = 2;
        public const ulong MsixBarSize = 0x1000;
        public const uint MsixTableOffset = 0x000;
        public const uint MsixPbaOffset = 0x800;

        public const uint CommonConfigOffset = 0x0000;
        /// <summary>virtio_pci_common_cfg up to queue_device (the 1.0/1.1 layout; 1.2's optional fields are not offered).</summary>
        public const uint CommonConfigLength = 0x38;
        public const uint IsrOffset = 0x1000;
        public const uint IsrLength = 1;
        public const uint DeviceConfigOffset = 0x2000;
        public const uint NotifyOffset = 0x3000;
        /// <summary>notify_off_multiplier: a power of two (4.1.4.4.1), and queue_notify_off = queue index.</summary>
        public const uint NotifyMultiplier = 4;

        // Vendor-specific capability (ID 9) and its cfg_type values (4.1.4).
        public const byte VendorCapabilityId = 0x09;
        public const byte CommonConfigType = 1;
        public const byte NotifyConfigType = 2;
        public const byte IsrConfigType = 3;
        public const byte DeviceConfigType = 4;
        public const byte PciConfigType = 5;
        public const int CapabilityLength = 16;
        /// <summary>virtio_pci_notify_cap and virtio_pci_cfg_cap carry 4 more bytes.</summary>
        public const int ExtendedCapabilityLength = 20;

        // virtio_pci_common_cfg field offsets (4.1.4.3).
        public const int DeviceFeatureSelect = 0x00;
        public const int DeviceFeature = 0x04;
        public const int DriverFeatureSelect = 0x08;
        public const int DriverFeature = 0x0C;
        public const int ConfigMsixVector = 0x10;
        public const int NumQueues = 0x12;
        public const int DeviceStatus = 0x14;
        public const int ConfigGeneration = 0x15;
        public const int QueueSelect = 0x16;
        public const int QueueSize = 0x18;
        public const int QueueMsixVector = 0x1A;
        public const int QueueEnable = 0x1C;
        public const int QueueNotifyOff = 0x1E;
        public const int QueueDesc = 0x20;
        public const int QueueDriver = 0x28;
        public const int QueueDevice = 0x30;

        /// <summary>ISR status bits (4.1.4.5).</summary>
        public const byte IsrQueue = 1;
        public const byte IsrConfig = 2;
    }
}
