using Hv.Core.Drivers.Pci;

namespace Hv.Core.Tests.Drivers
{
    public class PciScannerTests
    {
        private static (FakePciBus Bus, PciScanner Scanner) Scan(FakePciBus bus, int capacity = 16)
        {
            var scanner = new PciScanner(bus, capacity);
            scanner.Scan();
            return (bus, scanner);
        }

        [Fact]
        public void Finds_the_functions_of_bus_0_with_ids_class_and_interrupt_line()
        {
            var bus = new FakePciBus();
            bus.Add(0, 0, 0, 0x8086, 0x1237, 0x06, 0x00);
            bus.Add(0, 3, 0, 0x8086, 0x100E, 0x02, 0x00);
            var (_, scanner) = Scan(bus);

            Assert.Equal(2, scanner.Count);
            PciFunction nic = scanner[1];
            Assert.Equal((0, 3, 0), (nic.Address.Bus, nic.Address.Device, nic.Address.Function));
            Assert.True(nic.Is(0x8086, 0x100E));
            Assert.Equal(PciRegisters.ClassNetwork, nic.Class);
            Assert.Equal(0, nic.Subclass);
            Assert.Equal(11, nic.InterruptLine);
            Assert.Equal(1, scanner.Find(0x8086, new ushort[] { 0x100F, 0x100E }, 0));
            Assert.Equal(-1, scanner.Find(0x8086, new ushort[] { 0x100E }, 2));
        }

        [Fact]
        public void Probes_functions_1_to_7_only_of_multi_function_devices()
        {
            var bus = new FakePciBus();
            // A single-function device that (like some real ones) answers the same on every function number.
            for (int fn = 0; fn < 8; fn++)
                bus.Add(0, 2, fn, 0x1234, 0x1111, 0x03, 0x00);
            bus.Add(0, 1, 0, 0x8086, 0x7000, 0x06, 0x01, PciRegisters.HeaderMultiFunction);
            bus.Add(0, 1, 1, 0x8086, 0x7010, 0x01, 0x01);
            bus.Add(0, 1, 3, 0x8086, 0x7113, 0x06, 0x80);
            var (_, scanner) = Scan(bus);

            Assert.Equal(4, scanner.Count);
            Assert.Equal(new[] { "0:1.0", "0:1.1", "0:1.3", "0:2.0" },
                         new[] { Name(scanner[0]), Name(scanner[1]), Name(scanner[2]), Name(scanner[3]) });
        }

        private static string Name(PciFunction f) => $"{f.Address.Bus}:{f.Address.Device}.{f.Address.Function}";

        [Fact]
        public void Follows_a_bridge_to_its_secondary_bus_and_cannot_be_looped()
        {
            var bus = new FakePciBus();
            var bridge = bus.Add(0, 5, 0, 0x8086, 0x244E, PciRegisters.ClassBridge, PciRegisters.SubclassPciToPciBridge, 1);
            bridge.Write(PciRegisters.BridgeBusNumbers, 0x00020100); // primary 0, secondary 1, subordinate 2
            bus.Add(1, 0, 0, 0x1AF4, 0x1041, 0x02, 0x00);
            var back = bus.Add(1, 1, 0, 0x8086, 0x244E, PciRegisters.ClassBridge, PciRegisters.SubclassPciToPciBridge, 1);
            back.Write(PciRegisters.BridgeBusNumbers, 0x00000001); // a broken bridge naming bus 0 as its secondary
            var (_, scanner) = Scan(bus);

            Assert.Equal(3, scanner.Count);
            Assert.True(scanner[0].IsBridge);
            Assert.True(scanner[1].Is(0x1AF4, 0x1041));
            Assert.Equal(1, scanner[1].Address.Bus);
        }

