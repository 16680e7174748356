namespace Hv.Core.Virtio
{
    /// <summary>
    /// The virtio 1.x PCI transport (Virtual I/O Device Specification 1.2, 4.1): identification, the vendor
    /// capabilities that place each configuration structure in a BAR, the common configuration layout and the ISR
    /// bits. Architecture definitions only, shared by the device models (Devices/Virtio) and the host's own NIC
    /// driver (Drivers/Virtio).
    /// </summary>
    public static class VirtioPci
    {
        public const ushort VendorId = 0x1AF4;
        /// <summary>Modern (non-transitional) devices are 0x1040 + the virtio device ID (4.1.2).</summary>
        public const ushort ModernDeviceIdBase = 0x1040;

        // Vendor-specific capability (ID 9, struct virtio_pci_cap, 4.1.4): after id and next, length, type, BAR,
        // then offset and length in the BAR.
        public const byte VendorCapabilityId = 0x09;
        public const int CapType = 3;
        public const int CapBar = 4;
        public const int CapOffset = 8;
        public const int CapLength = 12;
        public const int CapBytes = 16;
        /// <summary>virtio_pci_notify_cap (4.1.4.4) and virtio_pci_cfg_cap carry 4 more bytes.</summary>
        public const int CapNotifyMultiplier = 16;
        public const int CapNotifyBytes = 20;

        // cfg_type values (4.1.4).
        public const byte CommonConfigType = 1;
        public const byte NotifyConfigType = 2;
        public const byte IsrConfigType = 3;
        public const byte DeviceConfigType = 4;
        public const byte PciConfigType = 5;

        // struct virtio_pci_common_cfg (4.1.4.3), up to queue_device (the 1.0/1.1 layout).
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
        public const int CommonConfigBytes = 0x38;

        /// <summary>No MSI-X vector (4.1.5.1.2).</summary>
        public const ushort NoVector = 0xFFFF;

        /// <summary>ISR status bits (4.1.4.5).</summary>
        public const byte IsrQueue = 1;
        public const byte IsrConfig = 2;
    }
}
