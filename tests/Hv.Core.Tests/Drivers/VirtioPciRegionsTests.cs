using Hv.Core.Drivers.Pci;
using Hv.Core.Drivers.Virtio;
using Hv.Core.Memory;
using Hv.Core.Virtio;

namespace Hv.Core.Tests.Drivers
{
    public class VirtioPciLayoutTests
    {
        // QEMU 7.2's transitional virtio-net: an MSI-X capability, then common, ISR, device and notify structures in
        // the 16 KiB memory BAR 4, and a PCI-configuration-access capability.
        private static (FakePciBus Bus, FakePciBus.Function Function) Device()
        {
            var bus = new FakePciBus();
            var f = bus.Add(0, 3, 0, 0x1AF4, 0x1000, 0x02, 0x00);
            FakePciBus.SetBar(f, 0, PciBarKind.Io, 0xC000, 32);
            FakePciBus.SetBar(f, 4, PciBarKind.Memory64, 0xFE000000, 0x4000, prefetchable: true);
            FakePciBus.SetCapabilities(f, (0xB0, 0x11), (0xA0, 0x09), (0x90, 0x09), (0x80, 0x09), (0x6C, 0x09), (0x58, 0x09));
            Vendor(f, 0xA0, VirtioPci.CommonConfigType, 4, 0x0000, 0x1000);
            Vendor(f, 0x90, VirtioPci.IsrConfigType, 4, 0x1000, 0x1000);
            Vendor(f, 0x80, VirtioPci.DeviceConfigType, 4, 0x2000, 0x1000);
            Vendor(f, 0x6C, VirtioPci.NotifyConfigType, 4, 0x3000, 0x1000, multiplier: 4);
            Vendor(f, 0x58, 5, 0, 0, 0); // VIRTIO_PCI_CAP_PCI_CFG
            return (bus, f);
        }

        private static void Vendor(FakePciBus.Function f, int at, byte type, byte bar, uint offset, uint length, uint multiplier = 0)
        {
            f.Space[at + 2] = type == VirtioPci.NotifyConfigType ? (byte)20 : (byte)16;
            f.Space[at + VirtioPci.CapType] = type;
            f.Space[at + VirtioPci.CapBar] = bar;
            LittleEndian.WriteUInt32(f.Space, at + VirtioPci.CapOffset, offset);
            LittleEndian.WriteUInt32(f.Space, at + VirtioPci.CapLength, length);
            if (type == VirtioPci.NotifyConfigType)
                LittleEndian.WriteUInt32(f.Space, at + VirtioPci.CapNotifyMultiplier, multiplier);
        }

        private static bool Read(FakePciBus bus, out VirtioPciRegions layout)
        {
            var scanner = new PciScanner(bus, 4);
            scanner.Scan();
            return VirtioPciRegions.TryRead(bus, scanner[0], out layout);
        }

        [Fact]
        public void Finds_common_notify_and_device_structures_in_their_bar()
        {
            var (bus, _) = Device();
            Assert.True(Read(bus, out VirtioPciRegions layout));
            Assert.Equal((4, 0x0000u, 0x1000u), (layout.Common.Bar, layout.Common.Offset, layout.Common.Length));
            Assert.Equal((4, 0x3000u, 0x1000u), (layout.Notify.Bar, layout.Notify.Offset, layout.Notify.Length));
            Assert.Equal((4, 0x2000u, 0x1000u), (layout.Device.Bar, layout.Device.Offset, layout.Device.Length));
            Assert.Equal(4u, layout.NotifyMultiplier);
        }

        [Fact]
        public void The_first_structure_of_a_type_wins()
        {
            var (bus, f) = Device();
            Vendor(f, 0x90, VirtioPci.DeviceConfigType, 4, 0x1000, 0x100); // before the one at 0x80 in the list
            Assert.True(Read(bus, out VirtioPciRegions layout));
            Assert.Equal(0x1000u, layout.Device.Offset);
        }

        [Theory]
        [InlineData(0x3000u, 0x1001u)]   // runs past the end of the 16 KiB BAR
        [InlineData(0xFFFFF000u, 0x2000u)] // offset beyond the BAR (and offset + length wraps)
        public void A_structure_outside_its_bar_is_refused(uint offset, uint length)
        {
            var (bus, f) = Device();
            Vendor(f, 0x6C, VirtioPci.NotifyConfigType, 4, offset, length, multiplier: 4);
            Assert.False(Read(bus, out _));
        }

        [Fact]
        public void A_structure_in_an_io_bar_or_a_missing_one_is_refused()
        {
            var (bus, f) = Device();
            Vendor(f, 0xA0, VirtioPci.CommonConfigType, 0, 0, 0x38); // BAR 0 is I/O space
            Assert.False(Read(bus, out _));

            (bus, f) = Device();
            f.Space[0x80 + VirtioPci.CapType] = VirtioPci.IsrConfigType; // no device configuration left
            Assert.False(Read(bus, out _));
        }

        [Fact]
        public void A_capability_too_close_to_the_end_of_configuration_space_is_not_read_past_it()
        {
            var (bus, f) = Device();
            // A notify capability at 0xF0, first in the list: its multiplier would lie at 0x100, past the 256 bytes.
            f.Space[PciRegisters.CapabilitiesPointer] = 0xF0;
            f.Space[0xF0] = 0x09;
            f.Space[0xF1] = 0xB0;
            f.Space[0xF0 + VirtioPci.CapType] = VirtioPci.NotifyConfigType;
            f.Space[0xF0 + VirtioPci.CapBar] = 4;
            LittleEndian.WriteUInt32(f.Space, 0xF0 + VirtioPci.CapOffset, 0x3800);
            LittleEndian.WriteUInt32(f.Space, 0xF0 + VirtioPci.CapLength, 0x100);
            Assert.True(Read(bus, out VirtioPciRegions layout)); // the fake bus fails the test on a read past 255
            Assert.Equal((0x3000u, 4u), (layout.Notify.Offset, layout.NotifyMultiplier));
        }
    }
}