        [Fact]
        public void Sizes_32_bit_64_bit_and_io_bars_with_decoding_off_and_restores_everything()
        {
            var bus = new FakePciBus();
            var f = bus.Add(0, 3, 0, 0x1AF4, 0x1000, 0x02, 0x00);
            FakePciBus.SetBar(f, 0, PciBarKind.Io, 0xC000, 32);
            FakePciBus.SetBar(f, 1, PciBarKind.Memory32, 0xFEBD1000, 4096);
            FakePciBus.SetBar(f, 4, PciBarKind.Memory64, 0x8_0000_0000, 16384, prefetchable: true);
            f.Write(PciRegisters.Command, PciRegisters.CommandIoSpace | PciRegisters.CommandMemorySpace);
            uint[] before = new uint[6];
            for (int i = 0; i < 6; i++)
                before[i] = f.Read(PciRegisters.Bar0 + 4 * i);

            var (_, scanner) = Scan(bus);

            PciBar[] bars = scanner[0].Bars;
            Assert.Equal((PciBarKind.Io, 0xC000UL, 32UL), (bars[0].Kind, bars[0].Address, bars[0].Size));
            Assert.Equal((PciBarKind.Memory32, 0xFEBD1000UL, 4096UL, false), (bars[1].Kind, bars[1].Address, bars[1].Size, bars[1].Prefetchable));
            Assert.Equal(PciBarKind.None, bars[2].Kind);
            Assert.Equal(PciBarKind.None, bars[3].Kind);
            Assert.Equal((PciBarKind.Memory64, 0x8_0000_0000UL, 16384UL, true), (bars[4].Kind, bars[4].Address, bars[4].Size, bars[4].Prefetchable));
            Assert.Equal(PciBarKind.None, bars[5].Kind); // the upper half of BAR 4, not a BAR of its own
            Assert.Equal(0, f.ProbesWhileDecoding);
            for (int i = 0; i < 6; i++)
                Assert.Equal(before[i], f.Read(PciRegisters.Bar0 + 4 * i));
            Assert.Equal(PciRegisters.CommandIoSpace | PciRegisters.CommandMemorySpace, f.Command);
        }

        [Fact]
        public void Stops_at_its_capacity_and_says_so()
        {
            var bus = new FakePciBus();
            for (int d = 0; d < 5; d++)
                bus.Add(0, d, 0, 0x8086, (ushort)(0x1000 + d), 0x02, 0x00);
            var (_, scanner) = Scan(bus, capacity: 3);
            Assert.Equal(3, scanner.Count);
            Assert.True(scanner.Truncated);
        }

        [Fact]
        public void Enabling_command_bits_keeps_the_others_and_does_not_clear_status()
        {
            var bus = new FakePciBus();
            var f = bus.Add(0, 3, 0, 0x8086, 0x100E, 0x02, 0x00);
            f.Write(PciRegisters.Command, PciRegisters.CommandIoSpace | (0x0010u << 16)); // capability list flag in status
            bus.EnableCommand(new PciAddress(0, 3, 0), PciRegisters.CommandMemorySpace | PciRegisters.CommandBusMaster);
            Assert.Equal(PciRegisters.CommandIoSpace | PciRegisters.CommandMemorySpace | PciRegisters.CommandBusMaster, f.Command);
            Assert.Equal(0x0010u, f.Read(PciRegisters.Command) >> 16);
        }

        [Fact]
        public void Capability_walk_finds_each_match_in_order_and_ends_on_loops_and_bad_pointers()
        {
            var bus = new FakePciBus();
            var f = bus.Add(0, 3, 0, 0x1AF4, 0x1000, 0x02, 0x00);
            var a = new PciAddress(0, 3, 0);
            FakePciBus.SetCapabilities(f, (0x98, 0x11), (0x84, 0x09), (0x70, 0x09), (0x60, 0x05), (0x50, 0x09));

            Assert.Equal(0x84, PciCapabilities.Next(bus, a, 0x09, 0));
            Assert.Equal(0x70, PciCapabilities.Next(bus, a, 0x09, 0x84));
            Assert.Equal(0x50, PciCapabilities.Next(bus, a, 0x09, 0x70));
            Assert.Equal(0, PciCapabilities.Next(bus, a, 0x09, 0x50));
            Assert.Equal(0x98, PciCapabilities.Next(bus, a, 0x11, 0));
            Assert.Equal(0, PciCapabilities.Next(bus, a, 0x10, 0));

            f.Space[0x51] = 0x98; // the last entry points back to the first: the walk must still end
            bus.Reads = 0;
            Assert.Equal(0, PciCapabilities.Next(bus, a, 0x10, 0));
            Assert.True(bus.Reads < 200, $"{bus.Reads} reads");

            f.Space[0x85] = 0x3C; // a pointer into the header ends the list
            Assert.Equal(0, PciCapabilities.Next(bus, a, 0x09, 0x84));

            f.Space[PciRegisters.Status] = 0; // no list flag: no capabilities at all
            Assert.Equal(0, PciCapabilities.Next(bus, a, 0x11, 0));
        }
    }
}
