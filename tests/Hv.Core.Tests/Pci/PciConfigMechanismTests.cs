using System;
using Hv.Core.Devices;
using Hv.Core.Devices.Pci;

namespace Hv.Core.Tests.Pci
{
    /// <summary>Configuration mechanism #1 through the VM's port bus (PCI Local Bus 3.0, 3.2.2.3.2).</summary>
    public class PciConfigMechanismTests
    {
        private readonly PortBus _ports = new PortBus();
        private readonly PciBus _bus = new PciBus();
        private readonly TestFunction _function = new TestFunction();

        public PciConfigMechanismTests()
        {
            Assert.Equal(PciStatus.Ok, _bus.Attach(0, 0, new PciHostBridge()));
            Assert.Equal(PciStatus.Ok, _bus.Attach(3, 0, _function));
            Assert.Equal(PortMapStatus.Ok, _ports.Map(PciConfigMechanism.AddressPort, PciConfigMechanism.PortCount, new PciConfigMechanism(_bus)));
        }

        private static uint Address(int bus, int device, int function, int register) =>
            0x80000000u | (uint)(bus << 16) | (uint)(device << 11) | (uint)(function << 8) | (uint)register;

        private uint In(ushort port, int size)
        {
            Assert.True(_ports.In(port, size, out uint value));
            return value;
        }

        [Fact]
        public void Linux_type1_probe_sees_its_address_read_back_after_the_byte_write_to_0xCFB()
        {
            // arch/x86/pci/direct.c pci_check_type1: outb(0x01, 0xCFB); tmp = inl(0xCF8); outl(0x80000000, 0xCF8).
            _ports.Out(0xCFB, 1, 0x01);
            Assert.Equal(0u, In(0xCF8, 4));
            _ports.Out(0xCF8, 4, 0x80000000);
            Assert.Equal(0x80000000u, In(0xCF8, 4));
        }

        [Fact]
        public void Only_dword_accesses_reach_CONFIG_ADDRESS_and_reserved_bits_read_zero()
        {
            _ports.Out(0xCF8, 4, 0xFFFFFFFF);
            Assert.Equal(0x80FFFFFCu, In(0xCF8, 4));
            _ports.Out(0xCF8, 2, 0x1234);
            _ports.Out(0xCFA, 1, 0x56);
            Assert.Equal(0x80FFFFFCu, In(0xCF8, 4));
            Assert.Equal(0xFFFFu, In(0xCF8, 2));
            Assert.Equal(0xFFu, In(0xCF9, 1));
        }

        [Fact]
        public void Host_bridge_at_00_00_0_is_an_i440FX_with_the_host_bridge_class()
        {
            _ports.Out(0xCF8, 4, Address(0, 0, 0, 0x00));
            Assert.Equal(0x12378086u, In(0xCFC, 4));
            _ports.Out(0xCF8, 4, Address(0, 0, 0, 0x08));
            Assert.Equal(0x06000002u, In(0xCFC, 4));
            // PCI_CLASS_DEVICE as Linux's pci_sanity_check reads it: a word at offset 0x0A.
            Assert.Equal(0x0600u, In(0xCFE, 2));
        }

        [Fact]
        public void Byte_and_word_reads_of_CONFIG_DATA_reach_the_register_plus_the_port_offset()
        {
            _ports.Out(0xCF8, 4, Address(0, 3, 0, 0x00));
            Assert.Equal(0x34u, In(0xCFC, 1));
            Assert.Equal(0x12u, In(0xCFD, 1));
            Assert.Equal(0x78u, In(0xCFE, 1));
            Assert.Equal(0x56u, In(0xCFF, 1));
            Assert.Equal(0x5678u, In(0xCFE, 2));
            // A word at 0xCFF would run past CONFIG_DATA.
            Assert.Equal(0xFFFFu, In(0xCFF, 2));
        }

        [Fact]
        public void Writes_through_CONFIG_DATA_reach_the_function()
        {
            _ports.Out(0xCF8, 4, Address(0, 3, 0, 0x3C));
            _ports.Out(0xCFC, 1, 0x0B);
            Assert.Equal(0x0B, _function.InterruptLine);
            _ports.Out(0xCF8, 4, Address(0, 3, 0, 0x04));
            _ports.Out(0xCFC, 2, 0x0006);
            Assert.Equal(0x0006, _function.Command);
        }

        [Fact]
        public void Absent_functions_other_buses_and_a_clear_enable_bit_read_all_ones()
        {
            _ports.Out(0xCF8, 4, Address(0, 4, 0, 0));
            Assert.Equal(0xFFFFFFFFu, In(0xCFC, 4));
            _ports.Out(0xCF8, 4, Address(1, 0, 0, 0));
            Assert.Equal(0xFFFFFFFFu, In(0xCFC, 4));
            _ports.Out(0xCF8, 4, Address(0, 3, 0, 0x3C) & 0x7FFFFFFF);
            Assert.Equal(0xFFFFFFFFu, In(0xCFC, 4));
            _ports.Out(0xCFC, 1, 0x0B);
            Assert.Equal(0, _function.InterruptLine);
        }

        [Fact]
        public void Function_zero_reports_multi_function_once_a_second_function_is_attached()
        {
            _ports.Out(0xCF8, 4, Address(0, 3, 0, 0x0C));
            Assert.Equal(0x00u, In(0xCFE, 1));
            Assert.Equal(PciStatus.Ok, _bus.Attach(3, 1, new TestFunction()));
            Assert.Equal(0x80u, In(0xCFE, 1));
            Assert.Equal(0x00800000u, In(0xCFC, 4) & 0x00FF0000u);
            _ports.Out(0xCF8, 4, Address(0, 3, 1, 0x0C));
            Assert.Equal(0x00u, In(0xCFE, 1));
        }

        [Fact]
        public void Attach_refuses_taken_slots_out_of_range_numbers_and_a_function_twice()
        {
            Assert.Equal(PciStatus.InUse, _bus.Attach(3, 0, new TestFunction()));
            Assert.Equal(PciStatus.InvalidArgument, _bus.Attach(32, 0, new TestFunction()));
            Assert.Equal(PciStatus.InvalidArgument, _bus.Attach(1, 8, new TestFunction()));
            Assert.Equal(PciStatus.InUse, _bus.Attach(5, 0, _function));
        }

        [Fact]
        public void CONFIG_ADDRESS_survives_a_save_and_load_and_bad_state_is_refused()
        {
            var mechanism = new PciConfigMechanism(_bus);
            mechanism.Out(0, 4, Address(0, 3, 0, 0x3C));
            var saved = new byte[PciConfigMechanism.StateSize];
            Assert.Equal(PciConfigMechanism.StateSize, mechanism.SaveState(saved));
            var copy = new PciConfigMechanism(_bus);
            Assert.Equal(Hv.Core.Devices.DeviceStateStatus.Ok, copy.LoadState(saved));
            Assert.Equal(mechanism.Address, copy.Address);
            Assert.Equal(Hv.Core.Devices.DeviceStateStatus.Truncated, copy.LoadState(saved.AsSpan(0, 4)));
            saved[0] = 2;
            Assert.Equal(Hv.Core.Devices.DeviceStateStatus.WrongVersion, copy.LoadState(saved));
            copy.Reset();
            Assert.Equal(0u, copy.Address);
        }
    }
}
