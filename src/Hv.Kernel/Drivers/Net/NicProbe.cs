using Hv.Core.Drivers;
using Hv.Core.Drivers.E1000;
using Hv.Core.Drivers.Pci;
using Hv.Core.Drivers.Virtio;
using Hv.Core.Memory;
using Hv.Core.Text;
using Hv.Kernel.Drivers.Pci;
using Hv.Kernel.Memory;
using Hv.Core.Virtio;

namespace Hv.Kernel.Drivers.Net
{
    // Picks the first NIC a driver supports, in bus order, and starts it: its register BARs mapped uncached, memory
    // decoding and bus mastering on, INTx off (the host polls). A NIC that fails to start is logged and skipped.
    internal static class NicProbe
    {
        private const ushort PciDecodeForDma = PciRegisters.CommandMemorySpace | PciRegisters.CommandBusMaster | PciRegisters.CommandInterruptDisable;

        public static HostNic StartFirst(PciConfigSpace config, PciScanner bus, PageSource pages, TextSink log, out PciAddress where)
        {
            for (int i = 0; i < bus.Count; i++)
            {
                PciFunction f = bus[i];
                where = f.Address;
                HostNic nic = null;
                if (f.Is(E1000Registers.VendorIntel, E1000Registers.Device82540EM))
                    nic = StartE1000(config, f, pages, log);
                else if (f.VendorId == VirtioPci.VendorId
                         && (f.DeviceId == VirtioNetRegisters.TransitionalDevice || f.DeviceId == VirtioNetRegisters.ModernDevice))
                    nic = StartVirtio(config, f, pages, log);
                if (nic != null) return nic;
            }
            where = default;
            return null;
        }

        private static HostNic StartE1000(PciConfigSpace config, PciFunction f, PageSource pages, TextSink log)
        {
            PciBar bar = f.Bars[E1000Registers.RegisterBar];
            if (!bar.IsMemory || bar.Size < E1000Registers.RegisterBytes || !UncachedMapping.Map(bar.Address, bar.Size, pages))
                return Fail(log, "e1000", f, "register BAR 0 missing or not mappable");
            config.EnableCommand(f.Address, PciDecodeForDma);
            E1000StartStatus status;
            E1000Driver nic = E1000Driver.Start(new MmioRegisters(bar.Address, E1000Registers.RegisterBytes), pages, out status);
            if (nic != null) return nic;
            return Fail(log, "e1000", f, status == E1000StartStatus.ResetTimeout ? "reset did not finish"
                                       : status == E1000StartStatus.NoMacAddress ? "no MAC address" : "out of memory");
        }

        // The modern (virtio 1.x) interface: QEMU 7.2's transitional device offers it beside the legacy I/O BAR, and it
        // takes queues at any page-aligned address with a size the driver picks, where legacy needs one physically
        // contiguous 256-entry ring.
        private static HostNic StartVirtio(PciConfigSpace config, PciFunction f, PageSource pages, TextSink log)
        {
            VirtioPciRegions layout;
            if (!VirtioPciRegions.TryRead(config, f, out layout))
                return Fail(log, "virtio-net", f, "no virtio 1.x configuration structures");
            MmioRegisters common = Window(f, layout.Common, pages);
            MmioRegisters notify = Window(f, layout.Notify, pages);
            MmioRegisters device = Window(f, layout.Device, pages);
            if (common == null || notify == null || device == null)
                return Fail(log, "virtio-net", f, "configuration BAR not mappable");
            config.EnableCommand(f.Address, PciDecodeForDma);
            VirtioStartStatus status;
            VirtioNetDriver nic = VirtioNetDriver.Start(common, notify, layout.NotifyMultiplier, device, pages, out status);
            if (nic != null) return nic;
            return Fail(log, "virtio-net", f, Describe(status));
        }

        private static MmioRegisters Window(PciFunction f, VirtioRegion region, PageSource pages)
        {
            ulong start = f.Bars[region.Bar].Address + region.Offset;
            return UncachedMapping.Map(start, region.Length, pages) ? new MmioRegisters(start, (int)region.Length) : null;
        }

        private static string Describe(VirtioStartStatus status)
        {
            switch (status)
            {
                case VirtioStartStatus.ResetTimeout: return "reset did not finish";
                case VirtioStartStatus.NoVersion1: return "device does not offer VIRTIO_F_VERSION_1";
                case VirtioStartStatus.FeaturesRejected: return "device refused the features";
                case VirtioStartStatus.NoMacAddress: return "no MAC address";
                case VirtioStartStatus.NoQueue: return "receive or transmit queue missing";
                default: return "out of memory";
            }
        }

        private static HostNic Fail(TextSink log, string model, PciFunction f, string why)
        {
            log.Write("net: ");
            log.Write(model);
            log.Write(" at ");
            f.Address.WriteTo(log);
            log.Write(" not used: ");
            log.WriteLine(why);
            return null;
        }
    }
}
