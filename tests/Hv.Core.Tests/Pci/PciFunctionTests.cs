using System;
using Hv.Core.Devices.Pci;

namespace Hv.Core.Tests.Pci
{
    /// <summary>The type-0 header, BARs and capability list (PCI Local Bus 3.0, 6.1-6.2, 6.7).</summary>
    public class PciFunctionTests
    {
        private readonly TestFunction _function = new TestFunction();

        [Fact]
        public void Identity_registers_are_read_only_at_every_offset_and_width()
        {
            var random = new Random(12);
            byte[] before = Snapshot(_function);
            for (int i = 0; i < 20000; i++)
            {
                int size = 1 << random.Next(3);
                int offset = random.Next(0x40) & ~(size - 1);
                // Skip the registers that are meant to change: command, cache line, BARs, interrupt line.
                if (offset is >= 0x04 and < 0x06 || offset == 0x0C || offset is >= 0x10 and < 0x28 || offset == 0x3C)
                    continue;
                _function.WriteConfig(offset, size, (uint)random.Next());
            }
            byte[] after = Snapshot(_function);
            for (int i = 0; i < 0x40; i++)
            {
                if (i is >= 0x04 and < 0x06 || i == 0x0C || i is >= 0x10 and < 0x28 || i == 0x3C)
                    continue;
                Assert.True(before[i] == after[i], $"byte 0x{i:X2} changed");
            }
            Assert.Equal(0x1234, _function.VendorId);
            Assert.Equal(0x0C0330u, _function.ReadConfig(0x08, 4) >> 8);
        }

        [Fact]
        public void Command_keeps_only_its_writable_bits()
        {
            _function.WriteConfig(0x04, 2, 0xFFFF);
            Assert.Equal(0x0547u, _function.ReadConfig(0x04, 2));
            _function.WriteConfig(0x05, 1, 0x00);
            Assert.Equal(0x0047u, _function.ReadConfig(0x04, 2));
        }

        [Theory]
        [InlineData(0, 0x0000FFE1u)] // I/O, 32 bytes, 16-bit decode
        [InlineData(1, 0xFFFFF008u)] // 32-bit memory, 4 KiB, prefetchable
        [InlineData(2, 0xFFF00004u)] // 64-bit memory, 1 MiB: lower half
        [InlineData(3, 0xFFFFFFFFu)] // ... upper half
        [InlineData(4, 0x00000000u)] // not implemented
        [InlineData(5, 0x00000000u)]
        public void Writing_all_ones_to_a_BAR_reads_back_its_size_mask(int bar, uint expected)
        {
            _function.WriteConfig(0x10 + bar * 4, 4, 0xFFFFFFFF);
            Assert.Equal(expected, _function.ReadConfig(0x10 + bar * 4, 4));
        }

        [Fact]
        public void Expansion_ROM_is_not_implemented()
        {
            _function.WriteConfig(0x30, 4, 0xFFFFF801);
            Assert.Equal(0u, _function.ReadConfig(0x30, 4));
        }

        [Fact]
        public void A_BAR_written_a_byte_at_a_time_keeps_the_address_its_size_allows()
        {
            _function.WriteConfig(0x14, 1, 0xFF);
            _function.WriteConfig(0x15, 1, 0x34);
            _function.WriteConfig(0x16, 1, 0xCD);
            _function.WriteConfig(0x17, 1, 0xFE);
            Assert.Equal(0xFECD3008u, _function.ReadConfig(0x14, 4));
            Assert.Equal(0xFECD3000UL, _function.BarAddress(1));
        }

        [Fact]
        public void A_64_bit_BAR_takes_its_upper_half_from_the_next_register()
        {
            _function.SetBarAddress(2, 0x0000_0012_3450_0000);
            Assert.Equal(0x34500004u, _function.ReadConfig(0x18, 4));
            Assert.Equal(0x12u, _function.ReadConfig(0x1C, 4));
            Assert.Equal(0x0000_0012_3450_0000UL, _function.BarAddress(2));
        }

