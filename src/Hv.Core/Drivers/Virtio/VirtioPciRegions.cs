using Hv.Core.Drivers.Pci;
using Hv.Core.Virtio;

namespace Hv.Core.Drivers.Virtio
{
    /// <summary>Where one configuration structure lives: a memory BAR and a range inside it.</summary>
    public struct VirtioRegion
    {
        public int Bar;
        public uint Offset;
        public uint Length;
        public bool Found;
    }

    /// <summary>
    /// The modern (virtio 1.x) configuration structures of a virtio PCI function, found through its vendor-specific
    /// capabilities (virtio 1.1 §4.1.4): the first of each type is used (§4.1.4.1), and each must lie inside a memory
    /// BAR the firmware assigned, so the kernel never maps past what the device decodes.
    /// </summary>
    public sealed class VirtioPciRegions
    {
        private const uint MinDeviceConfigBytes = 6; // the MAC address
        private const int ConfigSpaceBytes = 256;

        public VirtioRegion Common;
        public VirtioRegion Notify;
        public VirtioRegion Device;
        public uint NotifyMultiplier;

        /// <summary>Reads the capabilities of function; false when a required structure is missing or out of range.</summary>
        public static bool TryRead(PciConfigSpace config, PciFunction function, out VirtioPciRegions layout)
        {
            layout = new VirtioPciRegions();
            PciAddress a = function.Address;
            int cap = 0;
            while ((cap = PciCapabilities.Next(config, a, PciRegisters.CapabilityVendorSpecific, cap)) != 0)
            {
                byte type = config.Read8(a, cap + VirtioPci.CapType);
                int bytes = type == VirtioPci.NotifyConfigType ? VirtioPci.CapNotifyBytes : VirtioPci.CapBytes;
                if (cap + bytes > ConfigSpaceBytes)
                {
                    continue; // would run past the end of configuration space
                }
                VirtioRegion region;
                region.Bar = config.Read8(a, cap + VirtioPci.CapBar);
                region.Offset = config.Read32(a, cap + VirtioPci.CapOffset);
                region.Length = config.Read32(a, cap + VirtioPci.CapLength);
                region.Found = true;
                if (type == VirtioPci.CommonConfigType && !layout.Common.Found)
                {
                    layout.Common = region;
                }
                else if (type == VirtioPci.NotifyConfigType && !layout.Notify.Found)
                {
                    layout.Notify = region;
                    layout.NotifyMultiplier = config.Read32(a, cap + VirtioPci.CapNotifyMultiplier);
                }
                else if (type == VirtioPci.DeviceConfigType && !layout.Device.Found)
                {
                    layout.Device = region;
                }
            }
            return Fits(layout.Common, function, VirtioPci.CommonConfigBytes)
                   && Fits(layout.Notify, function, 2)
                   && Fits(layout.Device, function, MinDeviceConfigBytes);
        }

        private static bool Fits(VirtioRegion region, PciFunction function, uint minLength)
        {
            if (!region.Found || region.Bar >= function.Bars.Length || region.Length < minLength)
            {
                return false;
            }
            PciBar bar = function.Bars[region.Bar];
            return bar.IsMemory && bar.Address != 0 && region.Offset <= bar.Size && region.Length <= bar.Size - region.Offset;
        }
    }
}
