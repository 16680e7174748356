using Hv.Core.Devices.Pci;

namespace Hv.Core.Tests.Pci
{
    /// <summary>MSI-X capability, table and pending bits (PCI Local Bus 3.0, 6.8.2-6.8.3).</summary>
    public class MsixTests
    {
        private readonly TestFunction _function = new TestFunction();
        private readonly RecordingSink _sink = new RecordingSink();

        public MsixTests()
        {
            _function.ConnectInterrupts(_sink);
        }

        private void Control(ushort bits) => _function.WriteConfig(0x42, 2, bits);

        private void Program(int vector, ulong address, uint data, bool masked)
        {
            _function.WriteBar(1, (ulong)vector * 16, 8, address);
            _function.WriteBar(1, (ulong)vector * 16 + 8, 4, data);
            _function.WriteBar(1, (ulong)vector * 16 + 12, 4, masked ? 1u : 0u);
        }

        [Fact]
        public void Every_vector_starts_masked_with_zero_address_and_data()
        {
            for (int v = 0; v < TestFunction.Vectors; v++)
            {
                Assert.Equal(0UL, _function.ReadBar(1, (ulong)v * 16, 8));
                Assert.Equal(0UL, _function.ReadBar(1, (ulong)v * 16 + 8, 4));
                Assert.Equal(1UL, _function.ReadBar(1, (ulong)v * 16 + 12, 4));
            }
        }

        [Fact]
        public void Reserved_bits_of_address_and_vector_control_read_zero()
        {
            _function.WriteBar(1, 16, 4, 0xFEE0_1003);
            _function.WriteBar(1, 28, 4, 0xFFFF_FFFE);
            Assert.Equal(0xFEE0_1000UL, _function.ReadBar(1, 16, 4));
            Assert.Equal(0UL, _function.ReadBar(1, 28, 4));
        }

        [Fact]
        public void Accesses_that_are_not_aligned_dwords_or_qwords_are_ignored()
        {
            _function.WriteBar(1, 8, 2, 0xBEEF);
            _function.WriteBar(1, 9, 4, 0xBEEF);
            Assert.Equal(0UL, _function.ReadBar(1, 8, 4));
            Assert.Equal(ulong.MaxValue, _function.ReadBar(1, 8, 2));
            Assert.Equal(ulong.MaxValue, _function.ReadBar(1, 4, 8));
        }

        [Fact]
        public void Signal_is_refused_while_MSI_X_is_off_so_the_function_uses_INTx()
        {
            Assert.False(_function.Signal(0));
            Control(0x8000);
            Assert.True(_function.Signal(0));
        }

        [Fact]
        public void An_unmasked_vector_sends_its_message()
        {
            Program(2, 0xFEE0_2000, 0x4031, masked: false);
            Control(0x8000);
            _function.Signal(2);
            Assert.Equal(new[] { (0xFEE0_2000UL, 0x4031u) }, _sink.Messages);
            Assert.Equal(0UL, _function.ReadBar(1, 0x800, 8));
        }

        [Fact]
        public void A_masked_vector_sets_its_pending_bit_and_sends_when_unmasked()
        {
            Program(1, 0xFEE0_0000, 0x41, masked: true);
            Control(0x8000);
            _function.Signal(1);
            Assert.Empty(_sink.Messages);
            Assert.Equal(0b10UL, _function.ReadBar(1, 0x800, 8));
            Assert.Equal(0b10UL, _function.ReadBar(1, 0x800, 4));
            // The pending bits are read-only.
            _function.WriteBar(1, 0x800, 8, 0);
            Assert.Equal(0b10UL, _function.ReadBar(1, 0x800, 4));
            _function.WriteBar(1, 16 + 12, 4, 0);
            Assert.Equal(new[] { (0xFEE0_0000UL, 0x41u) }, _sink.Messages);
            Assert.Equal(0UL, _function.ReadBar(1, 0x800, 8));
        }

        [Fact]
        public void Function_mask_holds_every_vector_until_it_clears()
        {
            Program(0, 0xFEE0_0000, 0x50, masked: false);
            Program(2, 0xFEE0_0000, 0x52, masked: false);
            Control(0xC000);
            _function.Signal(0);
            _function.Signal(2);
            Assert.Empty(_sink.Messages);
            Assert.Equal(0b101UL, _function.ReadBar(1, 0x800, 8));
            Control(0x8000);
            Assert.Equal(new[] { (0xFEE0_0000UL, 0x50u), (0xFEE0_0000UL, 0x52u) }, _sink.Messages);
        }

        [Fact]
        public void Enabling_MSI_X_releases_the_INTx_pin()
        {
            _function.Request(true);
            Assert.True(_sink.Intx);
            Control(0x8000);
            Assert.False(_sink.Intx);
            Control(0);
            Assert.True(_sink.Intx);
        }

        [Fact]
        public void Table_size_is_read_only()
        {
            _function.WriteConfig(0x42, 2, 0x07FF);
            Assert.Equal(2u, _function.ReadConfig(0x42, 2) & 0x7FF);
        }

        [Fact]
        public void AddMsix_checks_that_table_and_pending_bits_fit_their_BAR()
        {
            var f = new TestFunction();
            Assert.Equal(PciStatus.InUse, f.AddTestMsix(1, 1, 0x100, 0x900));
            var g = new BareFunction();
            Assert.Equal(PciStatus.InvalidArgument, g.AddTestMsix(1, 0, 0, 0x800));
            Assert.Equal(PciStatus.Ok, g.Declare(0, PciBarKind.Memory32, 4096));
            Assert.Equal(PciStatus.InvalidArgument, g.AddTestMsix(300, 0, 0, 0x800));
            Assert.Equal(PciStatus.InvalidArgument, g.AddTestMsix(4, 0, 0, 0x20));
            Assert.Equal(PciStatus.InvalidArgument, g.AddTestMsix(4, 0, 4, 0x800));
            Assert.Equal(PciStatus.Ok, g.AddTestMsix(128, 0, 0, 0x800));
        }

        private sealed class BareFunction : PciFunction
        {
            public BareFunction() : base(1, 2, 0, 0, 0, 0, 0) { }
            public PciStatus Declare(int bar, PciBarKind kind, ulong size) => DeclareBar(bar, kind, size, false);
            public PciStatus AddTestMsix(int vectors, int bar, uint table, uint pba) => AddMsix(vectors, bar, table, pba);
        }
    }
}