        [Fact]
        public void Capability_list_starts_at_0x40_with_MSI_X_and_the_status_bit_says_so()
        {
            Assert.Equal(PciFunction.StatusCapabilities, _function.ReadConfig(0x06, 2) & PciFunction.StatusCapabilities);
            Assert.Equal(0x40u, _function.ReadConfig(0x34, 1));
            Assert.Equal(0x11u, _function.ReadConfig(0x40, 1));
            Assert.Equal(0u, _function.ReadConfig(0x41, 1));
            // Table size N-1 = 2; table at BAR1 offset 0, PBA at BAR1 offset 0x800.
            Assert.Equal(2u, _function.ReadConfig(0x42, 2));
            Assert.Equal(0x00000001u, _function.ReadConfig(0x44, 4));
            Assert.Equal(0x00000801u, _function.ReadConfig(0x48, 4));
            int next = _function.Capability(0x09, 6);
            Assert.Equal(0x4C, next);
            Assert.Equal(0x4Cu, _function.ReadConfig(0x41, 1));
        }

        [Fact]
        public void Capabilities_stop_at_the_end_of_configuration_space()
        {
            int added = 0;
            while (_function.Capability(0x09, 16) != 0)
                added++;
            Assert.Equal((0x100 - 0x4C) / 16, added);
        }

        [Fact]
        public void Declaring_BARs_checks_index_size_and_overlap()
        {
            var function = new TestFunction();
            Assert.Equal(PciStatus.InUse, function.Declare(2, PciBarKind.Memory32, 4096));
            Assert.Equal(PciStatus.InUse, function.Declare(3, PciBarKind.Memory32, 4096));
            Assert.Equal(PciStatus.InvalidArgument, function.Declare(5, PciBarKind.Memory64, 4096));
            Assert.Equal(PciStatus.InvalidArgument, function.Declare(4, PciBarKind.Memory32, 3000));
            Assert.Equal(PciStatus.InvalidArgument, function.Declare(4, PciBarKind.Io, 512));
            Assert.Equal(PciStatus.InvalidArgument, function.Declare(4, PciBarKind.Memory32, 8));
            Assert.Equal(PciStatus.Ok, function.Declare(4, PciBarKind.Memory64, 1UL << 33));
            function.WriteConfig(0x20, 4, 0xFFFFFFFF);
            function.WriteConfig(0x24, 4, 0xFFFFFFFF);
            Assert.Equal(0x00000004u, function.ReadConfig(0x20, 4));
            Assert.Equal(0xFFFFFFFEu, function.ReadConfig(0x24, 4));
        }

        [Fact]
        public void Accesses_that_leave_their_dword_are_refused()
        {
            Assert.Equal(0xFFFFu, _function.ReadConfig(0x03, 2));
            Assert.Equal(0xFFFFFFFFu, _function.ReadConfig(0x02, 4));
            Assert.Equal(0xFFFFFFFFu, _function.ReadConfig(0x100, 4));
            _function.WriteConfig(0x3B, 2, 0xFFFF);
            Assert.Equal(0, _function.InterruptLine);
        }

        [Fact]
        public void INTx_follows_the_request_unless_interrupt_disable_is_set()
        {
            var sink = new RecordingSink();
            _function.ConnectInterrupts(sink);
            _function.Request(true);
            Assert.True(sink.Intx);
            Assert.Equal(PciFunction.StatusInterrupt, _function.ReadConfig(0x06, 2) & PciFunction.StatusInterrupt);
            _function.SetCommand(PciFunction.CommandInterruptDisable);
            Assert.False(sink.Intx);
            // The status bit still shows the request (6.2.3).
            Assert.Equal(PciFunction.StatusInterrupt, _function.ReadConfig(0x06, 2) & PciFunction.StatusInterrupt);
            _function.SetCommand(0);
            Assert.True(sink.Intx);
            _function.Request(false);
            Assert.False(sink.Intx);
            Assert.Equal(new[] { true, false, true, false }, sink.IntxChanges);
        }

