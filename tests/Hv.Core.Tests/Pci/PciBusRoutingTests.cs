using Hv.Core.Devices.Pci;

namespace Hv.Core.Tests.Pci
{
    /// <summary>Accesses reach a function only inside an enabled BAR, and BAR assignment works like firmware's.</summary>
    public class PciBusRoutingTests
    {
        private readonly PciBus _bus = new PciBus();
        private readonly TestFunction _function = new TestFunction();

        public PciBusRoutingTests()
        {
            Assert.Equal(PciStatus.Ok, _bus.Attach(2, 0, _function));
            _function.SetBarAddress(0, 0xC040);
            _function.SetBarAddress(1, 0xFEB01000);
            _function.SetBarAddress(2, 0x1_0000_0000);
        }

        [Fact]
        public void Memory_BARs_decode_only_while_memory_space_is_enabled()
        {
            Assert.False(_bus.ReadMemory(0x1_0000_0010, 4, out ulong value));
            Assert.Equal(0xFFFFFFFFUL, value);
            _function.SetCommand(PciFunction.CommandMemory);
            Assert.True(_bus.ReadMemory(0x1_0000_0010, 4, out value));
            Assert.Equal(0x55667788UL, value);
            Assert.Equal((2, 0x10UL, 4), (_function.LastBar, _function.LastOffset, _function.LastSize));
            Assert.True(_bus.WriteMemory(0x1_000F_FFF8, 8, 0xAABB));
            Assert.Equal((2, 0xFFFF8UL, 8, 0xAABBUL), (_function.LastBar, _function.LastOffset, _function.LastSize, _function.LastValue));
            Assert.False(_bus.ReadIo(0xC040, 1, out _));
        }

        [Fact]
        public void IO_BARs_decode_only_while_IO_space_is_enabled()
        {
            Assert.False(_bus.WriteIo(0xC05F, 1, 1));
            _function.SetCommand(PciFunction.CommandIo);
            Assert.True(_bus.WriteIo(0xC05F, 1, 0x1FF));
            Assert.Equal((0, 0x1FUL, 1, 0xFFUL), (_function.LastBar, _function.LastOffset, _function.LastSize, _function.LastValue));
            Assert.True(_bus.ReadIo(0xC040, 2, out uint value));
            Assert.Equal(0x7788u, value);
            Assert.False(_bus.ReadIo(0xC060, 1, out _));
            Assert.False(_bus.ReadMemory(0xFEB01000, 4, out _));
        }

        [Fact]
        public void An_access_running_past_the_end_of_a_BAR_is_not_routed()
        {
            _function.SetCommand(PciFunction.CommandMemory | PciFunction.CommandIo);
            Assert.False(_bus.ReadMemory(0x1_000F_FFFE, 4, out _));
            Assert.False(_bus.WriteIo(0xC05E, 4, 0));
            Assert.True(_bus.ReadMemory(0x1_000F_FFFC, 4, out _));
        }

        [Fact]
        public void Moving_a_BAR_moves_what_it_decodes()
        {
            _function.SetCommand(PciFunction.CommandMemory);
            _function.WriteConfig(0x14, 4, 0xFEC00000);
            Assert.False(_bus.ReadMemory(0xFEB01800, 4, out _));
            Assert.True(_bus.ReadMemory(0xFEC00800, 4, out _));
        }

        [Fact]
        public void Assigner_places_every_BAR_aligned_inside_its_window_and_enables_decoding()
        {
            var second = new TestFunction();
            Assert.Equal(PciStatus.Ok, _bus.Attach(3, 0, second));
            Assert.Equal(PciStatus.Ok, PciResourceAssigner.Assign(_bus, 0xC0000000, 0xFEC00000, 0xC000, 0x10000));
            var ranges = new System.Collections.Generic.List<(ulong Start, ulong End, bool Io)>();
            foreach (var f in new[] { _function, second })
            {
                Assert.Equal(PciFunction.CommandIo | PciFunction.CommandMemory, f.Command);
                for (int bar = 0; bar < 6; bar++)
                {
                    ulong size = f.BarSize(bar);
                    if (size == 0) continue;
                    ulong start = f.BarAddress(bar);
                    bool io = f.BarKind(bar) == PciBarKind.Io;
                    Assert.Equal(0UL, start % size);
                    Assert.InRange(start, io ? 0xC000UL : 0xC0000000UL, (io ? 0x10000UL : 0xFEC00000UL) - size);
                    ranges.Add((start, start + size, io));
                }
            }
            for (int i = 0; i < ranges.Count; i++)
                for (int j = i + 1; j < ranges.Count; j++)
                    Assert.False(ranges[i].Io == ranges[j].Io && ranges[i].Start < ranges[j].End && ranges[j].Start < ranges[i].End);
        }

        [Fact]
        public void Assigner_reports_a_window_too_small()
        {
            Assert.Equal(PciStatus.WindowFull, PciResourceAssigner.Assign(_bus, 0xC0000000, 0xC0080000, 0xC000, 0x10000));
            Assert.Equal(PciStatus.WindowFull, PciResourceAssigner.Assign(_bus, 0xC0000000, 0xFEC00000, 0xFFF0, 0x10000));
        }
    }
}
