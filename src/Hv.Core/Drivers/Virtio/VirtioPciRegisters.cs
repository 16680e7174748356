namespace Hv.Core.Drivers.Virtio
{
    /// <summary>
    /// The virtio 1.x PCI transport (Virtual I/O Device Specification 1.1, §4.1): the vendor capabilities that place
    /// each configuration structure in a BAR, the common configuration layout, device status and feature bits.
    /// Architecture definitions only.
    /// </summary>
    public static class VirtioPciRegisters
    {
        public const ushort VendorRedHat = 0x1AF4;

        // Capability (struct virtio_pci_cap, §4.1.4): after id and next, length, type, BAR, then offset and length in the BAR.
        public const int CapType = 3;
        public const int CapBar = 4;
        public const int CapOffset = 8;
        public const int CapLength = 12;
        public const int CapBytes = 16;
        public const int CapNotifyMultiplier = 16; // struct virtio_pci_notify_cap (§4.1.4.4)
        public const int CapNotifyBytes = 20;

        public const byte CapCommonConfig = 1;
        public const byte CapNotifyConfig = 2;
        public const byte CapIsrConfig = 3;
        public const byte CapDeviceConfig = 4;

        // struct virtio_pci_common_cfg (§4.1.4.3).
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

        /// <summary>No MSI-X vector (§4.1.5.1.2): the device never signals through MSI-X.</summary>
        public const ushort NoVector = 0xFFFF;

        // Device status (§2.1).
        public const byte StatusAcknowledge = 1;
        public const byte StatusDriver = 2;
        public const byte StatusDriverOk = 4;
        public const byte StatusFeaturesOk = 8;
        public const byte StatusNeedsReset = 64;
        public const byte StatusFailed = 128;

        /// <summary>VIRTIO_F_VERSION_1 (§6): feature bit 32, i.e. bit 0 of feature dword 1.</summary>
        public const ulong FeatureVersion1 = 1UL << 32;
    }
}