        [Fact]
        public void Reset_returns_the_writable_registers_to_zero()
        {
            _function.SetBarAddress(1, 0xFEB00000);
            _function.SetCommand(0x0007);
            _function.InterruptLine = 11;
            _function.WriteConfig(0x43, 1, 0xC0);
            _function.Reset();
            Assert.Equal(0, _function.Command);
            Assert.Equal(0x00000008u, _function.ReadConfig(0x14, 4));
            Assert.Equal(0, _function.InterruptLine);
            Assert.Equal(0x0002u, _function.ReadConfig(0x42, 2));
            Assert.False(_function.MsixEnabled);
            Assert.Equal(0x1234, _function.VendorId);
        }

        private static byte[] Snapshot(PciFunction function)
        {
            var bytes = new byte[256];
            for (int i = 0; i < 256; i++)
                bytes[i] = (byte)function.ReadConfig(i, 1);
            return bytes;
        }

        [Fact]
        public void Saved_state_restores_BARs_command_capabilities_and_the_MSI_X_table()
        {
            var sink = new RecordingSink();
            _function.ConnectInterrupts(sink);
            _function.SetBarAddress(1, 0xFEB01000);
            _function.SetBarAddress(2, 0x8_0000_0000);
            _function.SetCommand(0x0406);
            _function.InterruptLine = 10;
            _function.WriteBar(1, 16, 8, 0xFEE0_1000);
            _function.WriteBar(1, 24, 4, 0x55);
            _function.WriteConfig(0x42, 2, 0x8000);
            _function.Signal(1); // vector 1 is masked: pending
            var saved = new byte[_function.StateSize];
            Assert.Equal(saved.Length, _function.SaveState(saved));

            var copy = new TestFunction();
            Assert.Equal(Hv.Core.Devices.DeviceStateStatus.Ok, copy.LoadState(saved));
            for (int offset = 0; offset < 256; offset += 4)
                Assert.Equal(_function.ReadConfig(offset, 4), copy.ReadConfig(offset, 4));
            Assert.True(copy.MsixEnabled);
            Assert.True(copy.Msix.IsPending(1));
            Assert.Equal(0xFEE0_1000UL, copy.ReadBar(1, 16, 8));
            copy.ConnectInterrupts(sink);
            copy.WriteBar(1, 28, 4, 0);
            Assert.Equal(new[] { (0xFEE0_1000UL, 0x55u) }, sink.Messages);
        }

        [Fact]
        public void State_of_another_function_or_a_short_buffer_is_refused()
        {
            var saved = new byte[_function.StateSize];
            _function.SaveState(saved);
            Assert.Equal(Hv.Core.Devices.DeviceStateStatus.WrongVersion, new TestFunction(device: 0x9999).LoadState(saved));
            Assert.Equal(Hv.Core.Devices.DeviceStateStatus.Truncated, _function.LoadState(saved.AsSpan(0, saved.Length - 1)));
            Assert.Equal(-1, _function.SaveState(new byte[saved.Length - 1]));
        }

        [Fact]
        public void The_host_bridge_state_round_trips()
        {
            var bridge = new PciHostBridge();
            bridge.SetCommand(PciFunction.CommandMemory);
            var saved = new byte[bridge.StateSize];
            Assert.Equal(saved.Length, bridge.SaveState(saved));
            var copy = new PciHostBridge();
            Assert.Equal(Hv.Core.Devices.DeviceStateStatus.Ok, copy.LoadState(saved));
            Assert.Equal(PciFunction.CommandMemory, copy.Command);
            copy.Reset();
            Assert.Equal(0, copy.Command);
        }
    }
}
