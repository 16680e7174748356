using Hv.Core.Devices;
using Hv.Core.Memory;
using Hv.Core.Devices.Pc;
using Hv.Core.Devices.Pci;
using Hv.Core.Devices.Virtio;
using Hv.Core.Storage;
using Hv.Core.Tests.Virtio;

namespace Hv.Core.Tests.Devices
{
    /// <summary>A PC VM's PCI side: config ports, the host bridge, a disk's BARs in the window, MSI-X to the APIC, snapshots.</summary>
    public class PcPciHostTests
    {
        private const ulong TscHz = 1_000_000_000;
        private readonly PcPlatform _platform = new PcPlatform(TscHz, TscHz, 0, null);
        private readonly PortBus _ports = new PortBus();

        public PcPciHostTests()
        {
            Assert.Equal(PortMapStatus.Ok, _platform.MapPorts(_ports));
        }

        private uint Config(int device, int offset)
        {
            Assert.True(_ports.Out(0xCF8, 4, 0x80000000u | (uint)(device << 11) | (uint)offset));
            Assert.True(_ports.In(0xCFC, 4, out uint value));
            return value;
        }

        private void WriteConfig(int device, int offset, uint value)
        {
            Assert.True(_ports.Out(0xCF8, 4, 0x80000000u | (uint)(device << 11) | (uint)offset));
            Assert.True(_ports.Out(0xCFC, 4, value));
        }

        private static VirtioBlock Disk()
        {
            PageSharing sharing = new CowPages().NewSharing();
            Assert.Equal(DiskStatus.Ok, DiskImage.Create(sharing, 2048, 1UL << 30, out DiskImage disk));
            return new VirtioBlock(disk, readOnly: false);
        }

        [Fact]
        public void The_config_ports_show_the_i440fx_host_bridge_at_00_00_0_and_nothing_else()
        {
            Assert.Equal(0x12378086u, Config(0, 0));
            Assert.Equal(0x06000002u, Config(0, 8));
            Assert.Equal(0xFFFFFFFFu, Config(PcPciHost.DiskDevice, 0));
        }

        [Fact]
        public void A_disk_gets_its_bars_in_the_window_with_memory_decoding_on()
        {
            VirtioBlock disk = Disk();
            Assert.Equal(PciStatus.Ok, _platform.AttachDisk(disk));
            Assert.Equal(0x10421AF4u, Config(PcPciHost.DiskDevice, 0));
            for (int bar = 0; bar < PciFunction.BarCount; bar++)
            {
                if (disk.BarSize(bar) == 0) continue;
                Assert.InRange(disk.BarAddress(bar), PcPciHost.MmioBase, PcPciHost.MmioLimit - disk.BarSize(bar));
                Assert.True(disk.BarDecodes(bar));
            }
            Assert.NotEqual(0, disk.Command & PciFunction.CommandMemory);
        }

        [Fact]
        public void The_mmio_window_reaches_a_bar_and_reads_all_ones_elsewhere()
        {
            VirtioBlock disk = Disk();
            Assert.Equal(PciStatus.Ok, _platform.AttachDisk(disk));
            PciMmioWindow window = new PciMmioWindow(_platform.Pci.Bus, PcPciHost.MmioBase);
            ulong registers = disk.BarAddress(VirtioPciLayout.RegistersBar) - PcPciHost.MmioBase;
            // device_feature_select = 1, then device_feature reads the high word: VERSION_1 is bit 32.
            window.Write(registers, 4, 1);
            Assert.NotEqual(0UL, window.Read(registers + 4, 4) & 1);
            Assert.Equal(0xFFFFFFFFUL, window.Read(PcPciHost.MmioLimit - PcPciHost.MmioBase - 4, 4));
        }

        [Fact]
        public void A_fixed_msi_message_raises_its_vector_and_a_foreign_address_is_dropped()
        {
            LocalApicMessageSink sink = new LocalApicMessageSink(_platform.Apics);
            _platform.LocalApic.WriteRegister(0xF0, 0x1FF); // software-enable
            sink.Message(0xFEC00000, 0x41);
            Assert.Equal(-1, _platform.LocalApic.PendingVector());
            sink.Message(0xFEE00000, 0x41); // destination 0, physical, fixed, edge
            Assert.Equal(0x41, _platform.LocalApic.PendingVector());
            sink.Message(0xFEE00000, 0x400); // NMI
            Assert.True(_platform.NmiPending);
        }

        [Fact]
        public void Config_address_and_a_disk_travel_with_the_platform_state_and_reset_clears_them()
        {
            VirtioBlock disk = Disk();
            Assert.Equal(PciStatus.Ok, _platform.AttachDisk(disk));
            WriteConfig(PcPciHost.DiskDevice, 0x0C, 0x10); // cache line size
            byte[] state = new byte[PcPlatform.StateSize];
            Assert.Equal(PcPlatform.StateSize, _platform.SaveState(state));

            _platform.Reset(0);
            Assert.Equal(0u, Config(PcPciHost.DiskDevice, 0x0C) & 0xFF);
            Assert.Equal(DeviceStateStatus.Ok, _platform.LoadState(state));
            Assert.Equal(0x10u, Config(PcPciHost.DiskDevice, 0x0C) & 0xFF);
        }

        [Fact]
        public void A_state_with_a_disk_is_refused_by_a_platform_without_one_and_leaves_it_unchanged()
        {
            PcPlatform withDisk = new PcPlatform(TscHz, TscHz, 0, null);
            Assert.Equal(PciStatus.Ok, withDisk.AttachDisk(Disk()));
            byte[] state = new byte[PcPlatform.StateSize];
            Assert.Equal(PcPlatform.StateSize, withDisk.SaveState(state));
            Assert.True(_ports.Out(0xCF8, 4, 0x80000008));
            Assert.Equal(DeviceStateStatus.Invalid, _platform.LoadState(state));
            Assert.True(_ports.In(0xCF8, 4, out uint address));
            Assert.Equal(0x80000008u, address);
        }

        [Fact]
        public void A_state_from_before_pci_loads_with_the_bus_at_power_on()
        {
            byte[] state = new byte[PcPlatform.StateSize];
            Assert.Equal(PcPlatform.StateSize, _platform.SaveState(state));
            state[0] = 1; // an export of versions 4-5: the platform's bytes then, zero-padded by the reader
            System.Array.Clear(state, PcPlatform.StateSizeBeforePci, PcPciHost.StateSize);
            Assert.True(_ports.Out(0xCF8, 4, 0x80000008));
            Assert.Equal(DeviceStateStatus.Ok, _platform.LoadState(state));
            Assert.True(_ports.In(0xCF8, 4, out uint address));
            Assert.Equal(0u, address);
            Assert.Equal(0x12378086u, Config(0, 0));
        }

        [Fact]
        public void A_function_state_fits_its_slot()
        {
            Assert.True(Disk().StateSize <= PcPciHost.FunctionStateCapacity);
            Assert.True(new PciHostBridge().StateSize <= PcPciHost.FunctionStateCapacity);
        }
    }
}
