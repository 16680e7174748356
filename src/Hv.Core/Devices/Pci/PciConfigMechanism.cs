using System;

namespace Hv.Core.Devices.Pci
{
    /// <summary>
    /// Configuration mechanism #1 (PCI Local Bus 3.0, 3.2.2.3.2): CONFIG_ADDRESS at port 0xCF8 and CONFIG_DATA at
    /// 0xCFC-0xCFF. Map it at <see cref="AddressPort"/> for <see cref="PortCount"/> ports.
    ///
    /// Only a full dword write to 0xCF8 loads CONFIG_ADDRESS (and only a dword read returns it); the spec says any
    /// other access there is an ordinary I/O cycle, which finds nothing here, so it reads all ones and its writes
    /// vanish. Linux's probe relies on this: it writes a byte to 0xCFB, then checks that a dword written to
    /// 0xCF8 reads back. CONFIG_ADDRESS: bit 31 enable, bits 23:16 bus, 15:11 device, 10:8 function, 7:2
    /// register; bits 30:24 are reserved and bits 1:0 read as 0. While enable is clear CONFIG_DATA is an ordinary
    /// I/O port too. A byte or word access to CONFIG_DATA at 0xCFC + n reaches register + n; one that would run
    /// past 0xCFF is refused like an absent register (all ones).
    /// </summary>
    public sealed class PciConfigMechanism : PortDevice
    {
        public const ushort AddressPort = 0xCF8;
        public const int PortCount = 8;
        private const int DataOffset = 4;
        private const uint EnableBit = 0x80000000u;
        private const uint AddressMask = 0x80FFFFFCu;

        private readonly PciBus _bus;
        private uint _address;

        public PciConfigMechanism(PciBus bus)
        {
            _bus = bus;
        }

        /// <summary>The CONFIG_ADDRESS register as last written.</summary>
        public uint Address { get { return _address; } }

        public void Reset()
        {
            _address = 0;
        }

        public override uint In(ushort offset, int size)
        {
            if (offset == 0 && size == 4)
            {
                return _address;
            }
            int data = offset - DataOffset;
            if (data < 0 || data + size > 4 || (_address & EnableBit) == 0)
            {
                return AllOnes(size);
            }
            return _bus.ReadConfig(Bus, Device, Function, Register + data, size);
        }

        public override void Out(ushort offset, int size, uint value)
        {
            if (offset == 0 && size == 4)
            {
                _address = value & AddressMask;
                return;
            }
            int data = offset - DataOffset;
            if (data < 0 || data + size > 4 || (_address & EnableBit) == 0)
            {
                return;
            }
            _bus.WriteConfig(Bus, Device, Function, Register + data, size, value);
        }

        /// <summary>Bytes <see cref="SaveState"/> writes: a version and CONFIG_ADDRESS.</summary>
        public const int StateSize = 5;
        private const byte StateVersion = 1;

        public int SaveState(Span<byte> destination)
        {
            StateWriter writer = new StateWriter(destination);
            writer.U8(StateVersion);
            writer.U32(_address);
            return writer.Overflowed ? -1 : writer.Length;
        }

        public DeviceStateStatus LoadState(ReadOnlySpan<byte> source)
        {
            if (source.Length < StateSize)
            {
                return DeviceStateStatus.Truncated;
            }
            if (source.Length != StateSize || source[0] != StateVersion)
            {
                return DeviceStateStatus.WrongVersion;
            }
            StateReader reader = new StateReader(source.Slice(1));
            _address = reader.U32() & AddressMask;
            return DeviceStateStatus.Ok;
        }

        private int Bus { get { return (int)((_address >> 16) & 0xFF); } }
        private int Device { get { return (int)((_address >> 11) & 0x1F); } }
        private int Function { get { return (int)((_address >> 8) & 0x7); } }
        private int Register { get { return (int)(_address & 0xFC); } }

        private static uint AllOnes(int size)
        {
            return size >= 4 ? 0xFFFFFFFFu : (1u << (size * 8)) - 1;
        }
    }
}
