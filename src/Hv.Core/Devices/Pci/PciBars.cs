using Hv.Core.Memory;

namespace Hv.Core.Devices.Pci
{
    /// <summary>
    /// The six base address registers of a type-0 header (PCI Local Bus 3.0, 6.2.5.1), kept in the function's
    /// configuration bytes at 0x10-0x27. A BAR decodes a naturally aligned block of its size, so the address bits
    /// below the size read as zero: writing all ones reads back the size mask, which is how software sizes it.
    /// The low bits are fixed flags: bit 0 = I/O space; bits 2:1 = 10 for a 64-bit memory BAR, whose next register
    /// holds the upper address bits; bit 3 = prefetchable.
    /// </summary>
    internal sealed class PciBars
    {
        public const int Count = 6;
        public const int FirstRegister = 0x10;

        private readonly byte[] _config;
        private readonly PciBarKind[] _kind = new PciBarKind[Count];
        private readonly ulong[] _size = new ulong[Count];
        private readonly uint[] _flags = new uint[Count];

        /// <summary>Gives the BAR records back (their function is being freed); the configuration bytes are the function's.</summary>
        public void Free()
        {
            Owned.Free(_kind);
            Owned.Free(_size);
            Owned.Free(_flags);
            Owned.Free(this);
        }

        public PciBars(byte[] config)
        {
            _config = config;
        }

        public PciBarKind Kind(int bar)
        {
            return bar >= 0 && bar < Count ? _kind[bar] : PciBarKind.None;
        }

        public ulong Size(int bar)
        {
            return bar >= 0 && bar < Count ? _size[bar] : 0;
        }

        public ulong Address(int bar)
        {
            uint low = Register(bar);
            switch (Kind(bar))
            {
                case PciBarKind.Io:
                    return low & 0xFFFCu;
                case PciBarKind.Memory32:
                    return low & 0xFFFFFFF0u;
                case PciBarKind.Memory64:
                    return (low & 0xFFFFFFF0u) | ((ulong)Register(bar + 1) << 32);
                default:
                    return 0;
            }
        }

        public PciStatus Declare(int bar, PciBarKind kind, ulong size, bool prefetchable)
        {
            bool wide = kind == PciBarKind.Memory64;
            if (bar < 0 || bar + (wide ? 1 : 0) >= Count || kind == PciBarKind.None || kind == PciBarKind.Memory64High
                || (size & (size - 1)) != 0 || (kind == PciBarKind.Io && (size < 4 || size > 256))
                || (kind != PciBarKind.Io && (size < 16 || (kind == PciBarKind.Memory32 && size > 0x80000000UL))))
            {
                return PciStatus.InvalidArgument;
            }
            if (_kind[bar] != PciBarKind.None || (wide && _kind[bar + 1] != PciBarKind.None))
            {
                return PciStatus.InUse;
            }
            _kind[bar] = kind;
            _size[bar] = size;
            _flags[bar] = kind == PciBarKind.Io ? 1u : (wide ? 4u : 0u) | (prefetchable ? 8u : 0u);
            SetRegister(bar, _flags[bar]);
            if (wide)
            {
                _kind[bar + 1] = PciBarKind.Memory64High;
            }
            return PciStatus.Ok;
        }

        /// <summary>A write of the whole register: only the address bits the size allows are kept.</summary>
        public void Write(int bar, uint value)
        {
            switch (Kind(bar))
            {
                case PciBarKind.Io:
                    // 16-bit I/O decode: bits 31:16 read as 0, as on an x86 (64 KiB) I/O space.
                    SetRegister(bar, (value & 0xFFFCu & ~(uint)(_size[bar] - 1)) | _flags[bar]);
                    break;
                case PciBarKind.Memory32:
                case PciBarKind.Memory64:
                    SetRegister(bar, (value & 0xFFFFFFF0u & ~(uint)(_size[bar] - 1)) | _flags[bar]);
                    break;
                case PciBarKind.Memory64High:
                    SetRegister(bar, value & ~(uint)((_size[bar - 1] - 1) >> 32));
                    break;
            }
        }

        /// <summary>Power-on: addresses 0, flags kept.</summary>
        public void Reset()
        {
            for (int bar = 0; bar < Count; bar++)
            {
                SetRegister(bar, _flags[bar]);
            }
        }

        public uint Register(int bar)
        {
            return bar >= 0 && bar < Count ? LittleEndian.ReadUInt32(_config, FirstRegister + bar * 4) : 0;
        }

        private void SetRegister(int bar, uint value)
        {
            LittleEndian.WriteUInt32(_config, FirstRegister + bar * 4, value);
        }
    }
}
