using Hv.Core.Virtio;

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
        public const uint CommonConfigLength = VirtioPci.CommonConfigBytes;
        public const uint IsrOffset = 0x1000;
        public const uint IsrLength = 1;
        public const uint DeviceConfigOffset = 0x2000;
        public const uint NotifyOffset = 0x3000;
        /// <summary>notify_off_multiplier: a power of two (4.1.4.4.1), and queue_notify_off = queue index.</summary>
        public const uint NotifyMultiplier = 4;
    }
}
