namespace Hv.Core.Drivers.Virtio
{
    /// <summary>The network device (virtio 1.1 §5.1): ids, feature bits, device configuration and the frame header.</summary>
    public static class VirtioNetRegisters
    {
        /// <summary>The transitional device id (§4.1.2.3) and the modern one (0x1040 + device type 1).</summary>
        public const ushort TransitionalDevice = 0x1000;
        public const ushort ModernDevice = 0x1041;

        public const int ReceiveQueue = 0;   // receiveq1 (§5.1.2)
        public const int TransmitQueue = 1;  // transmitq1

        // Feature bits (§5.1.3).
        public const ulong FeatureMac = 1UL << 5;
        public const ulong FeatureStatus = 1UL << 16;

        // struct virtio_net_config (§5.1.4).
        public const int ConfigMac = 0;
        public const int ConfigStatus = 6;
        public const ushort StatusLinkUp = 1;

        /// <summary>
        /// struct virtio_net_hdr (§5.1.6) with VIRTIO_F_VERSION_1: 12 bytes including num_buffers. Sent all zero: no
        /// checksum offload, no segmentation.
        /// </summary>
        public const int HeaderBytes = 12;
    }
}
